import { type OrderConfirmed, type OrderPlaced, ordersConfirmedTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { subscribe } from "../handler.ts";
import { insertOrder, totalCents } from "../orders/repository.ts";

/** The confirmation of a placed order: its total in the currency's minor unit. */
export function confirmationOf(order: OrderPlaced): OrderConfirmed {
  return {
    orderId: order.orderId,
    customerId: order.customerId,
    currency: order.currency,
    totalCents: totalCents(order),
    lineCount: order.lines.length,
    placedAt: order.placedAt,
  };
}

/**
 * Each placed order is stored once in the `orders` table and confirmed once on
 * `orders.confirmed`: the row, the confirmation (through the outbox) and the consumed position
 * commit in one database transaction, relayed to Kafka in one transaction with the group's
 * offsets, so neither a crash nor a rebalance stores or confirms an order twice.
 */
export const ordersHandler = subscribe({
  contract: ordersTopic,
  groupId: "orders_group",
  // A placed order must not be skipped because the service started after it was sent.
  fromBeginning: true,
  delivery: "exactly-once",
  store: true,
  emits: [ordersConfirmedTopic],
  async handle(order, { db, emit, topic, partition, offset, logger }) {
    if (!db) throw new KafkaPairError("CONFIG_INVALID", "the orders subscription runs with the worker's database");
    await insertOrder(db, order, { topic, partition, offset });
    const confirmed = confirmationOf(order);
    await emit(ordersConfirmedTopic, confirmed);
    logger.info({ orderId: order.orderId, totalCents: confirmed.totalCents, currency: order.currency }, "order placed");
  },
});
