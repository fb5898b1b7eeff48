import * as v from "valibot";
import { defineTopic } from "./contract.ts";

export const OrderLine = v.object({
  sku: v.pipe(v.string(), v.regex(/^[A-Z0-9-]{3,32}$/, "must be 3-32 upper-case letters, digits or dashes")),
  quantity: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000)),
  unitPriceCents: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type OrderLine = v.InferOutput<typeof OrderLine>;

export const OrderPlaced = v.strictObject({
  orderId: v.pipe(v.string(), v.uuid()),
  customerId: v.pipe(v.string(), v.nonEmpty(), v.maxLength(64)),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")),
  lines: v.pipe(v.array(OrderLine), v.minLength(1), v.maxLength(100)),
  placedAt: v.pipe(v.string(), v.isoTimestamp()),
  /** Free text for the courier. */
  note: v.optional(v.pipe(v.string(), v.maxLength(4000))),
});
export type OrderPlaced = v.InferOutput<typeof OrderPlaced>;

/** Keyed by order id, so every event of one order stays on one partition, in order. */
export const ordersTopic = defineTopic({
  name: "orders",
  description: "An order was placed. Keyed by orderId.",
  schema: OrderPlaced,
  encoding: "json",
  key: (order) => order.orderId,
  partitions: 3,
  replicationFactor: 3,
  deadLetter: { partitions: 3, replicationFactor: 3 },
  eventType: "dev.kafka-pair.order.placed",
  maxValueBytes: 8 * 1024,
});
