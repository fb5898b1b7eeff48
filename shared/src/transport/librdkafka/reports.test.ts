import { describe, expect, it } from "vitest";
import type { ProducerStats } from "../producer.ts";
import { parseStats, toDeliveryError, writableCluster } from "./reports.ts";

function stats(known: number, up: number): ProducerStats {
  const brokers = Array.from({ length: known }, (_, i) => ({
    name: `b${i}`,
    up: i < up,
    rttAvgMs: 1,
    txRetries: 0,
    txErrors: 0,
  }));
  return { queuedMessages: 0, queuedBytes: 0, brokersUp: up, brokers };
}

describe("writableCluster", () => {
  it("needs a majority of the cluster's brokers reachable", () => {
    expect(writableCluster(stats(3, 3))).toBe(true);
    expect(writableCluster(stats(3, 2))).toBe(true);
    expect(writableCluster(stats(3, 1))).toBe(false);
    expect(writableCluster(stats(3, 0))).toBe(false);
    expect(writableCluster(stats(5, 3))).toBe(true);
    expect(writableCluster(stats(4, 2))).toBe(false);
  });

  it("accepts the one broker of a single-node cluster", () => {
    expect(writableCluster(stats(1, 1))).toBe(true);
    expect(writableCluster(stats(1, 0))).toBe(false);
  });

  it("falls back to any broker up before metadata names the cluster's brokers", () => {
    expect(writableCluster({ ...stats(0, 0), brokersUp: 1 })).toBe(true);
    expect(writableCluster(stats(0, 0))).toBe(false);
  });
});

describe("toDeliveryError (librdkafka)", () => {
  const rd = (code: number, message = "broker said no") =>
    Object.assign(new Error(message), { code, errno: code, origin: "kafka" });

  it.each([
    [-184, "KAFKA_UNAVAILABLE", true, "local produce queue is full"],
    [-192, "DELIVERY_TIMEOUT", true, "delivery timed out; the record may or may not have been written"],
    [10, "PAYLOAD_TOO_LARGE", false, "record is larger than the topic accepts"],
    [-195, "DELIVERY_FAILED", true, "delivery failed: broker said no"],
  ])("maps code %i to %s (retriable: %s)", (code, expected, retriable, message) => {
    const err = rd(code);
    const mapped = toDeliveryError(err.code, err.message, err);
    expect(mapped).toMatchObject({ code: expected, retriable, message });
    expect(mapped.cause).toBe(err);
  });
});

describe("parseStats", () => {
  it("counts real brokers only and converts round trips to milliseconds", () => {
    const stats = parseStats(
      JSON.stringify({
        msg_cnt: 7,
        msg_size: 700,
        brokers: {
          "bootstrap:9092/bootstrap": { nodeid: -1, state: "UP" },
          "b1:9092/1": { nodeid: 1, state: "UP", rtt: { avg: 2500 }, txretries: 3, txerrs: 1 },
          "b2:9093/2": { nodeid: 2, state: "DOWN" },
        },
      }),
    );
    expect(stats).toEqual({
      queuedMessages: 7,
      queuedBytes: 700,
      brokersUp: 1,
      brokers: [
        { name: "b1:9092/1", up: true, rttAvgMs: 2.5, txRetries: 3, txErrors: 1 },
        { name: "b2:9093/2", up: false, rttAvgMs: 0, txRetries: 0, txErrors: 0 },
      ],
    });
    expect(parseStats("{}")).toEqual({ queuedMessages: 0, queuedBytes: 0, brokersUp: 0, brokers: [] });
  });
});
