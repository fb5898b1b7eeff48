import { defineTopic, healthTopic, ordersTopic, type TopicContract } from "@kafka-pair/shared/contracts";
import { namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { Semaphore } from "../concurrency.ts";
import { DLQ_HEADER } from "../dead-letter.ts";
import { createConsumerMetrics } from "../metrics.ts";
import { Instruments } from "../runtime/instruments.ts";
import { HandlerInvoker } from "../runtime/invoker.ts";
import { anOrder, type Handle, kafka, manualClock, ordersSubscription } from "../test-kit.ts";
import { Abandoned, DeadLetterPublisher, ReliableWriter } from "./dead-letters.ts";
import { type FailurePolicyOptions, failureStrategy, resolveFailurePolicy } from "./failure.ts";
import { RETRY_HEADER } from "./retry-topic.ts";

const defaults = { maxRetries: 2, retryBackoffMs: 10, retryMaxBackoffMs: 40 };
const utf8 = new TextEncoder();
const turn = () => new Promise((resolve) => setImmediate(resolve));

function message(overrides: Partial<ConsumedMessage> = {}): ConsumedMessage {
  return {
    topic: "orders",
    partition: 1,
    offset: "5",
    key: "k",
    value: utf8.encode(JSON.stringify(anOrder(1))),
    headers: { ce_id: "e-1" },
    timestamp: 7,
    ...overrides,
  };
}

async function setup(options: FailurePolicyOptions, handle: Handle) {
  const k = await kafka();
  await provisionTopics(k.transport, [{ ...ordersTopic, name: "orders.retry" }], namespace(""), k.logger);
  const instruments = new Instruments(
    createConsumerMetrics(() => []),
    { topic: "orders", group: "g" },
  );
  const invoker = new HandlerInvoker(ordersSubscription(handle), k.logger, instruments, new Semaphore(4));
  const clock = manualClock();
  const writer = new ReliableWriter({
    producer: k.producer,
    clock,
    backoff: { backoffMs: 10, maxBackoffMs: 40 },
    instruments,
  });
  const deadLetters = new DeadLetterPublisher({ writer, topic: "orders.dlq", group: "g", clock, instruments });
  const halts: boolean[] = [];
  const policy = resolveFailurePolicy(ordersTopic, options, defaults);
  const strategy = failureStrategy({
    policy,
    invoker,
    clock,
    instruments,
    deadLetters,
    halt: (_tp, halted) => halts.push(halted),
    retryTopic: { topic: "orders.retry", writer },
  });
  const abort = new AbortController();
  const handleOne = (m: ConsumedMessage) => strategy.handle(invoker.prepare(m), abort.signal);
  const records = (topic: string) => k.cluster.topics.get(topic)?.partitions.flat() ?? [];
  return { k, clock, writer, instruments, halts, abort, handleOne, records, stats: instruments.stats };
}

describe("resolveFailurePolicy", () => {
  const noDlq = defineTopic({ ...healthTopic, name: "no-dlq", deadLetter: undefined });

  it("fills the defaults from the settings, dead-letter when the contract has a dead-letter topic", () => {
    expect(resolveFailurePolicy(ordersTopic, undefined, defaults)).toEqual({
      retries: 2,
      backoffMs: 10,
      maxBackoffMs: 40,
      retryMode: "blocking",
      whenExhausted: "dead-letter",
    });
    expect(resolveFailurePolicy(noDlq, {}, defaults).whenExhausted).toBe("stop");
    expect(resolveFailurePolicy(ordersTopic, { retries: 0, whenExhausted: "stop" }, defaults)).toMatchObject({
      retries: 0,
      whenExhausted: "stop",
    });
  });

  it("refuses what could drop an event or contradict itself", () => {
    const refused = (contract: TopicContract, options: FailurePolicyOptions) => () =>
      resolveFailurePolicy(contract, options, defaults);
    expect(refused(noDlq, { whenExhausted: "dead-letter" })).toThrow(/declares no dead-letter topic/);
    expect(refused(ordersTopic, { retryMode: "retry-topic", whenExhausted: "stop" })).toThrow(/needs whenExhausted/);
    expect(refused(ordersTopic, { retryMode: "retry-topic", retries: 0 })).toThrow(/retries >= 1/);
    expect(refused(ordersTopic, { retries: -1 })).toThrow(/retries must be/);
    expect(refused(ordersTopic, { retries: 1.5 })).toThrow(/retries must be/);
    expect(refused(ordersTopic, { backoffMs: 50, maxBackoffMs: 10 })).toThrow(/maxBackoffMs/);
    expect(refused(ordersTopic, { backoffMs: -1 })).toThrow(/backoffMs/);
  });
});

describe("blocking retries", () => {
  it("retries with growing backoff and stops once the handler succeeds", async () => {
    const attempts: number[] = [];
    const s = await setup({}, async (_e, ctx) => {
      attempts.push(ctx.attempt);
      if (ctx.attempt < 3) throw new Error("flaky");
    });
    const done = s.handleOne(message());
    await turn();
    expect(attempts).toEqual([1]);
    await s.clock.advance(10);
    expect(attempts).toEqual([1, 2]);
    await s.clock.advance(20);
    await done;
    expect(attempts).toEqual([1, 2, 3]);
    expect(s.clock.delays.every((d, i) => d >= 5 * 2 ** i && d <= 10 * 2 ** i)).toBe(true);
    expect(s.stats).toMatchObject({ processed: 1, failed: 2, retried: 2, deadLettered: 0 });
  });

  it("dead-letters once retries are spent, with the original place and the attempts made", async () => {
    const s = await setup({ retries: 1 }, async () => {
      throw new Error("always");
    });
    const done = s.handleOne(message());
    await turn();
    await s.clock.advance(10);
    await done;
    const [letter] = s.records("orders.dlq");
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADER.reason]: "handler-failed",
      [DLQ_HEADER.attempts]: "2",
      [DLQ_HEADER.originalOffset]: "5",
      [DLQ_HEADER.originalPartition]: "1",
      ce_id: "e-1",
    });
    expect(s.stats).toMatchObject({ failed: 2, retried: 1, deadLettered: 1 });
  });

  it("sends a record that breaks the contract to the dead letters at once", async () => {
    let calls = 0;
    const s = await setup({}, async () => {
      calls++;
    });
    await s.handleOne(message({ value: utf8.encode("{nope") }));
    expect(calls).toBe(0);
    expect(s.records("orders.dlq")[0]?.headers[DLQ_HEADER.reason]).toBe("contract-violation");
    expect(s.stats).toMatchObject({ invalid: 1, deadLettered: 1 });
  });

  it("is abandoned when the partition goes away while waiting to retry (shutdown during a retry)", async () => {
    const s = await setup({ retries: 5 }, async () => {
      throw new Error("down");
    });
    const done = s.handleOne(message());
    await turn();
    expect(s.clock.sleepers()).toBe(1);
    s.abort.abort(new Error("revoked"));
    await expect(done).rejects.toBeInstanceOf(Abandoned);
    expect(s.records("orders.dlq")).toEqual([]);
  });

  it("is abandoned, not retried, when the handler fails because the partition went away", async () => {
    let calls = 0;
    const s = await setup({}, async (_e, ctx) => {
      calls++;
      s.abort.abort();
      throw ctx.signal.reason;
    });
    await expect(s.handleOne(message())).rejects.toBeInstanceOf(Abandoned);
    expect(calls).toBe(1);
    expect(s.stats.retried).toBe(0);
  });

  it("stop: holds the partition at the event, retries at the capped backoff, releases it once it succeeds", async () => {
    let healthy = false;
    const s = await setup({ retries: 1, whenExhausted: "stop" }, async () => {
      if (!healthy) throw new Error("db down");
    });
    const done = s.handleOne(message());
    await turn();
    await s.clock.advance(10);
    expect(s.halts).toEqual([true]);
    await s.clock.advance(40);
    await s.clock.advance(40);
    expect(s.stats.failed).toBe(4);
    healthy = true;
    await s.clock.advance(40);
    await done;
    expect(s.halts).toEqual([true, false]);
    expect(s.records("orders.dlq")).toEqual([]);
    expect(s.stats.processed).toBe(1);
  });

  it("stop: a partition given up while stopped is released and its event abandoned", async () => {
    const s = await setup({ retries: 0, whenExhausted: "stop" }, async () => {
      throw new Error("db down");
    });
    const done = s.handleOne(message());
    await turn();
    s.abort.abort();
    await expect(done).rejects.toBeInstanceOf(Abandoned);
    expect(s.halts).toEqual([true, false]);
  });
});

describe("retry-topic retries (non-blocking)", () => {
  it("sends a failed event to the retry topic with a due time and moves on", async () => {
    const s = await setup({ retryMode: "retry-topic", retries: 2 }, async () => {
      throw new Error("later");
    });
    await s.handleOne(message());
    const [record] = s.records("orders.retry");
    expect(record?.key).toBe("k");
    expect(record?.headers).toMatchObject({
      [RETRY_HEADER.attempts]: "1",
      [RETRY_HEADER.originalTopic]: "orders",
      [RETRY_HEADER.originalPartition]: "1",
      [RETRY_HEADER.originalOffset]: "5",
      ce_id: "e-1",
    });
    const due = Number(record?.headers[RETRY_HEADER.dueAt]) - s.clock.now();
    expect(due).toBeGreaterThanOrEqual(5);
    expect(due).toBeLessThanOrEqual(10);
    expect(s.stats).toMatchObject({ failed: 1, sentToRetry: 1, deadLettered: 0 });
  });

  it("waits until a retry record is due, calls the handler with the next attempt and the original place", async () => {
    const seen: Array<{ attempt: number; offset: string; partition: number }> = [];
    const s = await setup({ retryMode: "retry-topic", retries: 3 }, async (_e, ctx) => {
      seen.push({ attempt: ctx.attempt, offset: ctx.offset, partition: ctx.partition });
    });
    const headers = {
      [RETRY_HEADER.attempts]: "2",
      [RETRY_HEADER.dueAt]: String(s.clock.now() + 30),
      [RETRY_HEADER.originalTopic]: "orders",
      [RETRY_HEADER.originalPartition]: "1",
      [RETRY_HEADER.originalOffset]: "5",
    };
    const done = s.handleOne(message({ topic: "orders.retry", partition: 2, offset: "0", headers }));
    await turn();
    expect(seen).toEqual([]);
    await s.clock.advance(30);
    await done;
    expect(seen).toEqual([{ attempt: 3, offset: "5", partition: 1 }]);
  });

  it("dead-letters a retry record once retries are spent, naming where the event was first read", async () => {
    const s = await setup({ retryMode: "retry-topic", retries: 2 }, async () => {
      throw new Error("still");
    });
    const headers = {
      [RETRY_HEADER.attempts]: "2",
      [RETRY_HEADER.dueAt]: "0",
      [RETRY_HEADER.originalTopic]: "orders",
      [RETRY_HEADER.originalPartition]: "1",
      [RETRY_HEADER.originalOffset]: "5",
    };
    await s.handleOne(message({ topic: "orders.retry", partition: 2, offset: "9", headers }));
    const [letter] = s.records("orders.dlq");
    expect(letter?.headers).toMatchObject({
      [DLQ_HEADER.attempts]: "3",
      [DLQ_HEADER.originalTopic]: "orders",
      [DLQ_HEADER.originalPartition]: "1",
      [DLQ_HEADER.originalOffset]: "5",
    });
    expect(Object.keys(letter?.headers ?? {}).some((h) => h.startsWith("retry_"))).toBe(false);
    expect(s.records("orders.retry")).toEqual([]);
  });

  it("is abandoned when the partition goes away before the retry is due", async () => {
    const s = await setup({ retryMode: "retry-topic" }, async () => {});
    const headers = { [RETRY_HEADER.attempts]: "1", [RETRY_HEADER.dueAt]: String(s.clock.now() + 1_000) };
    const done = s.handleOne(message({ topic: "orders.retry", headers }));
    await turn();
    s.abort.abort();
    await expect(done).rejects.toBeInstanceOf(Abandoned);
  });
});

describe("a record breaking the contract, with no dead-letter topic", () => {
  it("stops its partition until the partition goes away, and is abandoned then", async () => {
    const k = await kafka();
    const noDlq = defineTopic({ ...ordersTopic, name: "orders-no-dlq", deadLetter: undefined });
    const instruments = new Instruments(
      createConsumerMetrics(() => []),
      { topic: "orders", group: "g" },
    );
    let calls = 0;
    const subscription = {
      ...ordersSubscription(async () => {
        calls++;
      }),
      contract: noDlq,
    };
    const invoker = new HandlerInvoker(subscription, k.logger, instruments, new Semaphore(1));
    const halts: boolean[] = [];
    const strategy = failureStrategy({
      policy: resolveFailurePolicy(noDlq, {}, defaults),
      invoker,
      clock: manualClock(),
      instruments,
      deadLetters: undefined,
      halt: (_tp, halted) => halts.push(halted),
    });
    const abort = new AbortController();
    const done = strategy.handle(invoker.prepare(message({ value: utf8.encode("{nope") })), abort.signal);
    await turn();
    expect(halts).toEqual([true]);
    abort.abort();
    await expect(done).rejects.toBeInstanceOf(Abandoned);
    expect(halts).toEqual([true, false]);
    expect(calls).toBe(0);
    const late = strategy.handle(invoker.prepare(message({ value: utf8.encode("{nope") })), abort.signal);
    await expect(late).rejects.toBeInstanceOf(Abandoned);
  });
});

describe("retry-topic boundaries", () => {
  it("the last retry goes back to the retry topic; only the one after it is dead-lettered; a record due now waits for nothing", async () => {
    const s = await setup({ retryMode: "retry-topic", retries: 2 }, async () => {
      throw new Error("no");
    });
    const retried = (attempts: number) =>
      message({
        topic: "orders.retry",
        headers: {
          [RETRY_HEADER.attempts]: String(attempts),
          [RETRY_HEADER.dueAt]: String(s.clock.now()),
          [RETRY_HEADER.originalTopic]: "orders",
          [RETRY_HEADER.originalPartition]: "1",
          [RETRY_HEADER.originalOffset]: "5",
        },
      });
    await s.handleOne(retried(1));
    expect(s.records("orders.retry")).toHaveLength(1);
    expect(s.records("orders.retry")[0]?.headers[RETRY_HEADER.attempts]).toBe("2");
    expect(s.records("orders.dlq")).toEqual([]);
    await s.handleOne(retried(2));
    expect(s.records("orders.retry")).toHaveLength(1);
    expect(s.records("orders.dlq")).toHaveLength(1);
    expect(s.clock.delays).toEqual([]);
  });

  it("a record breaking the contract read from the retry topic is dead-lettered at once", async () => {
    let calls = 0;
    const s = await setup({ retryMode: "retry-topic" }, async () => {
      calls++;
    });
    await s.handleOne(
      message({ topic: "orders.retry", value: utf8.encode("nope"), headers: { [RETRY_HEADER.attempts]: "1" } }),
    );
    expect(calls).toBe(0);
    expect(s.records("orders.dlq")).toHaveLength(1);
  });
});
