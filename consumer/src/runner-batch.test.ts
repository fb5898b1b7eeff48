import { partitionForKey } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { type BatchContext, BatchFailure } from "./handler.ts";
import { anOrder, batchRunner, kafka, manualClock, runner, until } from "./test-kit.ts";

type K = Awaited<ReturnType<typeof kafka>>;
const committed = (k: K, partition: number) => k.cluster.committed("orders_group", { topic: "orders", partition });
const letters = (k: K) => k.cluster.topics.get("orders.dlq")?.partitions.flat() ?? [];
const keys = Array.from({ length: 60 }, (_, i) => `customer-${i}`).filter((key) => partitionForKey(key, 3) === 0);

async function writeOnPartition0(k: K, count: number) {
  for (let i = 0; i < count; i++) await k.write(anOrder(i), keys[i % keys.length]);
}

describe("batch handlers, on the in-memory cluster", () => {
  it("hands a partition's events over in batches of at most maxEvents, in offset order, and commits them", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 7);
    const calls: Array<{ partition: number; offsets: string[] }> = [];
    const r = batchRunner(
      k,
      async (events, ctx) => {
        expect(events).toHaveLength(ctx.messages.length);
        calls.push({ partition: ctx.partition, offsets: ctx.messages.map((m) => m.offset) });
      },
      { maxEvents: 3, maxWaitMs: 1_000 },
      {},
      { clock: manualClock() },
    );
    await r.start();
    await until(() => calls.length === 2, "two full batches");
    expect(calls).toEqual([
      { partition: 0, offsets: ["0", "1", "2"] },
      { partition: 0, offsets: ["3", "4", "5"] },
    ]);
    await until(() => committed(k, 0) === 6n, "the full batches committed");
    expect(r.stats.processed).toBe(6);
    await r.stop();
  });

  it("hands a batch over maxWaitMs after its first event, full or not", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 2);
    const clock = manualClock();
    const calls: string[][] = [];
    const r = batchRunner(
      k,
      async (_events, ctx) => {
        calls.push(ctx.messages.map((m) => m.offset));
      },
      { maxEvents: 100, maxWaitMs: 50 },
      {},
      { clock },
    );
    await r.start();
    await until(() => r.partitions().some((p) => p.inFlight === 2), "both received");
    expect(calls).toEqual([]);
    await clock.advance(50);
    await until(() => committed(k, 0) === 2n, "the batch committed");
    expect(calls).toEqual([["0", "1"]]);
    await r.stop();
  });

  it("a failure names the failed events: the others are committed, a failed one is retried alone and dead-lettered", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 4);
    const clock = manualClock();
    const contexts: BatchContext[] = [];
    const r = batchRunner(
      k,
      async (_events, ctx) => {
        contexts.push(ctx);
        const failed = ctx.messages.flatMap((m, index) =>
          m.offset === "1" ? [{ index, error: new Error(`row ${m.offset} refused`) }] : [],
        );
        if (failed.length > 0) throw new BatchFailure(failed);
      },
      { maxEvents: 4, maxWaitMs: 1_000 },
      {},
      { clock, subscription: { onFailure: { retries: 1, backoffMs: 100, maxBackoffMs: 100 } } },
    );
    await r.start();
    await until(() => contexts.length === 1, "the batch");
    // Offset 0 is committed; 2 and 3 are done but wait behind the failed 1.
    await until(() => committed(k, 0) === 1n, "the prefix committed");
    await clock.advance(100);
    await until(() => committed(k, 0) === 4n, "committed once the failed one is dead-lettered");
    expect(contexts.map((c) => [c.attempt, c.messages.map((m) => m.offset)])).toEqual([
      [1, ["0", "1", "2", "3"]],
      [2, ["1"]],
    ]);
    expect(letters(k).map((l) => l.headers.dlq_original_offset)).toEqual(["1"]);
    expect(r.stats).toMatchObject({ processed: 3, failed: 2, deadLettered: 1 });
    await r.stop();
  });

  it("without batch options, a batch holds up to 100 events", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 101);
    const sizes: number[] = [];
    const r = batchRunner(
      k,
      async (events) => {
        sizes.push(events.length);
      },
      undefined,
      { maxBufferedPerPartition: 200 },
      { clock: manualClock() },
    );
    await r.start();
    await until(() => sizes.length === 1, "the first batch");
    expect(sizes).toEqual([100]);
    await r.stop();
  });

  it("failed events of a batch follow the policy in offset order, whatever order the failure names them in", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 3);
    const clock = manualClock();
    const retried: string[] = [];
    const r = batchRunner(
      k,
      async (_events, ctx) => {
        if (ctx.attempt > 1) {
          retried.push(...ctx.messages.map((m) => m.offset));
          return;
        }
        throw new BatchFailure([
          { index: 2, error: new Error("row 2 refused") },
          { index: 0, error: new Error("row 0 refused") },
        ]);
      },
      { maxEvents: 3, maxWaitMs: 1_000 },
      {},
      { clock, subscription: { onFailure: { retries: 1, backoffMs: 100, maxBackoffMs: 100 } } },
    );
    await r.start();
    await until(async () => {
      await clock.advance(100);
      return committed(k, 0) === 3n;
    }, "both retried and committed");
    expect(retried).toEqual(["0", "2"]);
    await r.stop();
  });

  it("non-blocking retries: a failed event of a batch goes to the retry topic, and comes back alone with its attempt", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 3);
    const clock = manualClock();
    const calls: Array<{ attempt: number; offsets: string[] }> = [];
    let fixed = false;
    const r = batchRunner(
      k,
      async (_events, ctx) => {
        calls.push({ attempt: ctx.attempt, offsets: ctx.messages.map((m) => m.offset) });
        if (fixed) return;
        const index = ctx.messages.findIndex((m) => m.offset === "1");
        if (index >= 0) throw new BatchFailure([{ index, error: new Error("row 1 locked") }]);
      },
      { maxEvents: 3, maxWaitMs: 1_000 },
      {},
      {
        clock,
        subscription: { onFailure: { retryMode: "retry-topic", retries: 2, backoffMs: 1_000, maxBackoffMs: 1_000 } },
      },
    );
    await r.start();
    // The partition moves past the failed event at once.
    await until(() => committed(k, 0) === 3n, "the batch committed");
    expect(k.cluster.topics.get("orders.retry")?.partitions.flat()).toHaveLength(1);
    fixed = true;
    await clock.advance(1_000);
    await until(() => calls.length === 2, "the retry handled");
    // Read back from the retry topic: not gathered into a batch, a batch of one with its attempt and first place.
    expect(calls).toEqual([
      { attempt: 1, offsets: ["0", "1", "2"] },
      { attempt: 2, offsets: ["1"] },
    ]);
    expect(r.stats).toMatchObject({ sentToRetry: 1, deadLettered: 0 });
    await r.stop();
  });

  it("a batch handler that throws anything else failed every event: each is retried alone", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 3);
    const sizes: number[] = [];
    const clock = manualClock();
    const r = batchRunner(
      k,
      async (events) => {
        sizes.push(events.length);
        if (events.length > 1) throw new Error("bulk insert failed");
      },
      { maxEvents: 3, maxWaitMs: 1_000 },
      {},
      { clock },
    );
    await r.start();
    await until(async () => {
      await clock.advance(2);
      return committed(k, 0) === 3n;
    }, "each retried alone, then committed");
    expect(sizes).toEqual([3, 1, 1, 1]);
    await r.stop();
  });

  it("a record breaking the contract is dead-lettered and not handed to handleBatch", async () => {
    const k = await kafka();
    await k.write(anOrder(0), keys[0]);
    await k.write("{oops", keys[0]);
    await k.write(anOrder(2), keys[0]);
    const offsets: string[][] = [];
    const r = batchRunner(
      k,
      async (_events, ctx) => {
        offsets.push(ctx.messages.map((m) => m.offset));
      },
      { maxEvents: 3, maxWaitMs: 1_000 },
      {},
      { clock: manualClock() },
    );
    await r.start();
    await until(() => committed(k, 0) === 3n, "all three committed");
    expect(offsets).toEqual([["0", "2"]]);
    expect(letters(k)).toHaveLength(1);
    await r.stop();
  });

  it("events still gathering when the partition goes away are left to the next owner", async () => {
    const k = await kafka();
    await writeOnPartition0(k, 2);
    const first = batchRunner(k, async () => {}, { maxEvents: 10, maxWaitMs: 60_000 }, {}, { clock: manualClock() });
    await first.start();
    await until(() => first.partitions().some((p) => p.inFlight === 2), "gathering");
    await first.stop();
    expect(committed(k, 0)).toBeUndefined();
    const seen: string[] = [];
    const next = runner(k, async (_e, ctx) => {
      seen.push(ctx.offset);
    });
    await next.start();
    await until(() => committed(k, 0) === 2n, "the next owner's commit");
    expect(seen).toEqual(["0", "1"]);
    await next.stop();
  });
});
