import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { committedOffset, linesAt, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { produceTransaction, useRawProducer } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// When offsets are committed: after the handler, in partition order, and on the way out.
describe("consumer offset commits", () => {
  const ns = useNamespace();
  const dir = tempDir("consumer-commits");
  let consumer: Worker;
  let admin: AdminTransport;
  let producer: Awaited<ReturnType<typeof useRawProducer>>;
  beforeAll(async () => {
    admin = await useAdmin();
    consumer = await startWorker("consumer", { KAFKA_NAMESPACE: ns.prefix, CONSUMER_HANDLERS: TEST_HANDLERS });
    producer = await useRawProducer();
  });

  const send = async (key: string, headers: Record<string, string> = {}) => {
    const order = anOrder({ orderId: key });
    const [at] = await producer.send(ns.topic("orders"), [{ key, value: JSON.stringify(order), headers }]);
    if (!at) throw new Error("not produced");
    return at;
  };

  it("commits nothing past an event until its handler returned, and keeps its partition waiting", async () => {
    const key = randomUUID();
    const before = await send(key);
    await eventually(async () =>
      (await committedOffset(admin, ns, before)) > BigInt(before.offset) ? true : undefined,
    );

    const release = join(dir, "release-blocked");
    const blocked = await send(key, { [TEST_HEADER.blockUntil]: release });
    const next = await send(key);
    expect(next.partition).toBe(blocked.partition);
    await eventually(() => linesAt(consumer, blocked, "blocked")[0], 30_000, "handler to block");

    // The handler is running: the group still points at the blocked event, the next one waits.
    expect(await committedOffset(admin, ns, blocked)).toBe(BigInt(blocked.offset));
    expect(linesAt(consumer, next, "handling")).toHaveLength(0);
    // Lag is the fetcher's end offset minus the committed offset: once the fetcher has seen
    // `next`, exactly the blocked event and `next` are outstanding on that partition; once it
    // handed `next` out, both are in flight (one in its handler, one waiting for its key's turn).
    const partition = await eventually(async () => {
      const status = await readJson(await fetch(`${consumer.url}/status`));
      const p = status.groups[0].partitions.find((q: { partition: number }) => q.partition === blocked.partition);
      return p?.highWatermark !== undefined && BigInt(p.highWatermark) > BigInt(next.offset) && p.inFlight === 2
        ? p
        : undefined;
    });
    expect(partition).toMatchObject({ committed: blocked.offset, lag: 2, inFlight: 2 });
    expect(linesAt(consumer, next, "handling")).toHaveLength(0);

    writeFileSync(release, "");
    await eventually(async () => ((await committedOffset(admin, ns, next)) > BigInt(next.offset) ? true : undefined));
    const processed = consumer.logs.filter((l) => l.msg === "processed" && l.partition === blocked.partition);
    const order = processed.map((l) => l.offset);
    expect(order.indexOf(blocked.offset)).toBeLessThan(order.indexOf(next.offset));
  });

  it("hands the handler the CloudEvents attributes and trace context from the headers", async () => {
    const at = await send(randomUUID(), {
      ce_id: "evt-123",
      ce_source: "/tests",
      ce_type: "dev.kafka-pair.order.placed",
      ce_specversion: "1.0",
      ce_time: new Date().toISOString(),
      traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    });
    const line = await eventually(() => linesAt(consumer, at, "processed")[0]);
    expect(line.eventId).toBe("evt-123");
    expect(line.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  it("exposes per-topic counters, commit latency and lag on GET /metrics", async () => {
    const res = await fetch(`${consumer.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/consumer_events_processed_total\{topic="orders",group="orders_group"\} [1-9]/);
    expect(text).toMatch(/consumer_commit_duration_seconds_count\{group="orders_group"\} [1-9]/);
    expect(text).toMatch(/consumer_lag\{topic="orders",group="orders_group",partition="\d"\} \d+/);
    expect(text).toMatch(/consumer_handler_duration_seconds_bucket/);
  });

  it("reads a lag of 0 once a transaction's events are processed (committed past the commit marker)", async () => {
    const key = randomUUID();
    const orders = [anOrder({ orderId: key }), anOrder({ orderId: key })];
    const processedBefore = consumer.logs.filter((l) => l.msg === "processed").length;
    await produceTransaction(
      ns.topic("orders"),
      orders.map((order) => ({ key, value: JSON.stringify(order) })),
      "commit",
    );
    const lags = await eventually(
      async () => {
        const status = await readJson(await fetch(`${consumer.url}/status`));
        const partitions: Array<{ partition: number; lag?: number; highWatermark?: string }> =
          status.groups[0].partitions;
        const written = partitions.filter((p) => p.highWatermark !== undefined && p.highWatermark !== "0");
        const processed = consumer.logs.filter((l) => l.msg === "processed").length - processedBefore;
        // Before the fix the transaction's partition stayed at lag 1 for good: its commit marker.
        return processed >= orders.length && written.length > 0 && written.every((p) => p.lag === 0)
          ? written
          : undefined;
      },
      30_000,
      "lag 0 on every partition",
    );
    expect(lags.every((p) => p.lag === 0)).toBe(true);
  });

  it("on SIGTERM finishes the event in hand, commits it, and exits 0", async () => {
    const at = await send(randomUUID(), { [TEST_HEADER.sleepMs]: "1500" });
    await eventually(() => linesAt(consumer, at, "handling")[0], 30_000, "handler to start");
    expect(await consumer.stop("SIGTERM")).toBe(0);
    expect(linesAt(consumer, at, "processed")).toHaveLength(1);
    expect(await committedOffset(admin, ns, at)).toBe(BigInt(at.offset) + 1n);
    expect(consumer.logs.some((l) => l.msg === "consumer stopped")).toBe(true);
  });
});
