import { namespace } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { createConsumerMetrics } from "../metrics.ts";
import { Instruments } from "../runtime/instruments.ts";
import { kafka, manualClock } from "../test-kit.ts";
import { Abandoned, DeadLetterPublisher, ReliableWriter } from "./dead-letters.ts";

const turn = () => new Promise((resolve) => setImmediate(resolve));
const message: ConsumedMessage = {
  topic: "orders",
  partition: 0,
  offset: "3",
  key: "k",
  value: new TextEncoder().encode("{}"),
  headers: {},
  timestamp: 1,
};

async function setup() {
  const k = await kafka();
  const metrics = createConsumerMetrics(() => []);
  const instruments = new Instruments(metrics, { topic: "orders", group: "g" });
  const clock = manualClock();
  const writer = new ReliableWriter({
    producer: k.producer,
    clock,
    backoff: { backoffMs: 10, maxBackoffMs: 20 },
    instruments,
  });
  const publisher = new DeadLetterPublisher({
    writer,
    topic: namespace("").topic("orders.dlq"),
    group: "g",
    clock,
    instruments,
  });
  const letters = () => k.cluster.topics.get("orders.dlq")?.partitions.flat() ?? [];
  return { k, metrics, instruments, clock, writer, publisher, letters };
}

describe("dead-letter publishing", () => {
  it("a dead letter that can't be written is retried with backoff, counted, and shown as waiting until written", async () => {
    const s = await setup();
    s.k.cluster.inject({ at: "send", kind: "unavailable", topic: "orders.dlq", times: 2 });
    const abort = new AbortController();
    const done = s.publisher.publish(
      message,
      { reason: "handler-failed", error: new Error("x"), attempts: 3 },
      s.k.logger,
      abort.signal,
    );
    await turn();
    expect(s.writer.health()).toEqual({ waiting: 1, lastError: "no connection to the cluster" });
    expect(s.instruments.stats.deadLetterWriteFailures).toBe(1);
    await s.clock.advance(10);
    expect(s.instruments.stats.deadLetterWriteFailures).toBe(2);
    await s.clock.advance(20);
    await done;
    expect(s.letters()).toHaveLength(1);
    expect(s.writer.health()).toEqual({ waiting: 0, lastError: undefined });
    expect(s.instruments.stats.deadLettered).toBe(1);
    const text = await s.metrics.registry.getSingleMetricAsString("consumer_dead_letter_write_failures_total");
    expect(text).toContain('consumer_dead_letter_write_failures_total{topic="orders",group="g"} 2');
    expect(s.clock.delays).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it("gives up only when the partition goes away: Abandoned, nothing written, nothing counted as dead-lettered", async () => {
    const s = await setup();
    s.k.cluster.inject({ at: "send", kind: "unavailable", topic: "orders.dlq", times: 100 });
    const abort = new AbortController();
    const done = s.publisher.publish(
      message,
      { reason: "handler-failed", error: "x", attempts: 1 },
      s.k.logger,
      abort.signal,
    );
    await turn();
    abort.abort();
    await expect(done).rejects.toBeInstanceOf(Abandoned);
    expect(s.letters()).toEqual([]);
    expect(s.instruments.stats.deadLettered).toBe(0);
    expect(s.writer.health().waiting).toBe(0);
    const again = s.publisher.publish(
      message,
      { reason: "handler-failed", error: "x", attempts: 1 },
      s.k.logger,
      abort.signal,
    );
    await expect(again).rejects.toBeInstanceOf(Abandoned);
  });
});
