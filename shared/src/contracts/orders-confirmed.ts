import * as v from "valibot";
import { defineTopic } from "./contract.ts";
import { OrderPlaced } from "./orders.ts";

/** What the orders service emits once it stored an order: the order's totals, checked. */
export const OrderConfirmed = v.strictObject({
  orderId: OrderPlaced.entries.orderId,
  customerId: OrderPlaced.entries.customerId,
  currency: OrderPlaced.entries.currency,
  /** Sum of quantity × unit price over the lines, in the currency's minor unit (at most 10^14: exact). */
  totalCents: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  lineCount: v.pipe(v.number(), v.safeInteger(), v.minValue(1)),
  placedAt: OrderPlaced.entries.placedAt,
});
export type OrderConfirmed = v.InferOutput<typeof OrderConfirmed>;

/**
 * Written by the consumer's `orders` subscription, exactly once per order (a Kafka transaction
 * with the consumed offsets), never by the producer edge: it is not in the edge's `contracts`.
 */
export const ordersConfirmedTopic = defineTopic({
  name: "orders.confirmed",
  description: "An order was stored by the orders service. Keyed by orderId.",
  schema: OrderConfirmed,
  encoding: "json",
  key: (confirmed) => confirmed.orderId,
  partitions: 3,
  replicationFactor: 3,
  eventType: "dev.kafka-pair.order.confirmed",
  maxValueBytes: 1024,
});
