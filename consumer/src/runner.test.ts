import { defineTopic, healthTopic } from "@kafka-pair/shared/contracts";
import { namespace } from "@kafka-pair/shared/runtime";
import { describe, expect, it, vi } from "vitest";
import { DLQ_HEADER } from "./dead-letter.ts";
import type { Subscription } from "./handler.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { SubscriptionRunner } from "./runner.ts";
import { anOrder, kafka, runner, settings, until } from "./test-kit.ts";

const committedOf = (k: Awaited<ReturnType<typeof kafka>>, partition: number) =>
  k.cluster.committed("orders_group", { topic: "orders", partition });

const deadLetters = (k: Awaited<ReturnType<typeof kafka>>) =>
  k.cluster.topics.get("orders.dlq")?.partitions.flat() ?? [];

describe("SubscriptionRunner", () => {
  it("hands a valid event to the handler, then commits past it", async () => {
    const k = await kafka();
    const seen: unknown[] = [];
    const r = runner(k, async (event, ctx) => {
      seen.push(event);
      expect(ctx).toMatchObject({ topic: "orders", attempt: 1, offset: "0" });
    });
    const report = await k.write(anOrder(1));
    await r.start();
    await until(() => committedOf(k, report.partition) === 1n, "the commit past offset 0");
    expect(seen).toEqual([anOrder(1)]);
    expect(r.stats).toMatchObject({ processed: 1, failed: 0, retried: 0, deadLettered: 0 });
    expect(deadLetters(k)).toEqual([]);
    await r.stop();
  });

  it("retries a failing handler with a growing attempt number, and commits once it succeeds", async () => {
    const k = await kafka();
    const attempts: number[] = [];
    const r = runner(k, async (_event, { attempt }) => {
      attempts.push(attempt);
      if (attempt < 3) throw new Error("flaky");
    });
    const report = await k.write(anOrder(1));
    await r.start();
    await until(() => committedOf(k, report.partition) === 1n, "the commit");
    expect(attempts).toEqual([1, 2, 3]);
    expect(r.stats).toMatchObject({ processed: 1, failed: 2, retried: 2, deadLettered: 0 });
    expect(deadLetters(k)).toEqual([]);
    await r.stop();
  });

  it("dead-letters after maxRetries, then commits: the dead letter is written before the offset moves", async () => {
    const k = await kafka();
    let calls = 0;
    const r = runner(k, async () => {
      calls++;
      throw new Error("always broken");
    });
    const report = await k.write(anOrder(1));
    await r.start();
    await until(() => committedOf(k, report.partition) === 1n, "the commit");
    expect(calls).toBe(3);
    expect(r.stats).toMatchObject({ processed: 0, failed: 3, retried: 2, deadLettered: 1 });
    const [letter] = deadLetters(k);
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADER.reason]: "handler-failed",
      [DLQ_HEADER.attempts]: "3",
      [DLQ_HEADER.originalTopic]: "orders",
      [DLQ_HEADER.originalOffset]: "0",
      [DLQ_HEADER.group]: "orders_group",
    });
    expect(letter?.headers[DLQ_HEADER.error]).toContain("always broken");
    expect(letter?.key).toBe("k");
    const order = k.cluster.journal.filter((e) => e.topic === "orders.dlq" || e.op === "commit").map((e) => e.op);
    expect(order).toEqual(["append", "commit"]);
    await r.stop();
  });

  it("dead-letters a record that breaks the contract at once, without calling the handler", async () => {
    const k = await kafka();
    let calls = 0;
    const r = runner(k, async () => {
      calls++;
    });
    const report = await k.write("{not json");
    await r.start();
    await until(() => committedOf(k, report.partition) === 1n, "the commit");
    expect(calls).toBe(0);
    expect(r.stats).toMatchObject({ invalid: 1, deadLettered: 1, failed: 0 });
    expect(deadLetters(k)[0]?.headers).toMatchObject({
      [DLQ_HEADER.reason]: "contract-violation",
      [DLQ_HEADER.attempts]: "0",
      [DLQ_HEADER.errorCode]: "MALFORMED_JSON",
    });
  });

  it("keeps retrying the dead-letter write, and commits only once Kafka has it", async () => {
    const k = await kafka();
    k.cluster.inject({ at: "send", kind: "unavailable", topic: "orders.dlq", times: 3 });
    const r = runner(k, async () => {
      throw new Error("broken");
    });
    const report = await k.write(anOrder(1));
    await r.start();
    await until(() => committedOf(k, report.partition) === 1n, "the commit");
    expect(deadLetters(k)).toHaveLength(1);
    expect(k.cluster.takeFailure("send", "orders.dlq")).toBeUndefined();
    const order = k.cluster.journal.filter((e) => e.topic === "orders.dlq" || e.op === "commit").map((e) => e.op);
    expect(order).toEqual(["append", "commit"]);
  });

  it("commits per partition, each past its last handled record", async () => {
    const k = await kafka();
    const r = runner(k, async () => {});
    const reports = [];
    for (let i = 0; i < 12; i++) reports.push(await k.write(anOrder(i), `key-${i}`));
    await r.start();
    const last = new Map<number, bigint>();
    for (const rep of reports) last.set(rep.partition, BigInt(rep.offset) + 1n);
    expect(last.size).toBeGreaterThan(1);
    await until(() => [...last].every(([p, next]) => committedOf(k, p) === next), "every partition committed");
    expect(r.stats.processed).toBe(12);
    expect(r.partitions().map((p) => p.lag)).toEqual([0, 0, 0]);
    await r.stop();
  });

  it("retries a failed commit, and the offset gets there", async () => {
    const k = await kafka();
    k.cluster.inject({ at: "commit", kind: "unavailable" });
    // The committer's retry pause (200 ms) passes on a fake clock: no real-time wait here.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const r = runner(k, async () => {});
      const report = await k.write(anOrder(1));
      await r.start();
      for (let step = 0; step < 10 && committedOf(k, report.partition) !== 1n; step++)
        await vi.advanceTimersByTimeAsync(50);
      expect(committedOf(k, report.partition)).toBe(1n);
      expect(r.stats).toMatchObject({ processed: 1 });
      await r.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives up a message whose partition is revoked mid-retry: not committed, handled by the next owner", async () => {
    const k = await kafka();
    const first = runner(
      k,
      async () => {
        throw new Error("keeps failing");
      },
      { maxRetries: 1_000, retryBackoffMs: 5, retryMaxBackoffMs: 5 },
    );
    const report = await k.write(anOrder(1));
    await first.start();
    await until(() => first.stats.retried > 0, "a retry");
    await first.stop();
    expect(committedOf(k, report.partition)).toBeUndefined();
    expect(deadLetters(k)).toEqual([]);

    const handled: string[] = [];
    const second = runner(k, async (_event, ctx) => {
      handled.push(ctx.offset);
    });
    await second.start();
    await until(() => committedOf(k, report.partition) === 1n, "the next owner's commit");
    expect(handled).toEqual([report.offset]);
    await second.stop();
  });

  it("hands partitions over on a rebalance with a final commit, and each event is handled once", async () => {
    const k = await kafka();
    const handledBy: Record<string, string[]> = { a: [], b: [] };
    const a = runner(k, async (_e, ctx) => {
      handledBy.a?.push(`${ctx.partition}/${ctx.offset}`);
    });
    const b = runner(k, async (_e, ctx) => {
      handledBy.b?.push(`${ctx.partition}/${ctx.offset}`);
    });
    for (let i = 0; i < 9; i++) await k.write(anOrder(i), `key-${i}`);
    await a.start();
    await until(() => a.stats.processed === 9, "a handles the first nine");
    await b.start();
    expect(a.assignment().length + b.assignment().length).toBe(3);
    expect(b.assignment().length).toBeGreaterThan(0);
    for (let i = 9; i < 18; i++) await k.write(anOrder(i), `key-${i}`);
    await until(() => a.stats.processed + b.stats.processed === 18, "all eighteen");
    await b.stop();
    await a.stop();
    const all = [...(handledBy.a ?? []), ...(handledBy.b ?? [])];
    expect(new Set(all).size).toBe(18);
    expect(all).toHaveLength(18);
  });

  it("defaults to key ordering and CONSUMER_CONCURRENCY handler calls at once", async () => {
    const k = await kafka();
    const r = runner(k, async () => {}, { concurrency: 7 });
    expect(r.ordering).toBe("key");
    expect(r.maxInFlight).toBe(7);
    const own = runner(k, async () => {}, {}, { subscription: { ordering: "none", maxInFlight: 2 } });
    expect([own.ordering, own.maxInFlight]).toEqual(["none", 2]);
  });

  it("reports itself ready once joined", async () => {
    const k = await kafka();
    const r = runner(k, async () => {});
    expect(r.isReady()).toBe(false);
    await r.start();
    expect(r.isReady()).toBe(true);
    await r.stop();
  });

  it("without a dead-letter topic defaults to stopping the partition, and refuses a dead-letter policy", async () => {
    const k = await kafka();
    const contract = defineTopic({
      name: "no-dlq",
      description: "a topic without dead letters",
      schema: healthTopic.schema,
      encoding: "text",
      key: () => null,
      partitions: 1,
      replicationFactor: 1,
      eventType: "test.no-dlq",
    });
    const build = (onFailure?: Subscription["onFailure"]) =>
      new SubscriptionRunner({
        transport: k.transport,
        producer: k.producer,
        subscription: { contract, groupId: "g", fromBeginning: true, handle: async () => {}, onFailure },
        namespace: namespace(""),
        logger: k.logger,
        metrics: createConsumerMetrics(() => []),
        settings,
      });
    expect(build().failurePolicy.whenExhausted).toBe("stop");
    expect(() => build({ whenExhausted: "dead-letter" })).toThrow(/no-dlq.*declares no dead-letter topic/);
  });
});
