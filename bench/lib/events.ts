import { randomUUID } from "node:crypto";
import type { OrderPlaced } from "@kafka-pair/shared/contracts";

const utf8 = new TextEncoder();

export const MIN_EVENT_BYTES = 200;
export const MAX_EVENT_BYTES = 8 * 1024;

const size = (order: OrderPlaced) => utf8.encode(JSON.stringify(order)).byteLength;

/**
 * A valid OrderPlaced whose JSON is exactly `bytes` long (within the contract's limits), so
 * every scenario moves the same payload. placedAt has a fixed width, so restamping it keeps the size.
 */
export function sizedOrder(bytes: number, seed = 0): OrderPlaced {
  const target = Math.min(MAX_EVENT_BYTES, Math.max(MIN_EVENT_BYTES, bytes));
  const line = (i: number) => ({
    sku: `SKU-${String((seed * 131 + i) % 1_000_000).padStart(6, "0")}-ABCDEFGHIJKLMNOPQRST`.slice(0, 32),
    quantity: 1 + (i % 9),
    unitPriceCents: 100 + ((seed + i) % 90_000),
  });
  const order: OrderPlaced = {
    orderId: randomUUID(),
    customerId: "c",
    currency: "EUR",
    lines: [line(0)],
    placedAt: new Date().toISOString(),
  };
  while (order.lines.length < 100 && size({ ...order, lines: [...order.lines, line(order.lines.length)] }) <= target) {
    order.lines.push(line(order.lines.length));
  }
  // The customer id (1..64 characters) takes up the rest exactly, when it can.
  const missing = target - size(order);
  order.customerId = `c${"x".repeat(Math.max(0, Math.min(63, missing)))}`;
  return order;
}

/** A pool of distinct events of one size: keys spread over partitions like real traffic. */
export function orderPool(bytes: number, count = 512): OrderPlaced[] {
  return Array.from({ length: count }, (_, i) => sizedOrder(bytes, i));
}

export function encodedSize(order: OrderPlaced): number {
  return size(order);
}
