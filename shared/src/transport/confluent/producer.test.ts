import { describe, expect, it } from "vitest";
import type { ProducerStats } from "../producer.ts";
import { writableCluster } from "./producer.ts";

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
