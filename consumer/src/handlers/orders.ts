import { ordersTopic } from "@kafka-pair/shared/contracts";
import { subscribe } from "../handler.ts";

export const ordersHandler = subscribe({
  contract: ordersTopic,
  groupId: "orders_group",
  // A placed order must not be skipped because the service started after it was sent.
  fromBeginning: true,
  async handle(order, { logger }) {
    const totalCents = order.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
    logger.info({ orderId: order.orderId, totalCents, currency: order.currency }, "order placed");
  },
});
