import { ordersTopic } from "@kafka-pair/shared/contracts";
import { createLogger } from "@kafka-pair/shared/runtime";
import type { ConsumedMessage } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { Semaphore } from "../concurrency.ts";
import {
  BatchFailure,
  type BatchSubscription,
  type EventSubscription,
  type MessageContext,
  type Subscription,
} from "../handler.ts";
import { createConsumerMetrics } from "../metrics.ts";
import { RETRY_HEADER } from "../policies/retry-topic.ts";
import { anOrder } from "../test-kit.ts";
import { Instruments } from "./instruments.ts";
import { HandlerInvoker } from "./invoker.ts";

const utf8 = new TextEncoder();
const message = (offset: number, value: string = JSON.stringify(anOrder(offset))): ConsumedMessage => ({
  topic: "orders",
  partition: 2,
  offset: String(offset),
  key: `k${offset}`,
  value: utf8.encode(value),
  headers: {},
  timestamp: 1,
});

/** An invoker (one slot) for `subscription`, with its counters. */
function invokerFor(subscription: Subscription) {
  const instruments = new Instruments(
    createConsumerMetrics(() => []),
    { topic: "orders", group: "g" },
  );
  const invoker = new HandlerInvoker(subscription, createLogger("test", "silent"), instruments, new Semaphore(1));
  return { invoker, stats: instruments.stats };
}

const batchInvoker = (handleBatch: BatchSubscription["handleBatch"]) =>
  invokerFor({ contract: ordersTopic, groupId: "g", fromBeginning: true, handleBatch });

describe("HandlerInvoker with a batch handler", () => {
  it("hands the events and their messages over in order; a BatchFailure's indexes name the failed ones", async () => {
    const seen: Array<{ ids: string[]; offsets: string[]; partition: number; attempt: number }> = [];
    const { invoker, stats } = batchInvoker(async (events, ctx) => {
      seen.push({
        ids: events.map((e) => e.orderId),
        offsets: ctx.messages.map((m) => m.offset),
        partition: ctx.partition,
        attempt: ctx.attempt,
      });
      throw new BatchFailure([
        { index: 1, error: new Error("one") },
        { index: 7, error: new Error("not in the batch") },
        { index: -1, error: new Error("not in the batch") },
        { index: 0.5, error: new Error("not an index") },
      ]);
    });
    const batch = [message(0), message(1), message(2)].map((m) => invoker.prepare(m));
    const failed = await invoker.attemptBatch(batch, new AbortController().signal);
    expect([...failed.keys()]).toEqual([1]);
    expect((failed.get(1) as Error).message).toBe("one");
    expect(seen).toEqual([
      {
        ids: [anOrder(0).orderId, anOrder(1).orderId, anOrder(2).orderId],
        offsets: ["0", "1", "2"],
        partition: 2,
        attempt: 1,
      },
    ]);
    expect(stats).toMatchObject({ processed: 2, failed: 1 });
  });

  it("a BatchFailure index outside the batch names no event", async () => {
    const { invoker, stats } = batchInvoker(async () => {
      throw new BatchFailure([
        { index: 2, error: new Error("past the end") },
        { index: -1, error: new Error("before the start") },
        { index: 1, error: new Error("real") },
      ]);
    });
    const batch = [message(0), message(1)].map((m) => invoker.prepare(m));
    const failed = await invoker.attemptBatch(batch, new AbortController().signal);
    expect([...failed.keys()]).toEqual([1]);
    expect(stats).toMatchObject({ processed: 1, failed: 1 });
  });

  it("any other error fails every event of the batch", async () => {
    const { invoker, stats } = batchInvoker(async () => {
      throw new Error("bulk insert failed");
    });
    const batch = [message(0), message(1)].map((m) => invoker.prepare(m));
    const failed = await invoker.attemptBatch(batch, new AbortController().signal);
    expect([...failed.keys()]).toEqual([0, 1]);
    expect(stats).toMatchObject({ processed: 0, failed: 2 });
  });

  it("a retry of one event is a batch of one with its attempt number; its BatchFailure is its error", async () => {
    const attempts: number[] = [];
    const { invoker, stats } = batchInvoker(async (events, ctx) => {
      attempts.push(ctx.attempt);
      expect(events).toHaveLength(1);
      if (ctx.attempt === 2) throw new BatchFailure([{ index: 0, error: new Error("still") }]);
    });
    const one = invoker.prepare(message(5));
    const second = await invoker.attempt(one, 2, new AbortController().signal);
    expect(second).toMatchObject({ ok: false, error: new Error("still") });
    expect(await invoker.attempt(one, 3, new AbortController().signal)).toEqual({ ok: true });
    expect(attempts).toEqual([2, 3]);
    expect(stats).toMatchObject({ processed: 1, failed: 1 });
  });

  it("an empty batch calls nothing", async () => {
    let calls = 0;
    const { invoker } = batchInvoker(async () => {
      calls++;
    });
    expect((await invoker.attemptBatch([], new AbortController().signal)).size).toBe(0);
    expect(calls).toBe(0);
  });
});

describe("HandlerInvoker with a handler of one event", () => {
  const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  const headers = {
    ce_id: "evt-1",
    ce_source: "/orders",
    ce_type: "shop.order.placed",
    ce_specversion: "1.0",
    traceparent,
  };

  const singleInvoker = (handle: EventSubscription["handle"]) =>
    invokerFor({ contract: ordersTopic, groupId: "g", fromBeginning: true, handle });

  it("hands over the decoded event and its context, and counts the outcome", async () => {
    const seen: Array<{ event: unknown; context: MessageContext }> = [];
    const { invoker, stats } = singleInvoker(async (event, context) => {
      seen.push({ event, context });
    });
    const signal = new AbortController().signal;
    const prepared = invoker.prepare({ ...message(7), headers, timestamp: 1234 });
    expect(prepared.invalid).toBeUndefined();
    await expect(invoker.attempt(prepared, 2, signal)).resolves.toEqual({ ok: true });
    const [call] = seen;
    expect(call?.event).toEqual(anOrder(7));
    expect(call?.context).toMatchObject({
      topic: "orders",
      partition: 2,
      offset: "7",
      key: "k7",
      headers,
      timestamp: 1234,
      cloudEvent: { id: "evt-1", source: "/orders", type: "shop.order.placed", specversion: "1.0" },
      trace: { traceId: "0af7651916cd43dd8448eb211c80319c" },
      attempt: 2,
    });
    expect(call?.context.signal).toBe(signal);
    expect(stats).toMatchObject({ processed: 1, failed: 0, invalid: 0 });
  });

  it("a record breaking the contract is marked invalid (and counted) before any handler call", () => {
    const { invoker, stats } = singleInvoker(async () => {});
    const prepared = invoker.prepare(message(1, JSON.stringify({ orderId: 42 })));
    expect(prepared.invalid).toBeDefined();
    expect(prepared.event).toBeUndefined();
    expect(stats.invalid).toBe(1);
  });

  it("a handler that throws is a failed attempt with its error, counted; the invoker does not throw", async () => {
    const boom = new Error("row locked");
    const { invoker, stats } = singleInvoker(async () => {
      throw boom;
    });
    const result = await invoker.attempt(invoker.prepare(message(3)), 1, new AbortController().signal);
    expect(result).toEqual({ ok: false, error: boom });
    expect(stats).toMatchObject({ processed: 0, failed: 1 });
  });

  it("a retry-topic record's context names where the event was first read", async () => {
    const contexts: MessageContext[] = [];
    const { invoker } = singleInvoker(async (_e, context) => {
      contexts.push(context);
    });
    const retried = {
      ...message(0),
      topic: "orders.retry",
      partition: 0,
      headers: {
        [RETRY_HEADER.originalTopic]: "orders",
        [RETRY_HEADER.originalPartition]: "1",
        [RETRY_HEADER.originalOffset]: "41",
      },
    };
    const prepared = invoker.prepare(retried);
    expect(prepared.origin).toEqual({ topic: "orders", partition: 1, offset: "41" });
    await invoker.attempt(prepared, 2, new AbortController().signal);
    expect(contexts[0]).toMatchObject({ topic: "orders", partition: 1, offset: "41" });
  });
});
