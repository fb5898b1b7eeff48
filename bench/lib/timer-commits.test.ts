import type { CommitPosition, ConsumerTransport, RebalanceListener } from "@kafka-pair/shared/transport";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimerCommitConsumer } from "./timer-commits.ts";

/** A port consumer that records the commits sent to it and lets the test play the rebalances. */
function inner() {
  const sent: CommitPosition[][] = [];
  let listener: RebalanceListener = {};
  let failNext = false;
  const consumer = {
    onRebalance: (l: RebalanceListener) => {
      listener = l;
    },
    connect: async () => {},
    disconnect: async () => {},
    commitMany: async (positions: CommitPosition[]) => {
      if (failNext) {
        failNext = false;
        throw new Error("coordinator moved");
      }
      sent.push(positions);
    },
  } as unknown as ConsumerTransport;
  return {
    consumer,
    sent,
    listener: () => listener,
    failOnce: () => {
      failNext = true;
    },
  };
}

const at = (partition: number, offset: string) => ({ topic: "t", partition, offset });

describe("timer commits (the bench's auto-commit baseline)", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stores commits and sends the newest per partition once per interval", async () => {
    const n = inner();
    const c = new TimerCommitConsumer(n.consumer, 5_000);
    await c.connect();
    await c.commitMany([at(0, "1"), at(1, "7")]);
    await c.commit(at(0, "3"));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(n.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(n.sent).toEqual([[at(0, "3"), at(1, "7")]]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(n.sent).toHaveLength(1);
    await c.disconnect();
  });

  it("sends a failed commit again at the next tick, unless a newer one was stored", async () => {
    const n = inner();
    const c = new TimerCommitConsumer(n.consumer, 100);
    await c.connect();
    await c.commitMany([at(0, "1"), at(1, "1")]);
    n.failOnce();
    await vi.advanceTimersByTimeAsync(100);
    expect(c.failures).toBe(1);
    await c.commit(at(1, "2"));
    await vi.advanceTimersByTimeAsync(100);
    expect(n.sent).toEqual([[at(0, "1"), at(1, "2")]]);
    await c.disconnect();
  });

  it("commits a revoked partition's stored offset after the listener, but not a lost one's", async () => {
    const n = inner();
    const c = new TimerCommitConsumer(n.consumer, 5_000);
    const order: string[] = [];
    c.onRebalance({
      onRevoke: async (partitions) => {
        order.push(`listener ${partitions.map((p) => p.partition).join(",")}`);
        await c.commitMany(partitions.map((p) => at(p.partition, "4")));
      },
    });
    await c.connect();
    await c.commitMany([at(1, "9"), at(2, "5")]);
    await n.listener().onRevoke?.([{ topic: "t", partition: 0 }], { lost: false });
    expect(order).toEqual(["listener 0"]);
    expect(n.sent).toEqual([[at(0, "4")]]);
    await n.listener().onRevoke?.([{ topic: "t", partition: 1 }], { lost: true });
    expect(n.sent).toHaveLength(1);
    // What is left (partition 2) goes on disconnect; the lost partition's offset never does.
    await c.disconnect();
    expect(n.sent).toEqual([[at(0, "4")], [at(2, "5")]]);
  });
});
