import { describe, expect, it } from "vitest";
import { KafkaPairError } from "../errors.ts";
import { decodeValue, encodeValue, healthTopic, ordersTopic, parseEvent } from "./index.ts";

const order = {
  orderId: "6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f",
  customerId: "c-42",
  currency: "EUR",
  lines: [{ sku: "BOOK-1", quantity: 2, unitPriceCents: 1299 }],
  placedAt: "2026-11-24T10:00:00Z",
};

describe("contracts", () => {
  it("round-trips an event through its encoding", () => {
    expect(decodeValue(ordersTopic, encodeValue(ordersTopic, order))).toEqual(order);
    expect(new TextDecoder().decode(encodeValue(healthTopic, "ok"))).toBe("ok");
    expect(decodeValue(healthTopic, new TextEncoder().encode("ok"))).toBe("ok");
  });

  it("keys orders by order id", () => {
    expect(ordersTopic.key(order)).toBe(order.orderId);
    expect(healthTopic.key("ok")).toBeNull();
  });

  it("names each failing field as a dotted path", () => {
    const bad = { ...order, lines: [{ sku: "b", quantity: 0, unitPriceCents: 1 }], extra: 1 };
    const error = (() => {
      try {
        parseEvent(ordersTopic, bad);
      } catch (err) {
        return err as KafkaPairError;
      }
    })();
    expect(error).toBeInstanceOf(KafkaPairError);
    expect(error?.code).toBe("INVALID_EVENT");
    expect(error?.issues?.map((i) => i.path).sort()).toEqual(["extra", "lines.0.quantity", "lines.0.sku"]);
  });

  it("rejects bytes from Kafka that are not the contract's", () => {
    expect(() => decodeValue(ordersTopic, new Uint8Array([0xff, 0xfe]))).toThrowError(/not UTF-8/);
    expect(() => decodeValue(ordersTopic, new TextEncoder().encode("{"))).toThrowError(/not JSON/);
    expect(() => decodeValue(healthTopic, new TextEncoder().encode("nok"))).toThrowError(KafkaPairError);
    expect(() => decodeValue(ordersTopic, null)).toThrowError(/null value/);
  });
});
