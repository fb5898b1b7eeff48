import * as v from "valibot";
import { defineTopic } from "./contract.ts";
import { isRealDateTime } from "./date-time.ts";

/**
 * Bounds with a business meaning, all far inside JavaScript's safe integers (2^53 - 1), so a
 * number is stored exactly as sent and sums of lines cannot overflow: at most 10,000 units of a
 * line, at most 100,000,000 cents (one million in the currency's main unit) per unit, so a line
 * totals at most 10^12 cents and an order of 100 lines at most 10^14.
 */
export const MAX_QUANTITY = 10_000;
export const MAX_UNIT_PRICE_CENTS = 100_000_000;

// Strict like the order itself: an unknown member of a line is refused, not dropped.
export const OrderLine = v.strictObject({
  sku: v.pipe(v.string(), v.regex(/^[A-Z0-9-]{3,32}$/, "must be 3-32 upper-case letters, digits or dashes")),
  quantity: v.pipe(
    v.number(),
    v.safeInteger("must be a whole number"),
    v.minValue(1),
    v.maxValue(MAX_QUANTITY),
    v.description(`Units ordered: a whole number from 1 to ${MAX_QUANTITY}.`),
  ),
  unitPriceCents: v.pipe(
    v.number(),
    v.safeInteger("must be a whole number of cents"),
    v.minValue(0),
    v.maxValue(MAX_UNIT_PRICE_CENTS),
    v.description(`Price of one unit in the currency's minor unit: a whole number from 0 to ${MAX_UNIT_PRICE_CENTS}.`),
  ),
});
export type OrderLine = v.InferOutput<typeof OrderLine>;

export const OrderPlaced = v.strictObject({
  orderId: v.pipe(v.string(), v.uuid()),
  customerId: v.pipe(v.string(), v.nonEmpty(), v.maxLength(64)),
  currency: v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as EUR")),
  lines: v.pipe(v.array(OrderLine), v.minLength(1), v.maxLength(100)),
  placedAt: v.pipe(
    v.string(),
    v.isoTimestamp(),
    // isoTimestamp checks the shape only: 2026-02-30 passes it.
    v.check(isRealDateTime, "must be a real calendar date and time"),
    v.description("When the order was placed: an ISO 8601 / RFC 3339 date-time on the calendar (no 30 February)."),
  ),
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
