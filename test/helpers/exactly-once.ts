// The exactly-once scenario the e2e spec and the fault case share: the shipped `orders`
// subscription (exactly-once, the worker's database) under kill -9 at CONSUMER_CRASH_AT's points,
// restarted each time, then read back: rows, read_committed confirmations, group offsets.
import { randomUUID } from "node:crypto";
import { ordersConfirmedTopic, ordersTopic } from "@kafka-pair/shared/contracts";
import type { Namespace } from "@kafka-pair/shared/runtime";
import { createLogger, provisionTopics } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { GROUP } from "./consumer.ts";
import { anOrder } from "./events.ts";
import { eventually, testTransport } from "./kafka.ts";
import { readTopic, useRawProducer } from "./records.ts";
import { type Runtime, startWorker, type Worker } from "./workers.ts";

export interface ExactlyOnceRun {
  /** The order ids produced, in order. */
  ids: string[];
  /** The crash points that killed a run (SIGKILL seen). */
  kills: string[];
  /** orders.confirmed as a read_committed reader sees it, read past the expected count. */
  confirmedIds: string[];
  /** Per order id, what GET /orders/:orderId answered (the id, or the status). */
  stored: Array<string | number>;
  /** The group's committed offsets on orders once they reached the end: "partition:offset" each. */
  offsets: string[];
}

/**
 * One consumer run per entry of `runs` (a CONSUMER_CRASH_AT value), each after a wave of
 * `perWave` orders; a run that does not die within 60 s is stopped. `duringRun(i)` runs beside
 * run i (a broker kill). Then a last run without crash until the group's offsets reach the end.
 */
export async function runExactlyOnce(options: {
  ns: Namespace;
  admin: AdminTransport;
  runtime: Runtime;
  runs: readonly string[];
  perWave: number;
  env?: Record<string, string>;
  duringRun?: (index: number) => Promise<void>;
  /** Another cluster than the test cluster (the fault suite's, whose brokers it kills). */
  bootstrapServers?: string;
}): Promise<ExactlyOnceRun> {
  const { ns, admin, runtime, bootstrapServers } = options;
  // The first wave goes out before any consumer has provisioned the topics.
  const transport = testTransport(bootstrapServers);
  await provisionTopics(transport, [ordersTopic, ordersConfirmedTopic], ns, createLogger("test", "warn"));
  const producer = await useRawProducer(bootstrapServers);
  // A dead member is noticed after the session timeout: short, so each restart takes its partitions soon.
  const env = {
    KAFKA_NAMESPACE: ns.prefix,
    KAFKA_SESSION_TIMEOUT_MS: "6000",
    KAFKA_HEARTBEAT_INTERVAL_MS: "1000",
    ...(bootstrapServers ? { KAFKA_BOOTSTRAP_SERVERS: bootstrapServers } : {}),
    ...options.env,
  };
  const ids: string[] = [];
  const kills: string[] = [];
  const wave = async () => {
    const batch = Array.from({ length: options.perWave }, () => {
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

  for (const [index, crashAt] of options.runs.entries()) {
    await wave();
    const beside = options.duringRun?.(index);
    const worker = await start(crashAt);
    if (worker) {
      // Dies at its crash point, or (the odds said no) is stopped once its wave had a minute.
      const died = await Promise.race([
        worker.exited.then(() => worker.process.signalCode === "SIGKILL"),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 60_000)),
      ]);
      if (died) kills.push(crashAt);
      else await worker.stop("SIGTERM");
    }
    await beside;
  }
  const last = await start();
  if (!last) throw new Error("the last consumer run did not start");

  const topic = ns.topic("orders");
  let offsets: string[] = [];
  await eventually(
    async () => {
      const [ends, committed] = await Promise.all([
        admin.endOffsets(topic),
        admin.committedOffsets(ns.group(GROUP), topic),
      ]);
      if (![...ends].every(([p, end]) => committed.get(p) === end)) return undefined;
      offsets = [...committed].sort(([a], [b]) => a - b).map(([p, o]) => `${p}:${o}`);
      return true;
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
  const exit = await last.stop("SIGTERM");
  if (exit !== 0) throw new Error(`the last consumer run exited with ${exit}`);

  // Everything is committed and nobody writes any more: read past N to see a duplicate if there is one.
  const confirmed = await readTopic(ns.topic(ordersConfirmedTopic.name), {
    isolation: "read_committed",
    until: (records) => records.length > ids.length,
    timeoutMs: 10_000,
    ...(bootstrapServers ? { bootstrapServers } : {}),
  });
  const confirmedIds = confirmed.map((r) => (JSON.parse(r.value) as { orderId: string }).orderId);
  for (const r of confirmed) {
    if (r.key !== (JSON.parse(r.value) as { orderId: string }).orderId) throw new Error(`record keyed ${r.key}`);
  }
  return { ids, kills, confirmedIds, stored, offsets };
}
