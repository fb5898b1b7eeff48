import { randomUUID } from "node:crypto";
import { ordersConfirmedTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import { createLogger } from "@kafka-pair/shared/log";
import { provisionTopics } from "@kafka-pair/shared/startup";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { GROUP } from "../helpers/consumer.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, testTransport, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { readTopic, useRawProducer } from "../helpers/records.ts";
import { type Runtime, startWorker, type Worker } from "../helpers/workers.ts";

const WAVES = 5;
const PER_WAVE = 60;
const N = WAVES * PER_WAVE;

/**
 * One consumer run per wave, each killed from inside with SIGKILL at a point CONSUMER_CRASH_AT
 * names (the odds make the place in the stream random): in the handler, between the database
 * commit and Kafka's, inside an open Kafka transaction, right after it; then a last run with no crash.
 */
const RUNS = ["handler=0.03", "after-store=1", "in-transaction=1", "after-transaction=1", "after-store=0.05"];

// The shipped `orders` subscription is exactly-once with the worker's database (the spec file's
// SQLite): each order stored once in `orders` and confirmed once on orders.confirmed, whatever the
// kills, as read_committed readers see it.
describe.each(["node", "deno"] as Runtime[])("exactly-once orders under kill -9 (%s)", (runtime) => {
  const ns = useNamespace();
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    // The first wave goes out before any consumer has provisioned the topics.
    await provisionTopics(testTransport(), [ordersTopic, ordersConfirmedTopic], ns, createLogger("test", "warn"));
  });

  it("stores and confirms every order exactly once and ends with the group's offsets at the end", {
    timeout: 400_000,
  }, async () => {
    const producer = await useRawProducer();
    // A dead member is noticed after the session timeout: short, so each restart takes its partitions soon.
    const env = { KAFKA_NAMESPACE: ns.prefix, KAFKA_SESSION_TIMEOUT_MS: "6000", KAFKA_HEARTBEAT_INTERVAL_MS: "1000" };
    const ids: string[] = [];
    const kills: string[] = [];
    const wave = async () => {
      const batch = Array.from({ length: PER_WAVE }, () => {
        const orderId = randomUUID();
        ids.push(orderId);
        return { key: orderId, value: JSON.stringify(anOrder({ orderId })) };
      });
      await producer.send(ns.topic("orders"), batch);
    };
    const start = async (crashAt?: string): Promise<Worker | undefined> => {
      try {
        return await startWorker("consumer", crashAt ? { ...env, CONSUMER_CRASH_AT: crashAt } : env, { runtime });
      } catch {
        // Killed before /ready (the crash point came early): that is a kill too.
        if (crashAt) kills.push(`${crashAt} (before ready)`);
        return undefined;
      }
    };

    for (const crashAt of RUNS) {
      await wave();
      const worker = await start(crashAt);
      if (!worker) continue;
      // Dies at its crash point, or (the odds said no) is stopped once its wave is committed.
      const died = await Promise.race([
        worker.exited.then(() => worker.process.signalCode === "SIGKILL"),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000)),
      ]);
      if (died) kills.push(crashAt);
      else await worker.stop("SIGTERM");
    }
    const last = await start();
    if (!last) throw new Error("the last consumer run did not start");

    const topic = ns.topic("orders");
    await eventually(
      async () => {
        const [ends, committed] = await Promise.all([
          admin.endOffsets(topic),
          admin.committedOffsets(ns.group(GROUP), topic),
        ]);
        return [...ends].every(([p, end]) => committed.get(p) === end) ? true : undefined;
      },
      180_000,
      "the group's offsets at the end of orders",
    );
    // One row per order (order_id is the table's key), each answered by GET /orders/:orderId.
    const stored = await Promise.all(
      ids.map(async (id) => {
        const res = await fetch(`${last.url}/orders/${id}`);
        return res.status === 200 ? ((await res.json()) as { orderId: string }).orderId : res.status;
      }),
    );
    expect(stored).toEqual(ids);
    expect(await last.stop("SIGTERM")).toBe(0);

    // Everything is committed and nobody writes any more: read past N to see a duplicate if there is one.
    const confirmed = await readTopic(ns.topic(ordersConfirmedTopic.name), {
      isolation: "read_committed",
      until: (records) => records.length > N,
      timeoutMs: 10_000,
    });
    const confirmedIds = confirmed.map((r) => (JSON.parse(r.value) as { orderId: string }).orderId);
    console.log(
      `[exactly-once ${runtime}] N=${N}, kills: ${kills.join("; ")}; confirmed ${confirmed.length}, distinct ${new Set(confirmedIds).size}`,
    );
    expect(kills.length).toBeGreaterThanOrEqual(3);
    expect(confirmed).toHaveLength(N);
    expect(new Set(confirmedIds)).toEqual(new Set(ids));
    for (const r of confirmed) expect(r.key).toBe((JSON.parse(r.value) as { orderId: string }).orderId);
  });
});
