import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { join } from "node:path";
import type { Namespace } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { kafkaJava } from "../scripts/kafka/launcher.ts";
import { encodedSize, orderPool, sizedOrder } from "./lib/events.ts";
import { decodeHistogram, type LatencySummary, newHistogram, summarize } from "./lib/hist.ts";
import { closedLoop, type Outcome, openLoop, post } from "./lib/http-load.ts";
import {
  mainThreadCpuSeconds,
  orNaN,
  processCpuSeconds,
  reapedChildrenCpuSeconds,
  totalCpuSeconds,
} from "./lib/proc.ts";
import { rates, type ScenarioName, type ScenarioResult, unavailable } from "./lib/result.ts";
import { ensureSpring, startSpringA, startSpringB } from "./lib/spring.ts";
import { type BenchWorker, spawnTs, startWorker } from "./lib/workers.ts";
import { runWrk } from "./lib/wrk.ts";

export interface Options {
  size: number;
  concurrency: number;
  durationS: number;
  /** Upper bound on messages per scenario; the duration bounds it too. */
  count: number;
  batchSize: number;
  /** Connections for the batch scenarios: 100-record POSTs saturate the edge with far fewer. */
  batchConcurrency: number;
  rawWindow: number;
  javaRecords?: number;
  consumeMin: number;
  logLevel: string;
  quick: boolean;
  /** Unmeasured load on each server (and so the brokers) before its first measured window. */
  warmupS: number;
  /** wrk threads (the generator's own parallelism). */
  wrkThreads: number;
  /** Times every selected scenario is measured, the order rotated each round. */
  rounds: number;
  /** The consume-ordering and Spring peer rows' handler wait per message (ms; 0: none). */
  ioMs: number;
}

export interface Progress {
  /** A bar for one scenario: `update(elapsedS, messages)`, then `done(summary)`. */
  begin(
    label: string,
    totalS: number,
  ): { update(elapsedS: number, messages: number): void; done(summary: string): void };
  log(message: string): void;
}

export interface Context {
  options: Options;
  ns: Namespace;
  bootstrapServers: string;
  admin: AdminTransport;
  logDir: string;
  progress: Progress;
  results: ScenarioResult[];
  workers: Set<BenchWorker>;
  /** The brokers' JVMs, when they are local processes (their CPU is read from /proc). */
  brokerPids: number[];
  /** wrk's binary when the HTTP scenarios use it; undefined: the Node generator (bench/lib/http-load.ts). */
  wrk?: string;
}

export type Client = "confluent" | "kafkajs";

const ORDERS = "orders";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuOf = (worker: BenchWorker) => orNaN(() => processCpuSeconds(worker.pid));
const mainThreadCpuOf = (worker: BenchWorker) => orNaN(() => mainThreadCpuSeconds(worker.pid));
/** The brokers' CPU seconds so far (NaN when they are not local processes). */
export const brokerCpu = (ctx: Context) => (ctx.brokerPids.length > 0 ? totalCpuSeconds(ctx.brokerPids) : Number.NaN);
const selfCpu = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

export function workerEnv(ctx: Context, client: Client, logLevel = ctx.options.logLevel): Record<string, string> {
  return {
    KAFKA_BOOTSTRAP_SERVERS: ctx.bootstrapServers,
    KAFKA_NAMESPACE: ctx.ns.prefix,
    KAFKA_CLIENT_ID: `bench-${client}`,
    // The KafkaJS peer is not a TRANSPORT of the product: its bench entries take --client=kafkajs.
    ...(client === "confluent" ? { TRANSPORT: client } : {}),
    LOG_LEVEL: logLevel,
    KAFKAJS_NO_PARTITIONER_WARNING: "1",
  };
}

export async function totalEndOffset(ctx: Context): Promise<number> {
  const offsets = await ctx.admin.endOffsets(ctx.ns.topic(ORDERS));
  let total = 0;
  for (const offset of offsets.values()) total += Number(offset);
  return total;
}

/** The end offsets once they stop moving (bounded): records of abandoned requests have landed by then. */
export async function settledEndOffset(ctx: Context): Promise<number> {
  let last = await totalEndOffset(ctx);
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    await sleep(300);
    const now = await totalEndOffset(ctx);
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function committedTotal(ctx: Context, group: string): Promise<number> {
  const offsets = await ctx.admin.committedOffsets(ctx.ns.group(group), ctx.ns.topic(ORDERS));
  let total = 0;
  for (const offset of offsets.values()) total += Number(offset);
  return total;
}

async function track<T extends BenchWorker>(ctx: Context, worker: Promise<T>): Promise<T> {
  const started = await worker;
  ctx.workers.add(started);
  return started;
}

/** The producer under Deno (main.deno.ts); its Kafka client is the Deno default unless `transport` names one. */
export function startDenoProducer(ctx: Context, transport: string | undefined): Promise<BenchWorker> {
  const { TRANSPORT: _node, ...env } = workerEnv(ctx, "confluent");
  return track(
    ctx,
    startWorker({
      name: `producer-deno${transport ? `-${transport}` : ""}`,
      entry: "producer/src/main.deno.ts",
      env: transport ? { ...env, TRANSPORT: transport, KAFKA_CLIENT_ID: `bench-deno-${transport}` } : env,
      logDir: ctx.logDir,
      runtime: "deno",
    }),
  );
}

export async function stopWorker(ctx: Context, worker: BenchWorker | undefined): Promise<void> {
  if (!worker) return;
  await worker.stop();
  ctx.workers.delete(worker);
}

export function startProducer(ctx: Context, client: Client): Promise<BenchWorker> {
  return track(
    ctx,
    startWorker({
      name: `producer-${client}`,
      entry: client === "confluent" ? "producer/src/main.ts" : "bench/workers/producer.ts",
      env: workerEnv(ctx, client),
      logDir: ctx.logDir,
    }),
  );
}

/**
 * Acknowledged messages must show up as exactly that many new records in the topic. Records of
 * requests a time-boxed generator left unanswered (`unanswered`) may land too, so the count is
 * exact up to them; they are waited for (bounded) and never counted as acknowledged.
 */
async function verifyWritten(ctx: Context, before: number, acked: number, errors: number, unanswered = 0) {
  const written = (unanswered > 0 ? await settledEndOffset(ctx) : await totalEndOffset(ctx)) - before;
  // A refused or timed-out record may still have been written; without errors the count is exact.
  return {
    check:
      unanswered > 0
        ? "records added to the topic (end offsets) vs messages acknowledged, plus at most the records of requests unanswered at wrk's stop"
        : "records added to the topic (end offsets) vs messages acknowledged",
    expected: acked,
    actual: written,
    ok: errors === 0 ? written >= acked && written <= acked + unanswered : written >= acked,
    ...(unanswered > 0 ? { unanswered } : {}),
  };
}

function finish(
  base: Pick<ScenarioResult, "id" | "scenario" | "client" | "latencyOf" | "settings">,
  numbers: {
    messages: number;
    errors: number;
    bytes: number;
    elapsedS: number;
    latency?: LatencySummary;
    cpuS: Record<string, number>;
    cpu?: ScenarioResult["cpu"];
    verified?: ScenarioResult["verified"];
    note?: string;
  },
): ScenarioResult {
  return { ...base, status: "ok", ...numbers, ...rates(numbers.messages, numbers.bytes, numbers.elapsedS) };
}

// ---------------------------------------------------------------- HTTP producing

export interface HttpLoad {
  id: string;
  scenario: ScenarioName;
  client: ScenarioResult["client"];
  contentType: string;
  /** Request bodies to cycle through, with the messages and payload bytes each carries. */
  bodies: Array<{ body: string; records: number; bytes: number }>;
  /** Reads an answer: how many of its records Kafka acknowledged. */
  acked: (status: number, body: string, records: number) => number;
}

export async function runHttpLoad(ctx: Context, producer: BenchWorker, load: HttpLoad): Promise<ScenarioResult> {
  const { options } = ctx;
  const perRequest = load.bodies[0]?.records ?? 1;
  const bar = ctx.progress.begin(load.id, options.durationS);
  const before = await totalEndOffset(ctx);
  const cpu0 = cpuOf(producer);
  const brokers0 = brokerCpu(ctx);
  const concurrency = perRequest > 1 ? options.batchConcurrency : options.concurrency;
  const measured = ctx.wrk
    ? await wrkWindow(ctx, producer, load, options.durationS, bar)
    : await nodeWindow(ctx, producer, load, options.durationS, bar);
  const edge = cpuOf(producer) - cpu0;
  const brokers = brokerCpu(ctx) - brokers0;
  const verified = await verifyWritten(ctx, before, measured.acked, measured.errors, measured.unanswered);
  const generator = ctx.wrk ? `wrk (${options.wrkThreads} threads)` : "node:http (this process)";
  const result = finish(
    {
      id: load.id,
      scenario: load.scenario,
      client: load.client,
      latencyOf: perRequest > 1 ? `one POST of ${perRequest} events, until its answer` : "one POST, until its 201",
      settings: {
        concurrency,
        eventsPerRequest: perRequest,
        contentType: load.contentType,
        generator,
        warmup: `${options.warmupS} s of the same load on this producer before its first window`,
      },
    },
    {
      messages: measured.acked,
      errors: measured.errors,
      bytes: measured.acked * (load.bodies[0] ? load.bodies[0].bytes / perRequest : 0),
      elapsedS: measured.elapsedS,
      latency: measured.latency,
      cpuS: { [producer.name]: edge, brokers, [generator]: measured.generatorCpuS },
      cpu: { edge, brokers, generator: measured.generatorCpuS },
      verified,
      note: measured.note,
    },
  );
  bar.done(`${Math.round(result.msgsPerS)} msg/s`);
  return result;
}

interface Window {
  acked: number;
  errors: number;
  unanswered: number;
  elapsedS: number;
  latency?: LatencySummary;
  generatorCpuS: number;
  note?: string;
}

type Bar = ReturnType<Progress["begin"]>;

const concurrencyOf = (ctx: Context, load: HttpLoad) =>
  (load.bodies[0]?.records ?? 1) > 1 ? ctx.options.batchConcurrency : ctx.options.concurrency;

async function wrkWindow(
  ctx: Context,
  producer: BenchWorker,
  load: HttpLoad,
  durationS: number,
  bar?: Bar,
): Promise<Window> {
  const begin = Date.now();
  const ticker = setInterval(() => bar?.update((Date.now() - begin) / 1000, 0), 250);
  try {
    const run = await runWrk({
      bin: ctx.wrk as string,
      url: `${producer.url}/topics/${ORDERS}`,
      contentType: load.contentType,
      bodies: load.bodies,
      batch: (load.bodies[0]?.records ?? 1) > 1,
      connections: concurrencyOf(ctx, load),
      threads: ctx.options.wrkThreads,
      durationS,
      workDir: ctx.logDir,
      name: load.id,
    });
    return {
      acked: run.acked,
      errors: run.refused + run.socketErrors * (load.bodies[0]?.records ?? 1),
      unanswered: run.unansweredRecords,
      elapsedS: run.elapsedS,
      latency: run.latency,
      generatorCpuS: run.cpuS,
      note: run.firstRefusal,
    };
  } finally {
    clearInterval(ticker);
  }
}

async function nodeWindow(
  ctx: Context,
  producer: BenchWorker,
  load: HttpLoad,
  durationS: number,
  bar?: Bar,
): Promise<Window> {
  const { options } = ctx;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrencyOf(ctx, load) });
  const url = new URL(`${producer.url}/topics/${ORDERS}`);
  const histogram = newHistogram();
  const perRequest = load.bodies[0]?.records ?? 1;
  let firstRefusal: string | undefined;
  const send = async (i: number): Promise<Outcome> => {
    const item = load.bodies[i % load.bodies.length] as HttpLoad["bodies"][number];
    const answer = await post(agent, url, item.body, load.contentType);
    const acked = load.acked(answer.status, answer.body, item.records);
    if (acked < item.records) firstRefusal ??= `${answer.status} ${answer.body.slice(0, 200)}`;
    return { acked, errors: item.records - acked, bytes: (item.bytes / item.records) * acked };
  };
  const self0 = selfCpu();
  const totals = await closedLoop({
    concurrency: concurrencyOf(ctx, load),
    durationMs: durationS * 1000,
    maxRequests: Math.ceil(options.count / perRequest),
    histogram,
    send,
    onTick: (t) => bar?.update(t.elapsedMs / 1000, t.acked),
  });
  const generatorCpuS = selfCpu() - self0;
  agent.destroy();
  return {
    acked: totals.acked,
    errors: totals.errors + totals.failedRequests * perRequest,
    unanswered: 0,
    elapsedS: totals.elapsedMs / 1000,
    latency: summarize(histogram),
    generatorCpuS,
    note: firstRefusal ?? totals.firstError,
  };
}

/**
 * Unmeasured load before a server's first window: the JIT, the client's connections and
 * batches, and the brokers' page cache and request threads are warm when measuring starts.
 */
export async function warmUp(ctx: Context, producer: BenchWorker, loads: HttpLoad[]): Promise<void> {
  const { warmupS } = ctx.options;
  if (warmupS <= 0 || loads.length === 0) return;
  const each = Math.max(1, Math.round(warmupS / loads.length));
  const bar = ctx.progress.begin(`warm-up ${producer.name}`, each * loads.length);
  const begin = Date.now();
  const ticker = setInterval(() => bar.update((Date.now() - begin) / 1000, 0), 250);
  try {
    for (const load of loads) {
      if (ctx.wrk) await wrkWindow(ctx, producer, load, each);
      else await nodeWindow(ctx, producer, load, each);
    }
    // The next window's "before" offset must not catch the warm-up's last records landing.
    await settledEndOffset(ctx);
  } finally {
    clearInterval(ticker);
  }
  bar.done(`${Math.round((Date.now() - begin) / 1000)} s`);
}

function singleBodies(ctx: Context) {
  return orderPool(ctx.options.size).map((order) => {
    const body = JSON.stringify(order);
    return { body, records: 1, bytes: Buffer.byteLength(body) };
  });
}

const singleAcked = (status: number) => (status === 201 ? 1 : 0);

export function singleLoad(ctx: Context, client: Client): HttpLoad {
  return {
    id: client === "confluent" ? "http-single" : "kafkajs http-single",
    scenario: client === "confluent" ? "http-single" : "peers",
    client,
    contentType: "application/json",
    bodies: singleBodies(ctx),
    acked: singleAcked,
  };
}

export function httpSingle(ctx: Context, producer: BenchWorker, client: Client): Promise<ScenarioResult> {
  return runHttpLoad(ctx, producer, singleLoad(ctx, client));
}

/**
 * The tutorial's server A (bench/spring: Spring Boot + spring-kafka's KafkaTemplate, Tomcat) under
 * the same single-event load and checks as http-single: its own warm-up, then one window.
 */
export async function springA(ctx: Context): Promise<ScenarioResult> {
  const load: HttpLoad = { ...singleLoad(ctx, "confluent"), id: "spring-a http-single", client: "java" };
  try {
    ensureSpring((m) => ctx.progress.log(m));
  } catch (err) {
    return unavailable(load.id, load.scenario, "java", (err as Error).message, "unavailable");
  }
  const server = await track(
    ctx,
    startSpringA({ bootstrapServers: ctx.bootstrapServers, topic: ctx.ns.topic(ORDERS), logDir: ctx.logDir }),
  );
  try {
    await warmUp(ctx, server, [load]);
    return await runHttpLoad(ctx, server, load);
  } finally {
    await stopWorker(ctx, server);
  }
}

/** The Deno producer's Kafka clients: librdkafka through FFI (its default) and the @platformatic/kafka fallback. */
export type DenoClient = "ffi" | "platformatic";

/** http-single against the Deno producer (producer/src/main.deno.ts): the same events, wrk and checks. */
export function denoSingleLoad(ctx: Context, client: DenoClient): HttpLoad {
  return {
    ...singleLoad(ctx, "confluent"),
    id: `deno-${client} http-single`,
    client: client === "ffi" ? "confluent" : "platformatic",
  };
}

/** JSON batches against the Deno producer on librdkafka through FFI: the same bodies and checks as http-batch (json). */
export function denoBatchLoad(ctx: Context): HttpLoad {
  return { ...batchLoad(ctx), id: "deno-ffi http-batch (json)" };
}

/** A batch answer: one result per record, in request order; a record counts when its result is a success. */
function batchAcked(status: number, body: string): number {
  if (status >= 300 && status !== 207) return 0;
  try {
    const parsed = JSON.parse(body) as { results?: Array<{ status?: number }> } | Array<{ status?: number }>;
    const results = Array.isArray(parsed) ? parsed : (parsed.results ?? []);
    return results.filter((r) => (r.status ?? 500) < 300).length;
  } catch {
    return 0;
  }
}

const BATCH_VARIANTS = [
  { id: "http-batch (json)", contentType: "application/json", join: (lines: string[]) => `[${lines.join(",")}]` },
  {
    id: "http-batch (ndjson)",
    contentType: "application/x-ndjson",
    join: (lines: string[]) => `${lines.join("\n")}\n`,
  },
] as const;

/** 100-record batches (`--batch-size`), as a JSON array or as NDJSON. */
export function batchLoad(ctx: Context, format: "json" | "ndjson" = "json"): HttpLoad {
  const variant = format === "json" ? BATCH_VARIANTS[0] : BATCH_VARIANTS[1];
  const { options } = ctx;
  const pool = orderPool(options.size);
  const bodies = Array.from({ length: 16 }, (_, b) => {
    const lines = Array.from({ length: options.batchSize }, (_, i) =>
      JSON.stringify(pool[(b * options.batchSize + i) % pool.length]),
    );
    return {
      body: variant.join(lines),
      records: lines.length,
      bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0),
    };
  });
  return {
    id: variant.id,
    scenario: "http-batch",
    client: "confluent",
    contentType: variant.contentType,
    bodies,
    acked: batchAcked,
  };
}

/** One event as a batch: a producer without batch support refuses it (the answer says why). */
async function probeBatch(ctx: Context, producer: BenchWorker, variant: (typeof BATCH_VARIANTS)[number]) {
  const pool = orderPool(ctx.options.size);
  const probe = await post(
    new Agent({ keepAlive: false }),
    new URL(`${producer.url}/topics/${ORDERS}`),
    variant.join([JSON.stringify(pool[0])]),
    variant.contentType,
  ).catch((err: Error) => ({ status: 0, body: err.message }));
  return batchAcked(probe.status, probe.body) === 1
    ? undefined
    : `batch POSTs not available: probe answered ${probe.status} ${probe.body.slice(0, 160)}`;
}

export async function httpBatch(ctx: Context, producer: BenchWorker): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const variant of BATCH_VARIANTS) {
    const refused = await probeBatch(ctx, producer, variant);
    if (refused) {
      ctx.progress.log(`${variant.id}: ${refused}`);
      results.push(unavailable(variant.id, "http-batch", "confluent", refused));
      continue;
    }
    results.push(await runHttpLoad(ctx, producer, batchLoad(ctx, variant === BATCH_VARIANTS[0] ? "json" : "ndjson")));
  }
  return results;
}

// ---------------------------------------------------------------- client-raw

export interface RawOutput {
  acked: number;
  errors: number;
  bytes: number;
  elapsedMs: number;
  cpuS: number;
  latency: string;
  firstError?: string;
  /** Records written before the measured window (the open loop's first send). */
  warmed?: number;
}

export async function runRaw(
  ctx: Context,
  args: { durationMs: number; maxMessages: number; label?: string; runtime?: "node" | "deno"; ratePerS?: number },
): Promise<RawOutput> {
  const deno = args.runtime === "deno";
  const { TRANSPORT: _node, ...denoEnv } = workerEnv(ctx, "confluent", "warn");
  const logFile = join(ctx.logDir, deno ? "client-raw-deno.log" : "client-raw.log");
  const child = spawnTs(
    "bench/workers/raw.ts",
    [
      `--size=${ctx.options.size}`,
      `--duration-ms=${args.durationMs}`,
      `--max-messages=${args.maxMessages}`,
      `--window=${ctx.options.rawWindow}`,
      ...(args.ratePerS === undefined ? [] : [`--rate=${args.ratePerS}`]),
    ],
    // On Deno, no TRANSPORT: its default, librdkafka through FFI.
    deno ? denoEnv : workerEnv(ctx, "confluent", "warn"),
    logFile,
    { captureStdout: true, runtime: args.runtime },
  );
  let stdout = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  const bar = args.label ? ctx.progress.begin(args.label, args.durationMs / 1000) : undefined;
  const begin = Date.now();
  const ticker = setInterval(() => bar?.update((Date.now() - begin) / 1000, 0), 250);
  // Bounded: the child's own deadline plus start-up and a final flush.
  const killer = setTimeout(() => child.kill("SIGKILL"), args.durationMs + 120_000);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  clearInterval(ticker);
  clearTimeout(killer);
  const line = stdout.split("\n").find((l) => l.startsWith('{"result"'));
  if (code !== 0 || !line) throw new Error(`client-raw worker exited with ${code}; see ${logFile}`);
  const output = (JSON.parse(line) as { result: RawOutput }).result;
  bar?.done(`${Math.round(output.acked / (output.elapsedMs / 1000))} msg/s`);
  return output;
}

/**
 * Before any window: the raw producer for the warm-up time, so the brokers' JIT has compiled
 * their produce path (a later server's own warm-up then warms only that server).
 */
export async function warmCluster(ctx: Context): Promise<void> {
  if (ctx.options.warmupS <= 0) return;
  await runRaw(ctx, {
    // Twice a server's warm-up: a cold cluster takes longer to reach its steady state than a new process.
    durationMs: ctx.options.warmupS * 2000,
    maxMessages: ctx.options.count,
    label: "warm-up cluster",
  });
  await settledEndOffset(ctx);
}

/** client-raw on Node (the Confluent binding) or on Deno (librdkafka through FFI): the same worker and records. */
export async function clientRaw(ctx: Context, runtime: "node" | "deno" = "node"): Promise<ScenarioResult> {
  const id = runtime === "deno" ? "deno-ffi client-raw" : "client-raw";
  if (ctx.options.warmupS > 0) {
    // Its own process is new: warm its client (and the brokers, if nothing ran before) unmeasured.
    await runRaw(ctx, {
      durationMs: ctx.options.warmupS * 500,
      maxMessages: ctx.options.count,
      label: `warm-up ${id}`,
      runtime,
    });
    await settledEndOffset(ctx);
  }
  const before = await totalEndOffset(ctx);
  const brokers0 = brokerCpu(ctx);
  const out = await runRaw(ctx, {
    durationMs: ctx.options.durationS * 1000,
    maxMessages: ctx.options.count,
    label: id,
    runtime,
  });
  // Includes the worker's start-up (the brokers idle then); the worker times its own window.
  const brokersS = brokerCpu(ctx) - brokers0;
  return finish(
    {
      id,
      scenario: "client-raw",
      client: "confluent",
      latencyOf: "one send(), until its delivery report",
      settings: {
        inFlight: ctx.options.rawWindow,
        transport: runtime === "deno" ? "shared/src/transport/rdkafka-ffi (Deno)" : "shared/src/transport/confluent",
      },
    },
    {
      messages: out.acked,
      errors: out.errors,
      bytes: out.bytes,
      elapsedS: out.elapsedMs / 1000,
      latency: summarize(decodeHistogram(out.latency)),
      cpuS: { [id]: out.cpuS, brokers: brokersS },
      cpu: { edge: out.cpuS, brokers: brokersS },
      verified: await verifyWritten(ctx, before, out.acked, out.errors),
      note: out.firstError,
    },
  );
}

// ---------------------------------------------------------------- java-limit

/**
 * Runs one of Kafka's own Java tools (the limits the clients are compared with) with the
 * scenario's progress bar ticking, and measures its CPU and the brokers' over the run.
 */
async function runJavaTool(
  ctx: Context,
  bar: ReturnType<Context["progress"]["begin"]>,
  ...tool: Parameters<typeof kafkaJava>
): Promise<{ run: Awaited<ReturnType<typeof kafkaJava>>; cpuS: number; brokersS: number }> {
  const begin = Date.now();
  const ticker = setInterval(() => bar.update((Date.now() - begin) / 1000, 0), 250);
  const cpu0 = reapedChildrenCpuSeconds();
  const brokers0 = brokerCpu(ctx);
  try {
    const run = await kafkaJava(...tool);
    return { run, cpuS: reapedChildrenCpuSeconds() - cpu0, brokersS: brokerCpu(ctx) - brokers0 };
  } finally {
    clearInterval(ticker);
  }
}

const JAVA_SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th/;

export async function javaLimit(ctx: Context): Promise<ScenarioResult> {
  const { options } = ctx;
  const raw = ctx.results.find((r) => r.id === "client-raw" && r.status === "ok");
  // About as long as the other scenarios: the client-raw rate times the duration, when known.
  const records =
    options.javaRecords ??
    Math.round(
      Math.min(2_000_000, Math.max(options.quick ? 10_000 : 50_000, (raw?.msgsPerS ?? 20_000) * options.durationS)),
    );
  const pool = orderPool(options.size);
  const payloadFile = join(ctx.logDir, "java-payloads.ndjson");
  writeFileSync(payloadFile, pool.map((order) => JSON.stringify(order)).join("\n"));
  const bytesPerRecord = pool.reduce((sum, order) => sum + encodedSize(order), 0) / pool.length;
  const before = await totalEndOffset(ctx);
  const bar = ctx.progress.begin("java-limit", records / Math.max(1, raw?.msgsPerS ?? 20_000) + 2);
  const { run, cpuS, brokersS } = await runJavaTool(
    ctx,
    bar,
    "org.apache.kafka.tools.ProducerPerformance",
    [
      "--topic",
      ctx.ns.topic(ORDERS),
      "--num-records",
      String(records),
      "--throughput",
      "-1",
      "--payload-file",
      payloadFile,
      "--producer-props",
      `bootstrap.servers=${ctx.bootstrapServers}`,
      "acks=all",
      "enable.idempotence=true",
      "client.id=bench-java",
    ],
    { timeoutMs: 300_000, heap: "768m" },
  );
  const summary = JAVA_SUMMARY.exec(run.stdout);
  if (run.code !== 0 || !summary) {
    bar.done("failed");
    return unavailable(
      "java-limit",
      "java-limit",
      "java",
      `ProducerPerformance exited ${run.code}: ${(run.stderr || run.stdout).slice(-300)}`,
      "failed",
    );
  }
  const [sent, perSec, , avg, max, p50, p95, p99] = summary.slice(1).map(Number) as number[];
  const elapsedS = (sent as number) / (perSec as number);
  bar.done(`${Math.round(perSec as number)} msg/s`);
  return finish(
    {
      id: "java-limit",
      scenario: "java-limit",
      client: "java",
      latencyOf: "one send(), until acknowledged (ProducerPerformance's own percentiles, ms resolution)",
      settings: { records, payloadFile: "the same events, one per line", linger: "Java client default" },
    },
    {
      messages: sent as number,
      errors: records - (sent as number),
      bytes: (sent as number) * bytesPerRecord,
      elapsedS,
      latency: {
        count: sent as number,
        p50Ms: p50 as number,
        p95Ms: p95 as number,
        p99Ms: p99 as number,
        maxMs: max as number,
        meanMs: avg as number,
      },
      // The JVM's whole life, start-up and JIT included: ProducerPerformance runs in its own process.
      cpuS: { "java (whole JVM)": cpuS, brokers: brokersS },
      cpu: { edge: cpuS, brokers: brokersS },
      verified: await verifyWritten(ctx, before, sent as number, records - (sent as number)),
    },
  );
}

// ---------------------------------------------------------------- consume

interface ConsumerStats {
  pid: number;
  processed: number;
  orderViolations?: number;
  keys?: number;
  firstAt: number;
  lastAt: number;
  service: string;
  postToHandler: string;
  producedToHandler: string;
}

async function consumerStats(worker: BenchWorker): Promise<ConsumerStats> {
  const res = await fetch(`${worker.url}/bench/stats`);
  return (await res.json()) as ConsumerStats;
}

function startConsumer(
  ctx: Context,
  client: Client,
  args: {
    name: string;
    group: string;
    from: "earliest" | "latest";
    commit: "manual" | "auto";
    statsFile?: string;
    ordering?: string;
    ioMs?: number;
    delivery?: string;
    txEvents?: number;
    store?: boolean;
    /** Record end-to-end latencies per event (the worker's --latency). */
    latency?: boolean;
  },
): Promise<BenchWorker> {
  return track(
    ctx,
    startWorker({
      name: args.name,
      entry: "bench/workers/consumer.ts",
      args: [
        `--group=${args.group}`,
        `--from=${args.from}`,
        `--commit=${args.commit}`,
        `--client=${client}`,
        ...(args.statsFile ? [`--stats-file=${args.statsFile}`] : []),
        ...(args.ordering ? [`--ordering=${args.ordering}`] : []),
        ...(args.ioMs ? [`--io-ms=${args.ioMs}`] : []),
        ...(args.delivery ? [`--delivery=${args.delivery}`] : []),
        ...(args.txEvents ? [`--tx-events=${args.txEvents}`] : []),
        ...(args.store ? ["--store"] : []),
        ...(args.latency ? ["--latency"] : []),
      ],
      // Each worker its own SQLite file beside its log: no positions or rows from another run.
      env: { ...workerEnv(ctx, client), DATABASE_URL: `sqlite:${join(ctx.logDir, `${args.name}.db`)}` },
      logDir: ctx.logDir,
    }),
  );
}

/** Makes sure the topic holds enough records for a drain to be measured. */
export async function prefill(ctx: Context): Promise<number> {
  const available = await totalEndOffset(ctx);
  if (available >= ctx.options.consumeMin) return available;
  const missing = ctx.options.consumeMin - available;
  ctx.progress.log(`filling the topic with ${missing} more events for the consume scenarios`);
  await runRaw(ctx, { durationMs: 120_000, maxMessages: missing });
  return totalEndOffset(ctx);
}

/** A consume row's id under an ordering and a handler wait: `consume key (5 ms I/O)`. */
export const orderingRowId = (ordering: string, ioMs: number) =>
  `consume ${ordering} (${ioMs > 0 ? `${ioMs} ms I/O` : "no I/O"})`;

/** A delivery row's id: `consume exactly-once + emit (tx 500)`. */
export const deliveryRowId = (delivery: "at-least-once" | "exactly-once", txEvents?: number, store = false) =>
  `consume ${delivery} + emit${store ? " + sqlite" : ""}${delivery === "exactly-once" ? ` (tx ${txEvents})` : ""}`;

export async function consume(
  ctx: Context,
  client: Client,
  commit: "manual" | "auto",
  variant?: { ordering: "partition" | "key" | "none"; ioMs: number },
  emitting?: { delivery: "at-least-once" | "exactly-once"; txEvents?: number; store?: boolean },
): Promise<ScenarioResult> {
  const id = emitting
    ? deliveryRowId(emitting.delivery, emitting.txEvents, emitting.store)
    : variant
      ? orderingRowId(variant.ordering, variant.ioMs)
      : `${client === "kafkajs" ? "kafkajs " : ""}consume-${commit}`;
  const scenario: ScenarioName = emitting
    ? "consume-eos"
    : variant
      ? "consume-ordering"
      : client === "kafkajs"
        ? "peers"
        : "consume";
  const available = await prefill(ctx);
  const group = emitting
    ? `bench-consume-${emitting.delivery}-${emitting.txEvents ?? 0}${emitting.store ? "-sqlite" : ""}`
    : variant
      ? `bench-consume-${variant.ordering}-${variant.ioMs}ms`
      : `bench-${client}-consume-${commit}`;
  const statsFile = join(ctx.logDir, `${group}.stats.json`);
  const worker = await startConsumer(ctx, client, {
    name: group,
    group,
    from: "earliest",
    commit,
    statsFile,
    ordering: variant?.ordering,
    ioMs: variant?.ioMs,
    delivery: emitting?.delivery,
    txEvents: emitting?.txEvents,
    store: emitting?.store,
  });
  const bar = ctx.progress.begin(id, ctx.options.durationS);
  const limitMs = ctx.options.durationS * 1000;
  let cpu0 = Number.NaN;
  let main0 = Number.NaN;
  let brokers0 = Number.NaN;
  let brokers1 = Number.NaN;
  // CPU is read between two polls; the messages handled between them give CPU per message.
  let processed0 = 0;
  let windowStats: ConsumerStats | undefined;
  let cpu1 = Number.NaN;
  let main1 = Number.NaN;
  // Bounded: a start-up allowance, then the measuring window from the first handled message.
  const deadline = Date.now() + 60_000 + limitMs;
  try {
    while (Date.now() < deadline) {
      const stats = await consumerStats(worker);
      if (stats.processed > 0 && Number.isNaN(cpu0)) {
        cpu0 = cpuOf(worker);
        main0 = mainThreadCpuOf(worker);
        brokers0 = brokerCpu(ctx);
        processed0 = stats.processed;
      }
      if (stats.processed > 0) bar.update((Date.now() - stats.firstAt) / 1000, stats.processed);
      if (stats.processed >= available || (stats.firstAt > 0 && Date.now() - stats.firstAt >= limitMs)) {
        windowStats = stats;
        cpu1 = cpuOf(worker);
        main1 = mainThreadCpuOf(worker);
        brokers1 = brokerCpu(ctx);
        break;
      }
      await sleep(250);
    }
  } finally {
    await stopWorker(ctx, worker);
  }
  if (!windowStats) {
    bar.done("failed");
    return unavailable(id, scenario, client, "no message was consumed within 60 s", "failed");
  }
  const final = JSON.parse(readFileSync(statsFile, "utf8")) as ConsumerStats;
  const violations = final.orderViolations ?? 0;
  const cpuSpan = windowStats.processed - processed0 > 0 ? windowStats.processed - processed0 : Number.NaN;
  const committed = await committedTotal(ctx, group);
  const elapsedS = Math.max(0.001, (windowStats.lastAt - windowStats.firstAt) / 1000);
  const bytesPerRecord = encodedSize(sizedOrder(ctx.options.size));
  // Every message the handler finished has its offset committed once the consumer has left the group.
  // Per-key order: a key's event started while another of its key ran, or before an earlier one.
  // Expected under `none`; a failure under `key` and `partition`.
  const orderKept = variant?.ordering === "none" || violations === 0;
  const verified = {
    check: variant
      ? `committed offsets after shutdown vs messages handled; per-key order violations ${violations}`
      : "committed offsets after shutdown vs messages handled",
    expected: final.processed,
    actual: committed,
    ok: committed === final.processed && orderKept,
  };
  bar.done(`${Math.round(windowStats.processed / elapsedS)} msg/s`);
  return finish(
    {
      id,
      scenario,
      client,
      latencyOf: "time between consecutive handler calls (one message's cost, commit included)",
      settings: {
        ...(emitting
          ? {
              delivery: emitting.delivery,
              emits: "one orders.confirmed per order",
              ...(emitting.store
                ? { store: "SQLite (node:sqlite), one orders row per order, partition ordering" }
                : {}),
              ...(emitting.txEvents ? { transactionMaxEvents: emitting.txEvents, transactionMaxWaitMs: 100 } : {}),
            }
          : {}),
        ...(variant
          ? {
              ordering: variant.ordering,
              ioMs: variant.ioMs,
              orderViolations: violations,
              keys: final.keys,
              maxInFlight: `CONSUMER_CONCURRENCY (${process.env.CONSUMER_CONCURRENCY ?? "256, the default"})`,
              // What bounds a CPU-bound drain: the JavaScript thread's share of the process's CPU per message.
              mainThreadUsPerMessage: Math.round(((main1 - main0) * 1e6) / cpuSpan),
            }
          : {}),
        commit:
          commit === "manual"
            ? "the runtime's own commits once each message is handled (consumer/src/runner.ts)"
            : "offsets stored, committed every 5 s, on revocation and on shutdown (bench/lib/timer-commits.ts)",
        available,
      },
    },
    {
      messages: windowStats.processed,
      errors: 0,
      bytes: windowStats.processed * bytesPerRecord,
      elapsedS,
      latency: summarize(decodeHistogram(windowStats.service)),
      cpuS: { [group]: cpu1 - cpu0, brokers: brokers1 - brokers0 },
      // Scaled from the polls' span to the window's messages, so CPU per 1,000 is per handled message.
      cpu: {
        edge: ((cpu1 - cpu0) * windowStats.processed) / cpuSpan,
        brokers: ((brokers1 - brokers0) * windowStats.processed) / cpuSpan,
      },
      verified,
    },
  );
}

// ---------------------------------------------------------------- the tutorial's server B

/** A Spring B row's id: `spring-b c1 (5 ms I/O)`. */
export const springRowId = (concurrency: number, ioMs: number) =>
  `spring-b c${concurrency} (${ioMs > 0 ? `${ioMs} ms I/O` : "no I/O"})`;

/**
 * The tutorial's server B (Spring Boot + spring-kafka: read_committed, MANUAL_IMMEDIATE, log then
 * acknowledge) draining the same backlog with its own group. Its rate is read from its committed
 * offsets (each message is acknowledged, and so committed, right after it is handled); its own
 * count and per-key order check come from the stats file it writes on shutdown.
 */
export async function springB(ctx: Context, concurrency: number, ioMs: number): Promise<ScenarioResult> {
  const id = springRowId(concurrency, ioMs);
  let jar: string;
  try {
    jar = ensureSpring((m) => ctx.progress.log(m));
  } catch (err) {
    return unavailable(id, "consume-ordering", "java", (err as Error).message, "unavailable");
  }
  const available = await prefill(ctx);
  const group = `bench-spring-b-c${concurrency}-${ioMs}ms`;
  const statsFile = join(ctx.logDir, `${group}.stats.json`);
  const logFd = openSync(join(ctx.logDir, `${group}.log`), "a");
  const child = startSpringB({
    bootstrapServers: ctx.bootstrapServers,
    topic: ctx.ns.topic(ORDERS),
    group: ctx.ns.group(group),
    concurrency,
    ioMs,
    statsFile,
    logFd,
  });
  closeSync(logFd);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const bar = ctx.progress.begin(id, ctx.options.durationS);
  const limitMs = ctx.options.durationS * 1000;
  let start: { at: number; committed: number; cpu: number; brokers: number } | undefined;
  let end: { at: number; committed: number; cpu: number; brokers: number } | undefined;
  const pid = child.pid ?? 0;
  const cpu = () => orNaN(() => processCpuSeconds(pid));
  try {
    // A JVM start-up allowance; then, from the first commit seen, --warmup seconds of unmeasured
    // work (the JIT compiles the listener's path: a window opened at the first commit measured the
    // interpreter), then the window. The backlog is large enough for both.
    const warmupMs = ctx.options.warmupS * 1000;
    let firstCommitAt: number | undefined;
    const deadline = Date.now() + 90_000 + warmupMs + limitMs;
    while (Date.now() < deadline && child.exitCode === null) {
      const committed = await committedTotal(ctx, group).catch(() => 0);
      const now = Date.now();
      if (committed > 0) firstCommitAt ??= now;
      if (firstCommitAt !== undefined && now - firstCommitAt >= warmupMs && !start) {
        start = { at: now, committed, cpu: cpu(), brokers: brokerCpu(ctx) };
      }
      if (start) bar.update((now - start.at) / 1000, committed - start.committed);
      if (start && (committed >= available || now - start.at >= limitMs)) {
        end = { at: now, committed, cpu: cpu(), brokers: brokerCpu(ctx) };
        break;
      }
      await sleep(250);
    }
  } finally {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
  if (!start || !end) {
    bar.done("failed");
    return unavailable(id, "consume-ordering", "java", `server B committed nothing within 90 s (${jar})`, "failed");
  }
  const messages = end.committed - start.committed;
  const elapsedS = Math.max(0.001, (end.at - start.at) / 1000);
  let final: { processed: number; orderViolations: number } | undefined;
  try {
    final = JSON.parse(readFileSync(statsFile, "utf8"));
  } catch {
    final = undefined;
  }
  const committed = await committedTotal(ctx, group);
  const bytesPerRecord = encodedSize(sizedOrder(ctx.options.size));
  bar.done(`${Math.round(messages / elapsedS)} msg/s`);
  return finish(
    {
      id,
      scenario: "consume-ordering",
      client: "java",
      latencyOf: "none (read from the committed offsets)",
      settings: {
        peer: "the tutorial's server B: Spring Boot 4.0.7 + spring-kafka, read_committed, MANUAL_IMMEDIATE, log then acknowledge",
        concurrency,
        ioMs,
        orderViolations: final?.orderViolations,
        available,
      },
    },
    {
      messages,
      errors: 0,
      bytes: messages * bytesPerRecord,
      elapsedS,
      cpuS: { [group]: end.cpu - start.cpu, brokers: end.brokers - start.brokers },
      cpu: { edge: end.cpu - start.cpu, brokers: end.brokers - start.brokers },
      verified: {
        check: `committed offsets after shutdown vs messages server B handled; per-key order violations ${final?.orderViolations ?? "unknown"}`,
        expected: final?.processed ?? Number.NaN,
        actual: committed,
        ok: final !== undefined && committed === final.processed && final.orderViolations === 0,
      },
    },
  );
}

// ---------------------------------------------------------------- end-to-end

export async function endToEnd(ctx: Context, producer: BenchWorker): Promise<ScenarioResult> {
  const { options } = ctx;
  const single = ctx.results.find((r) => r.id === "http-single" && r.status === "ok");
  let maxRate = single?.msgsPerS;
  if (maxRate === undefined) {
    ctx.progress.log("end-to-end: no http-single result in this run; measuring its maximum for 3 s first");
    const calibration = await runHttpLoad({ ...ctx, options: { ...options, durationS: 3 } }, producer, {
      id: "end-to-end calibration",
      scenario: "end-to-end",
      client: "confluent",
      contentType: "application/json",
      bodies: singleBodies(ctx),
      acked: singleAcked,
    });
    maxRate = calibration.msgsPerS;
  }
  const rate = Math.max(1, Math.round(maxRate * 0.5));
  const group = "bench-e2e";
  const consumer = await startConsumer(ctx, "confluent", {
    name: group,
    group,
    from: "latest",
    commit: "manual",
    latency: true,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency });
  const url = new URL(`${producer.url}/topics/${ORDERS}`);
  const pool = orderPool(options.size);
  // placedAt is stamped as the POST leaves: the handler measures POST → handler from it.
  const body = (i: number) => JSON.stringify({ ...pool[i % pool.length], placedAt: new Date().toISOString() });
  try {
    // A group starting at "latest" only counts once it has seen a message: warm up until it has.
    const warmUntil = Date.now() + 30_000;
    while (Date.now() < warmUntil && (await consumerStats(consumer)).processed === 0) {
      await post(agent, url, body(0), "application/json");
      await sleep(100);
    }
    await sleep(500);
    await fetch(`${consumer.url}/bench/reset`, { method: "POST" });
    const bar = ctx.progress.begin(`end-to-end @ ${rate}/s`, options.durationS);
    const cpuP0 = cpuOf(producer);
    const cpuC0 = cpuOf(consumer);
    const brokers0 = brokerCpu(ctx);
    const self0 = selfCpu();
    const requestLatency = newHistogram();
    const totals = await openLoop({
      ratePerS: rate,
      durationMs: options.durationS * 1000,
      maxInFlight: options.concurrency * 4,
      histogram: requestLatency,
      send: async (i) => {
        const answer = await post(agent, url, body(i), "application/json");
        return answer.status === 201 ? { acked: 1, errors: 0, bytes: 0 } : { acked: 0, errors: 1, bytes: 0 };
      },
      onTick: (t) => bar.update(t.elapsedMs / 1000, t.acked),
    });
    // Bounded wait for the consumer to handle every acknowledged event.
    let stats = await consumerStats(consumer);
    const drainUntil = Date.now() + 30_000;
    while (stats.processed < totals.acked && Date.now() < drainUntil) {
      await sleep(200);
      stats = await consumerStats(consumer);
    }
    const edge = cpuOf(producer) - cpuP0;
    const brokers = brokerCpu(ctx) - brokers0;
    const generator = selfCpu() - self0;
    const cpuS = {
      [producer.name]: edge,
      [group]: cpuOf(consumer) - cpuC0,
      brokers,
      "node:http (this process)": generator,
    };
    const postToHandler = summarize(decodeHistogram(stats.postToHandler));
    const producedToHandler = summarize(decodeHistogram(stats.producedToHandler));
    bar.done(`p99 ${postToHandler?.p99Ms ?? "-"} ms`);
    return finish(
      {
        id: "end-to-end",
        scenario: "end-to-end",
        client: "confluent",
        latencyOf: "POST sent → consumer handler (placedAt stamped at send, read in the handler)",
        settings: {
          offeredRatePerS: rate,
          offeredAs: "50% of http-single's maximum in this run",
          skippedAtInFlightCap: totals.skipped,
          postLatency: summarize(requestLatency),
          producerStampToHandler: producedToHandler,
        },
      },
      {
        messages: totals.acked,
        errors: totals.errors + totals.failedRequests + totals.skipped,
        bytes: totals.acked * encodedSize(sizedOrder(options.size)),
        elapsedS: totals.elapsedMs / 1000,
        latency: postToHandler,
        cpuS,
        cpu: { edge, brokers, generator },
        verified: {
          check: "events the consumer handled vs POSTs acknowledged",
          expected: totals.acked,
          actual: stats.processed,
          ok: stats.processed === totals.acked,
        },
      },
    );
  } finally {
    agent.destroy();
    await stopWorker(ctx, consumer);
  }
}

// ---------------------------------------------------------------- consume-java-limit

/**
 * Kafka's own ConsumerPerformance reading the same topic read_committed: the consuming limit,
 * as java-limit is for producing. Its rate is the tool's fetch rate (group join excluded).
 */
export async function consumeJava(ctx: Context): Promise<ScenarioResult> {
  const available = await prefill(ctx);
  const group = ctx.ns.group("bench-java-consume");
  const bar = ctx.progress.begin("consume-java-limit", ctx.options.durationS);
  const { run, cpuS, brokersS } = await runJavaTool(
    ctx,
    bar,
    "org.apache.kafka.tools.ConsumerPerformance",
    [
      "--bootstrap-server",
      ctx.bootstrapServers,
      "--topic",
      ctx.ns.topic(ORDERS),
      "--num-records",
      String(available),
      "--group",
      group,
      "--timeout",
      "30000",
      "--command-property",
      "isolation.level=read_committed",
      "--command-property",
      "client.id=bench-java-consume",
    ],
    { timeoutMs: 300_000, heap: "768m" },
  );
  // start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, ...
  const data = run.stdout
    .split("\n")
    .map((l) => l.split(",").map((c) => c.trim()))
    .find((cols) => cols.length >= 8 && /^\d/.test(cols[0] ?? "") && !Number.isNaN(Number(cols[4])));
  if (run.code !== 0 || !data) {
    bar.done("failed");
    return unavailable(
      "consume-java-limit",
      "consume",
      "java",
      `ConsumerPerformance exited ${run.code}: ${(run.stderr || run.stdout).slice(-300)}`,
      "failed",
    );
  }
  const consumed = Number(data[4]);
  const mb = Number(data[2]);
  const fetchMs = Number(data[7]);
  const elapsedS = Math.max(0.001, fetchMs / 1000);
  bar.done(`${Math.round(consumed / elapsedS)} msg/s`);
  return finish(
    {
      id: "consume-java-limit",
      scenario: "consume",
      client: "java",
      latencyOf: "not measured (ConsumerPerformance reports rates only)",
      settings: {
        tool: "org.apache.kafka.tools.ConsumerPerformance",
        isolation: "read_committed",
        records: available,
        rate: "records / fetch time (the tool's fetch.nMsg.sec: group join excluded)",
      },
    },
    {
      messages: consumed,
      errors: 0,
      bytes: mb * 1024 * 1024,
      elapsedS,
      cpuS: { "java (whole JVM)": cpuS, brokers: brokersS },
      cpu: { edge: cpuS, brokers: brokersS },
      verified: {
        check: "records ConsumerPerformance read vs records in the topic",
        expected: available,
        actual: consumed,
        ok: consumed === available,
      },
    },
  );
}
