// client-raw: the transport's producer in-process, no HTTP: the ceiling for the HTTP path.
// Prints one JSON line with what it measured. Runs on Node (the Confluent binding) or on Deno
// (librdkafka through FFI by default), whichever runs this file.

import { parseArgs } from "node:util";
import { buildRecord } from "@kafka-pair/producer/ingest/record";
import { ordersTopic, startTrace } from "@kafka-pair/shared/contracts";
import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { orderPool } from "../lib/events.ts";
import { encodeHistogram, newHistogram, recordMs } from "../lib/hist.ts";
import { runtimeTransport } from "../measure/runtime-transport.ts";

const { values: args } = parseArgs({
  options: {
    size: { type: "string", default: "1024" },
    "duration-ms": { type: "string", default: "10000" },
    "max-messages": { type: "string", default: "10000000" },
    window: { type: "string", default: "1000" },
    // Open loop: this many sends per second whatever the answers do (the sweep's client-raw row).
    rate: { type: "string" },
  },
});
const durationMs = Number(args["duration-ms"]);
const maxMessages = Number(args["max-messages"]);
const window = Number(args.window);

const config = loadConfig("producer");
const logger = createLogger("bench-raw", config.logLevel);
const transport = await runtimeTransport(config, logger);
const producer = transport.producer();
await producer.connect();

// The records the HTTP producer would build for these events (value, key, CloudEvents headers),
// built ahead: the difference to the HTTP path is then HTTP, parsing and validation, not the record.
const time = new Date().toISOString();
const records = orderPool(Number(args.size)).map(
  (order) =>
    buildRecord(
      ordersTopic,
      { data: { json: order } },
      {
        namespace: config.namespace,
        source: config.producer.eventSource,
        id: undefined,
        trace: undefined,
        newTrace: startTrace(),
        time,
      },
    ).record,
);

// An idempotent producer's first send waits for its producer id (~0.5 s here): not the rate's
// cost, so the open loop sends one record first, reported apart (`warmed`) for the count check.
let warmed = 0;
if (args.rate !== undefined && records[0]) {
  await producer.send(records[0]);
  warmed = 1;
}

const histogram = newHistogram();
let started = 0;
let acked = 0;
let errors = 0;
let bytes = 0;
const firstError: string[] = [];
const cpuBefore = process.cpuUsage();
const begin = performance.now();
const deadline = begin + durationMs;

async function sendOne(): Promise<void> {
  const record = records[started++ % records.length];
  if (!record) return;
  const sent = performance.now();
  try {
    await producer.send(record);
    recordMs(histogram, performance.now() - sent);
    acked++;
    bytes += record.value.byteLength;
  } catch (err) {
    errors++;
    if (firstError.length === 0) firstError.push(String((err as Error).message));
  }
}

/** Sends on schedule (a 1 ms tick catches up to the count due by now), then waits for every answer. */
async function openLoop(ratePerS: number): Promise<void> {
  const pending = new Set<Promise<void>>();
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const now = performance.now();
      const due = Math.min(maxMessages, Math.floor(((now - begin) / 1000) * ratePerS));
      while (started < due) {
        const send = sendOne().finally(() => pending.delete(send));
        pending.add(send);
      }
      if (now >= deadline || started >= maxMessages) {
        clearInterval(tick);
        done();
      }
    }, 1);
  });
  await Promise.all(pending);
}

// `window` sends in flight at all times, like `window` HTTP clients each waiting for their answer.
async function lane(): Promise<void> {
  while (started < maxMessages && performance.now() < deadline) await sendOne();
}
if (args.rate !== undefined) await openLoop(Number(args.rate));
else await Promise.all(Array.from({ length: window }, lane));
const elapsedMs = performance.now() - begin;
const cpu = process.cpuUsage(cpuBefore);
await producer.disconnect();
process.stdout.write(
  `${JSON.stringify({
    result: {
      acked,
      errors,
      bytes,
      elapsedMs,
      cpuS: (cpu.user + cpu.system) / 1e6,
      latency: encodeHistogram(histogram),
      firstError: firstError[0],
      warmed,
    },
  })}\n`,
);
process.exit(0);
