import { randomBytes } from "node:crypto";
import { namespace } from "@kafka-pair/shared/runtime";
import { describe, expect, inject, it } from "vitest";
import {
  countBy,
  faultBrokers,
  type Outcome,
  produceOrders,
  readBack,
  readyStatus,
  reportFigures,
  spawnWorker,
  tally,
} from "../../test/faults/helpers.ts";
import { anOrder, postJson, readJson } from "../../test/helpers/events.ts";
import { eventually } from "../../test/helpers/kafka.ts";
import { startWorker } from "../../test/helpers/workers.ts";

// Broker faults on the suite's own cluster (never the shared one): a workload runs, a fault is
// injected, and every acknowledged event is checked against what a read_committed reader gets back.
const cluster = inject("faultCluster");
const EVENTS = Number(process.env.FAULTS_BROKER_LOSS_EVENTS ?? 50_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Orders processed so far by a consumer worker, from its /status. */
async function processed(url: string): Promise<number> {
  const res = await fetch(`${url}/status`);
  const body = (await readJson(res)) as { groups: Array<{ topic: string; processed: number }> };
  return body.groups.filter((g) => g.topic === "orders").reduce((sum, g) => sum + g.processed, 0);
}

/** What the producer complained about (warn and above), most frequent first: explains the 5xx answers. */
function logSummary(logs: Array<{ msg: string; err?: unknown }>): string {
  const counts = countBy(
    logs.map((l) => {
      const err = l.err as { message?: string; code?: number } | undefined;
      return `${l.msg}${err?.code !== undefined ? ` (${err.code})` : ""}`.slice(0, 120);
    }),
  );
  return Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 6)
    .map(([msg, n]) => `${n}× ${msg}`)
    .join("; ");
}

describe("broker faults", () => {
  const ns = namespace(`f-${randomBytes(4).toString("hex")}.`);
  const env = { KAFKA_BOOTSTRAP_SERVERS: cluster.bootstrapServers, KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" };

  it(`loses no acknowledged event and duplicates none when a broker is killed -9 during ${EVENTS} produces`, {
    timeout: 900_000,
  }, async () => {
    const producer = await startWorker("producer", env);
    let killedAt = 0;
    let restarted: Promise<unknown> | undefined;
    const outcomes = await produceOrders(producer.url, {
      total: EVENTS,
      concurrency: 32,
      onAnswer: (_o, done) => {
        if (done === Math.floor(EVENTS / 5)) {
          killedAt = Date.now();
          // Broker 2 dies mid-stream; it comes back 15 s later while the load goes on.
          restarted = faultBrokers.kill(2).then(async () => {
            await sleep(15_000);
            return faultBrokers.start(2);
          });
        }
      },
    });
    const loadMs = Date.now() - killedAt;
    await restarted;
    const acked = outcomes.filter((o) => o.status === 201);
    const read = await readBack(cluster.bootstrapServers, ns.topic("orders"), {
      until: (r) => acked.every((o) => r.counts.has(o.id)),
      timeoutMs: 300_000,
    });
    const figures = tally(outcomes, read);
    reportFigures("1. broker kill -9 + restart during produce", {
      ...figures,
      storedRecords: read.records.length,
      msFromKillToEndOfLoad: loadMs,
      producerLog: logSummary(producer.logs),
    });
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    // No answer outside 201 / retriable 5xx; a 4xx would be the producer blaming the client.
    expect(outcomes.filter((o) => o.status !== 201 && o.status < 500)).toEqual([]);
    expect(acked.length).toBeGreaterThan(EVENTS / 2);
  });

  it("answers 503 (not a delivery timeout) with two brokers down, turns not-ready, and recovers by itself", {
    timeout: 600_000,
  }, async () => {
    const producer = await startWorker("producer", env);
    // A trickle of traffic across the whole outage, to see what in-flight requests get.
    let running = true;
    const trickle: Outcome[] = [];
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        trickle.push(...(await produceOrders(producer.url, { total: 1, concurrency: 1 })));
        await sleep(50);
      }
    });
    await sleep(2_000);
    const t0 = Date.now();
    await Promise.all([faultBrokers.kill(2), faultBrokers.kill(3)]);
    await eventually(async () => ((await readyStatus(producer.url)) === 503 ? true : undefined), 60_000, "not ready");
    const msToNotReady = Date.now() - t0;

    const during: Array<{ status: number; code: string; ms: number }> = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const res = await postJson(producer.url, "/topics/orders", anOrder());
      const body = await readJson(res);
      during.push({ status: res.status, code: body.error?.code, ms: performance.now() - started });
    }
    expect(during.map((d) => d.status)).toEqual(during.map(() => 503));
    expect(new Set(during.map((d) => d.code))).toEqual(new Set(["KAFKA_UNAVAILABLE"]));

    const t1 = Date.now();
    await faultBrokers.start(2);
    await faultBrokers.start(3);
    await eventually(async () => ((await readyStatus(producer.url)) === 200 ? true : undefined), 120_000, "ready");
    const msToReadyAfterRestart = Date.now() - t1;
    const after = await postJson(producer.url, "/topics/orders", anOrder());
    expect(after.status).toBe(201);
    running = false;
    await Promise.all(clients);

    const acked = trickle.filter((o) => o.status === 201);
    const read = await readBack(cluster.bootstrapServers, ns.topic("orders"), {
      until: (r) => acked.every((o) => r.counts.has(o.id)),
      timeoutMs: 180_000,
    });
    const figures = tally(trickle, read);
    const sorted = during.map((d) => d.ms).sort((a, b) => a - b);
    reportFigures("2. two of three brokers down (below min.insync.replicas), then back", {
      ...figures,
      msToNotReady,
      msToReadyAfterRestart,
      refusedWhileDown: during.length,
      refusalMedianMs: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
      refusalMaxMs: Math.round(sorted.at(-1) ?? 0),
      producerLog: logSummary(producer.logs),
    });
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(producer.process.exitCode).toBeNull();
  });

  it("keeps both workers up and not-ready while the whole cluster is down mid-run, then recovers", {
    timeout: 600_000,
  }, async () => {
    const producer = await startWorker("producer", env);
    const consumer = await startWorker("consumer", env);
    const before = await processed(consumer.url);
    const first = await produceOrders(producer.url, { total: 100, concurrency: 4 });
    expect(countBy(first.map((o) => o.status))).toEqual({ 201: 100 });
    await eventually(async () => ((await processed(consumer.url)) >= before + 100 ? true : undefined), 60_000);

    const t0 = Date.now();
    await Promise.all([faultBrokers.kill(1), faultBrokers.kill(2), faultBrokers.kill(3)]);
    await eventually(async () => ((await readyStatus(producer.url)) === 503 ? true : undefined), 60_000);
    const producerMsToNotReady = Date.now() - t0;
    await eventually(async () => ((await readyStatus(consumer.url)) === 503 ? true : undefined), 120_000);
    const consumerMsToNotReady = Date.now() - t0;
    const refused = await postJson(producer.url, "/topics/orders", anOrder());
    expect(refused.status).toBe(503);
    for (const worker of [producer, consumer]) {
      expect((await fetch(`${worker.url}/health`)).status).toBe(200);
      expect(worker.process.exitCode).toBeNull();
    }

    const t1 = Date.now();
    await faultBrokers.up();
    await eventually(async () => ((await readyStatus(producer.url)) === 200 ? true : undefined), 120_000);
    const producerMsToReady = Date.now() - t1;
    await eventually(async () => ((await readyStatus(consumer.url)) === 200 ? true : undefined), 180_000);
    const consumerMsToReady = Date.now() - t1;
    const second = await produceOrders(producer.url, { total: 100, concurrency: 4 });
    expect(countBy(second.map((o) => o.status))).toEqual({ 201: 100 });
    await eventually(async () => ((await processed(consumer.url)) >= before + 200 ? true : undefined), 120_000);
    const outcomes = [...first, ...second];
    const read = await readBack(cluster.bootstrapServers, ns.topic("orders"), {
      until: (r) => outcomes.every((o) => r.counts.has(o.id)),
    });
    const figures = tally(outcomes, read);
    reportFigures("3a. whole cluster down mid-run (producer + consumer), then back", {
      ...figures,
      consumerProcessed: (await processed(consumer.url)) - before,
      producerMsToNotReady,
      consumerMsToNotReady,
      producerMsToReady,
      consumerMsToReady,
    });
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
  });

  it("starts both workers while the whole cluster is down: they serve /health, report not-ready, and recover", {
    timeout: 600_000,
  }, async () => {
    const fresh = namespace(`f-${randomBytes(4).toString("hex")}.`);
    const freshEnv = { ...env, KAFKA_NAMESPACE: fresh.prefix };
    await Promise.all([faultBrokers.kill(1), faultBrokers.kill(2), faultBrokers.kill(3)]);
    const producer = await spawnWorker("producer", freshEnv);
    const consumer = await spawnWorker("consumer", freshEnv);
    try {
      // Ten seconds of a dead cluster: alive, healthy, not ready, refusing produce with 503.
      for (let i = 0; i < 5; i++) {
        for (const worker of [producer, consumer]) {
          expect(worker.alive()).toBe(true);
          expect((await fetch(`${worker.url}/health`)).status).toBe(200);
          expect(await readyStatus(worker.url)).toBe(503);
        }
        const res = await postJson(producer.url, "/topics/orders", anOrder());
        expect(res.status).toBe(503);
        await sleep(2_000);
      }
      const t1 = Date.now();
      await faultBrokers.up();
      await eventually(async () => ((await readyStatus(producer.url)) === 200 ? true : undefined), 180_000);
      const producerMsToReady = Date.now() - t1;
      await eventually(async () => ((await readyStatus(consumer.url)) === 200 ? true : undefined), 180_000);
      const consumerMsToReady = Date.now() - t1;
      const outcomes = await produceOrders(producer.url, { total: 50, concurrency: 4 });
      expect(countBy(outcomes.map((o) => o.status))).toEqual({ 201: 50 });
      await eventually(async () => ((await processed(consumer.url)) >= 50 ? true : undefined), 120_000);
      const read = await readBack(cluster.bootstrapServers, fresh.topic("orders"), {
        until: (r) => outcomes.every((o) => r.counts.has(o.id)),
      });
      const figures = tally(outcomes, read);
      reportFigures("3b. both workers started with the whole cluster down, then cluster up", {
        ...figures,
        consumerProcessed: await processed(consumer.url),
        producerMsToReady,
        consumerMsToReady,
      });
      expect(figures.lost).toBe(0);
      expect(figures.duplicated).toBe(0);
    } finally {
      await producer.stop();
      await consumer.stop();
    }
  });
});
