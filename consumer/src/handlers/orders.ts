import { type OrderConfirmed, type OrderPlaced, ordersConfirmedTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { subscribe } from "../handler.ts";

/** The confirmation of a placed order: its total in the currency's minor unit. */
export function confirmationOf(order: OrderPlaced): OrderConfirmed {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    totalCents: order.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0),
    lineCount: order.lines.length,
    placedAt: order.placedAt,
  };
}

/**
 * Each placed order is confirmed once on `orders.confirmed`: the confirmation and the consumed
 * offset commit in one Kafka transaction, so a crash or a rebalance never confirms an order twice.
 */
export const ordersHandler = subscribe({
  contract: ordersTopic,
  groupId: "orders_group",
  // A placed order must not be skipped because the service started after it was sent.
  fromBeginning: true,
  delivery: "exactly-once",
  emits: [ordersConfirmedTopic],
  async handle(order, { logger, emit }) {
    const confirmed = confirmationOf(order);
    await emit(ordersConfirmedTopic, confirmed);
    logger.info({ orderId: order.orderId, totalCents: confirmed.totalCents, currency: order.currency }, "order placed");
  },
});
