import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { backoffDelay } from "./concurrency.ts";
import { DLQ_HEADER, deadLetterRecord, replayRecord } from "./dead-letter.ts";

const message: ConsumedMessage = {
  topic: "ns.orders",
  partition: 2,
  offset: "17",
  key: "order-1",
  value: new TextEncoder().encode('{"bad":'),
  headers: { ce_id: "e-1", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
  timestamp: 1_700_000_000_000,
};

describe("dead letters", () => {
  it("keeps key, value and headers, and says why and from where", () => {
    const record = deadLetterRecord(message, {
      topic: "ns.orders.dlq",
      reason: "contract-violation",
      error: new KafkaPairError("MALFORMED_JSON", "value on topic orders is not JSON"),
      attempts: 0,
      group: "orders_group",
      now: new Date("2025-01-01T00:00:00Z"),
    });
    expect(record.topic).toBe("ns.orders.dlq");
    expect(record.key).toBe("order-1");
    expect(record.value).toEqual(message.value);
    expect(record.headers).toMatchObject({
      ce_id: "e-1",
      [DLQ_HEADER.reason]: "contract-violation",
      [DLQ_HEADER.errorCode]: "MALFORMED_JSON",
      [DLQ_HEADER.error]: "value on topic orders is not JSON",
      [DLQ_HEADER.attempts]: "0",
      [DLQ_HEADER.originalTopic]: "ns.orders",
      [DLQ_HEADER.originalPartition]: "2",
      [DLQ_HEADER.originalOffset]: "17",
      [DLQ_HEADER.group]: "orders_group",
      [DLQ_HEADER.failedAt]: "2025-01-01T00:00:00.000Z",
    });
  });

  it("replays the original record: dlq_* headers dropped, origin named", () => {
    const dead = deadLetterRecord(message, {
      topic: "ns.orders.dlq",
      reason: "handler-failed",
      error: new Error("boom"),
      attempts: 4,
      group: "g",
      now: new Date(),
    });
    const replayed = replayRecord(
      { ...message, topic: "ns.orders.dlq", partition: 0, offset: "3", headers: dead.headers ?? {} },
      "ns.orders",
    );
    expect(replayed).toEqual({
      topic: "ns.orders",
      key: "order-1",
      value: message.value,
      headers: { ...message.headers, replayed_from: "ns.orders.dlq/0/3" },
    });
  });
});

describe("backoffDelay", () => {
  it("doubles per retry within [ceiling/2, ceiling], capped", () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 10_000, () => 1)).toBe(400);
    expect(backoffDelay(20, 100, 1_000, () => 1)).toBe(1_000);
  });
});

describe("deadLetterRecord: the error as text", () => {
  const message = {
    topic: "orders",
    partition: 1,
    offset: "9",
    key: null,
    value: null,
    headers: { dlq_reason: "old", replayed_from: "x", keep: "y" },
    timestamp: 5,
  };
  const letter = (error: unknown) =>
    deadLetterRecord(message, {
      topic: "orders.dlq",
      reason: "handler-failed",
      error,
      attempts: 1,
      group: "g",
      now: new Date(0),
    });

  it("names a plain error by class and message, anything else as text, with no error code", () => {
    expect(letter(new TypeError("bad")).headers).toMatchObject({ dlq_error: "TypeError: bad" });
    expect(letter(new TypeError("bad")).headers?.dlq_error_code).toBeUndefined();
    expect(letter("just text").headers?.dlq_error).toBe("just text");
  });

  it("lists a KafkaPairError's field issues, naming the value itself for an empty path", () => {
    const error = new KafkaPairError("INVALID_EVENT", "does not match", {
      issues: [
        { path: "", message: "not a string" },
        { path: "lines.0.sku", message: "too short" },
      ],
    });
    expect(letter(error).headers).toMatchObject({
      dlq_error: "does not match: (value): not a string; lines.0.sku: too short",
      dlq_error_code: "INVALID_EVENT",
    });
    expect(letter(new KafkaPairError("INTERNAL", "plain")).headers?.dlq_error).toBe("plain");
  });

  it("cuts the error text at 2,000 characters and writes an empty value for a null one", () => {
    const record = letter(new Error("x".repeat(5_000)));
    expect(record.headers?.dlq_error).toHaveLength(2_000);
    expect(record.value).toEqual(new Uint8Array(0));
    expect(record.headers?.keep).toBe("y");
  });

  it("replays without dlq_ and replayed_from headers of its own", () => {
    const record = replayRecord({ ...message, topic: "orders.dlq" }, "orders");
    expect(record.headers).toEqual({ keep: "y", replayed_from: "orders.dlq/1/9" });
  });
});
