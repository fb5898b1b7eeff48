import { partitionForKey } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { anOrder, kafka, manualClock, runner, until } from "./test-kit.ts";

type K = Awaited<ReturnType<typeof kafka>>;
const committed = (k: K, topic: string, partition: number) => k.cluster.committed("orders_group", { topic, partition });
const records = (k: K, topic: string) => k.cluster.topics.get(topic)?.partitions.flat() ?? [];
const onPartition0 = Array.from({ length: 60 }, (_, i) => `customer-${i}`).filter(
  (key) => partitionForKey(key, 3) === 0,
);

describe("failure policies, on the in-memory cluster", () => {
  it("non-blocking retries: a failing key does not slow the other keys of its partition", async () => {
    const k = await kafka();
    const clock = manualClock();
    const [bad, ...good] = onPartition0 as [string, ...string[]];
    let badFixed = false;
    const handled: string[] = [];
    const r = runner(
      k,
      async (_e, ctx) => {
        if (ctx.key === bad && !badFixed) throw new Error("this customer's row is locked");
        handled.push(`${ctx.key}@${ctx.offset}`);
      },
      {},
      {
        clock,
        subscription: {
          ordering: "key",
          onFailure: { retryMode: "retry-topic", retries: 3, backoffMs: 1_000, maxBackoffMs: 8_000 },
        },
      },
    );
    await k.write(anOrder(0), bad);
    for (let i = 0; i < 20; i++) await k.write(anOrder(i + 1), good[i % good.length]);
    await k.write(anOrder(99), bad);
    await r.start();
    // No time passes: the bad event's retry is not due, yet everything behind it is handled and committed.
    await until(() => committed(k, "orders", 0) === 22n, "the partition committed to its end");
    expect(handled.filter((h) => !h.startsWith(`${bad}@`))).toHaveLength(20);
    expect(records(k, "orders.retry")).toHaveLength(2);
    expect(r.stats).toMatchObject({ sentToRetry: 2, deadLettered: 0 });
    // Due: read back from the retry topic and handled, first place kept.
    badFixed = true;
    await clock.advance(1_000);
    await until(() => handled.filter((h) => h.startsWith(`${bad}@`)).length === 2, "the retries handled");
    expect(handled.filter((h) => h.startsWith(`${bad}@`)).sort()).toEqual([`${bad}@0`, `${bad}@21`]);
    await until(() => r.partitions().every((p) => p.inFlight === 0), "nothing in flight");
    // The retry topic's partitions are the subscription's too, with their own lag series.
    await until(() => r.lagSamples().some((s) => s.topic === "orders.retry"), "the retry topic's lag");
    expect(new Set(r.lagSamples().map((s) => s.topic))).toEqual(new Set(["orders", "orders.retry"]));
    expect(r.lagSamples().every((s) => s.group === "orders_group")).toBe(true);
    await r.stop();
  });

  it("blocking retries under key ordering: other keys go on, the commit waits at the failing event", async () => {
    const k = await kafka();
    const clock = manualClock();
    const [bad, ...good] = onPartition0 as [string, ...string[]];
    let badFixed = false;
    let goodHandled = 0;
    const r = runner(
      k,
      async (_e, ctx) => {
        if (ctx.key === bad && !badFixed) throw new Error("locked");
        if (ctx.key !== bad) goodHandled++;
      },
      {},
      { clock, subscription: { ordering: "key", onFailure: { retries: 5, backoffMs: 1_000, maxBackoffMs: 1_000 } } },
    );
    await k.write(anOrder(0), bad);
    for (let i = 0; i < 10; i++) await k.write(anOrder(i + 1), good[i % good.length]);
    await r.start();
    await until(() => goodHandled === 10, "the other keys handled");
    expect(committed(k, "orders", 0)).toBeUndefined();
    badFixed = true;
    await clock.advance(1_000);
    await until(() => committed(k, "orders", 0) === 11n, "committed past everything");
    await r.stop();
  });

  it("stop: the partition holds at the failing event, shows in health, and moves on once the handler succeeds", async () => {
    const k = await kafka();
    const clock = manualClock();
    const [bad, other] = onPartition0 as [string, string];
    let fixed = false;
    const seen: string[] = [];
    const r = runner(
      k,
      async (_e, ctx) => {
        if (ctx.key === bad && !fixed) throw new Error("down");
        seen.push(ctx.offset);
      },
      {},
      {
        clock,
        subscription: { ordering: "key", onFailure: { retries: 0, whenExhausted: "stop", maxBackoffMs: 5_000 } },
      },
    );
    await k.write(anOrder(0), bad);
    await r.start();
    await until(() => r.health().stoppedPartitions.length === 1, "stopped");
    await k.write(anOrder(1), other);
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
    expect(r.health().stoppedPartitions).toEqual([{ topic: "orders", partition: 0 }]);
    fixed = true;
    await clock.advance(5_000);
    await until(() => committed(k, "orders", 0) === 2n, "both committed");
    expect(seen).toEqual(["0", "1"]);
    expect(r.health().stoppedPartitions).toEqual([]);
    expect(records(k, "orders.dlq")).toEqual([]);
    await r.stop();
  });

  it("stop: a stopped partition that goes away is given up, off the health list, and its next owner starts at the event", async () => {
    const k = await kafka();
    const clock = manualClock();
    const [bad] = onPartition0 as [string];
    const policy = { ordering: "key" as const, onFailure: { retries: 0, whenExhausted: "stop" as const } };
    const r = runner(
      k,
      async () => {
        throw new Error("down");
      },
      {},
      { clock, subscription: policy },
    );
    await k.write(anOrder(0), bad);
    await r.start();
    await until(() => r.health().stoppedPartitions.length === 1, "stopped");
    await r.stop();
    expect(r.health().stoppedPartitions).toEqual([]);
    expect(committed(k, "orders", 0)).toBeUndefined();
    expect(records(k, "orders.dlq")).toEqual([]);
    const seen: string[] = [];
    const next = runner(
      k,
      async (_e, ctx) => {
        seen.push(ctx.offset);
      },
      {},
      { clock, subscription: policy },
    );
    await next.start();
    await until(() => committed(k, "orders", 0) === 1n, "the next owner handled it");
    expect(seen).toEqual(["0"]);
    await next.stop();
  });

  it("a dead letter that can't be written holds the offset, shows in health and is written once Kafka takes it", async () => {
    const k = await kafka();
    const clock = manualClock();
    k.cluster.inject({ at: "send", kind: "unavailable", topic: "orders.dlq", times: 3 });
    const r = runner(
      k,
      async () => {
        throw new Error("broken");
      },
      {},
      { clock, subscription: { onFailure: { retries: 0, backoffMs: 100, maxBackoffMs: 100 } } },
    );
    const report = await k.write(anOrder(1));
    await r.start();
    await until(() => r.health().deadLetters.waiting === 1, "a letter waiting");
    expect(r.health().deadLetters.lastError).toMatch(/no connection/);
    expect(committed(k, "orders", report.partition)).toBeUndefined();
    for (let i = 0; i < 3; i++) await clock.advance(100);
    await until(() => committed(k, "orders", report.partition) === 1n, "committed after the letter");
    expect(r.stats).toMatchObject({ deadLetterWriteFailures: 3, deadLettered: 1 });
    expect(records(k, "orders.dlq")).toHaveLength(1);
    expect(r.health().deadLetters).toEqual({ waiting: 0, lastError: undefined });
    await r.stop();
  });

  it("shutdown during a retry's backoff: the worker stops at once, the event is left for the next owner", async () => {
    const k = await kafka();
    const clock = manualClock();
    const first = runner(
      k,
      async () => {
        throw new Error("down");
      },
      {},
      { clock, subscription: { onFailure: { retries: 10, backoffMs: 60_000, maxBackoffMs: 60_000 } } },
    );
    const report = await k.write(anOrder(1));
    await first.start();
    await until(() => clock.sleepers() === 1, "waiting to retry");
    await first.stop();
    expect(committed(k, "orders", report.partition)).toBeUndefined();
    expect(records(k, "orders.dlq")).toEqual([]);
    const handled: string[] = [];
    const second = runner(k, async (_e, ctx) => {
      handled.push(ctx.offset);
    });
    await second.start();
    await until(() => committed(k, "orders", report.partition) === 1n, "handled by the next owner");
    expect(handled).toEqual([report.offset]);
    await second.stop();
  });
});
