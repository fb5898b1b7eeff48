/**
 * CPU per request of the producer's HTTP edge alone (Hono app, routes, contract, logging,
 * metrics), with a transport that acknowledges at once: no librdkafka, no brokers, no sockets.
 * `npx tsx bench/measure/edge-cpu.ts [requests]` prints µs of CPU per single-event POST and per
 * record of a 100-record batch, for each ACCESS_LOG mode, logging at info to /dev/null with
 * synchronous writes (as stdout to a file or pipe is). Three alternating rounds; a single process.
 */

import { createProducerApp } from "@kafka-pair/producer/app";
import { MemoryIdempotencyStore } from "@kafka-pair/producer/idempotency";
import { createProducerMetrics } from "@kafka-pair/producer/metrics";
import { loadConfig } from "@kafka-pair/shared/runtime";
import type { DeliveryReport, ProduceRecord, ProducerTransport } from "@kafka-pair/shared/transport";
import { pino } from "pino";
import { orderPool } from "../lib/events.ts";

const requests = Number(process.argv[2] ?? 20_000);
const config = loadConfig("producer", { KAFKA_NAMESPACE: "" });
let offset = 0;
const instant: ProducerTransport = {
  connect: async () => {},
  send: async (r: ProduceRecord): Promise<DeliveryReport> => ({
    topic: r.topic,
    partition: 0,
    offset: String(offset++),
    timestamp: Date.now(),
  }),
  isReady: () => true,
  flush: async () => {},
  disconnect: async () => {},
};

function app(mode: "all" | "sampled" | "off") {
  return createProducerApp({
    producer: instant,
    logger: pino(
      { level: "info", base: { service: "producer" }, timestamp: pino.stdTimeFunctions.isoTime },
      pino.destination({ dest: "/dev/null", sync: true }),
    ),
    namespace: config.namespace,
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 10, windowMs: 60_000 }),
    apiToken: undefined,
    eventSource: "/measure",
    maxBodyBytes: 5 * 1024 * 1024,
    isDraining: () => false,
    accessLog: { mode, sampleEvery: 100 },
  });
}

const pool = orderPool(1024).map((o) => JSON.stringify(o));
const batch = `[${pool.slice(0, 100).join(",")}]`;

async function measure(mode: "all" | "sampled" | "off", body: (i: number) => string, n: number) {
  const a = app(mode);
  const post = (i: number) =>
    a.request("/topics/orders", { method: "POST", headers: { "content-type": "application/json" }, body: body(i) });
  for (let i = 0; i < 500; i++) await post(i); // JIT warm-up
  const t0 = process.cpuUsage();
  // 64 in flight, as the bench's connections.
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) {
        const res = await post(next++);
        if (res.status !== 201 && res.status !== 207) throw new Error(`answer ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / n;
}

for (let round = 1; round <= 3; round++) {
  for (const mode of ["all", "sampled", "off"] as const) {
    const single = await measure(mode, (i) => pool[i % pool.length] as string, requests);
    const perRecord = (await measure(mode, () => batch, Math.max(200, Math.round(requests / 50)))) / 100;
    console.log(
      `round ${round} ACCESS_LOG=${mode.padEnd(7)} single ${single.toFixed(1)} µs/POST   batch ${perRecord.toFixed(1)} µs/record`,
    );
  }
}
