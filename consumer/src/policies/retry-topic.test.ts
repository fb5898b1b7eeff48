import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { asOriginal, attemptsMade, dueAt, originOf, RETRY_HEADER, retryRecord, retryTopicOf } from "./retry-topic.ts";

const message: ConsumedMessage = {
  topic: "orders",
  partition: 2,
  offset: "41",
  key: "k",
  value: new TextEncoder().encode("{}"),
  headers: { ce_id: "e" },
  timestamp: 1,
};

describe("retry-topic records", () => {
  it("carry the original place, the attempts made and the due time, and read back as the original", () => {
    expect(retryTopicOf("orders")).toBe("orders.retry");
    const record = retryRecord(message, {
      topic: "orders.retry",
      attempts: 1,
      dueAt: 5_000,
      error: new TypeError("bad"),
    });
    expect(record).toMatchObject({ topic: "orders.retry", key: "k", value: message.value });
    const read: ConsumedMessage = {
      ...message,
      topic: "orders.retry",
      partition: 0,
      offset: "7",
      headers: record.headers ?? {},
    };
    expect(originOf(read)).toEqual({ topic: "orders", partition: 2, offset: "41" });
    expect(attemptsMade(read)).toBe(1);
    expect(dueAt(read)).toBe(5_000);
    expect(read.headers[RETRY_HEADER.error]).toBe("TypeError: bad");
    expect(asOriginal(read)).toEqual(message);
    // Sent back again: still the first place, the new count.
    const again = retryRecord(read, { topic: "orders.retry", attempts: 2, dueAt: 9_000, error: "x" });
    expect(again.headers).toMatchObject({ [RETRY_HEADER.originalOffset]: "41", [RETRY_HEADER.attempts]: "2" });
  });

  it("a record of the main topic is its own origin, with no attempts made and nothing to wait for", () => {
    expect(originOf(message)).toBe(message);
    expect(attemptsMade(message)).toBe(0);
    expect(dueAt(message)).toBe(0);
    const odd = { ...message, headers: { [RETRY_HEADER.attempts]: "-2", [RETRY_HEADER.dueAt]: "soon" } };
    expect(attemptsMade(odd)).toBe(0);
    expect(dueAt(odd)).toBe(0);
  });
});

describe("originOf", () => {
  it("needs all three original-place headers; any one missing: the record is its own origin", () => {
    const all = { retry_original_topic: "orders", retry_original_partition: "1", retry_original_offset: "9" };
    for (const missing of Object.keys(all)) {
      const headers = Object.fromEntries(Object.entries(all).filter(([name]) => name !== missing));
      const record = { ...message, topic: "orders.retry", headers };
      expect(originOf(record)).toBe(record);
    }
    expect(originOf({ ...message, headers: all })).toEqual({ topic: "orders", partition: 1, offset: "9" });
  });

  it("keeps the retry error short", () => {
    const record = retryRecord(message, { topic: "r", attempts: 1, dueAt: 0, error: "x".repeat(5_000) });
    expect(record.headers?.[RETRY_HEADER.error]).toHaveLength(2_000);
  });
});
