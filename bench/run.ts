// npm run bench [-- --quick] [--scenarios=http-single,client-raw] [--size=1024] ...
// Measures the pair against the client's ceiling, Kafka's own Java limit and the KafkaJS peer,
// in one run on one cluster. See --help.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { contracts } from "@kafka-pair/shared/contracts";
import {
  createLogger,
  declaredTopics,
  ensureTopics,
  loadConfig,
  type Namespace,
  namespace,
} from "@kafka-pair/shared/runtime";
import { createTransport } from "@kafka-pair/shared/transport/node";
import cliProgress from "cli-progress";
import { KAFKA_VERSION, bootstrapServers as launcherBootstrap } from "../scripts/kafka/launcher.ts";
import { chartSvg, sweepSvg } from "./lib/chart.ts";
import { MAX_EVENT_BYTES, MIN_EVENT_BYTES } from "./lib/events.ts";
import { listeningPids } from "./lib/proc.ts";
import { summarizeProfiles } from "./lib/profile.ts";
import {
  cpuCheckLine,
  cpuChecks,
  markdownTable,
  medianRows,
  ratioLine,
  ratioMarkdown,
  ratios,
  type SustainableRates,
  spreadMarkdown,
  spreads,
  textTable,
} from "./lib/report.ts";
import { SCENARIOS, type ScenarioName, type ScenarioResult, unavailable } from "./lib/result.ts";
import { roundOrder } from "./lib/rounds.ts";
import { findVegeta, VEGETA_INSTALL } from "./lib/vegeta.ts";
import type { BenchWorker } from "./lib/workers.ts";
import { repoRoot, workerNodeFlags } from "./lib/workers.ts";
import { findWrk, WRK_INSTALL } from "./lib/wrk.ts";
import {
  batchLoad,
  type Context,
  clientRaw,
  consume,
  consumeJava,
  deliveryRowId,
  denoBatchLoad,
  denoSingleLoad,
  endToEnd,
  type HttpLoad,
  httpBatch,
  httpSingle,
  javaLimit,
  type Options,
  orderingRowId,
  type Progress,
  runHttpLoad,
  singleLoad,
  springA,
  springB,
  springRowId,
  startDenoProducer,
  startProducer,
  stopWorker,
  warmCluster,
  warmUp,
} from "./scenarios.ts";
import { httpTarget, rawTarget, type Sweep, type SweepTarget, sweep, sweepMarkdown } from "./sweep.ts";

const HELP = `npm run bench -- [options]
  --quick              smoke run: every scenario for 2 s (under a minute), results to a temp dir
  --scenarios=a,b      subset of: ${SCENARIOS.join(", ")}
  --size=BYTES         event size (default 1024; ${MIN_EVENT_BYTES}..${MAX_EVENT_BYTES})
  --concurrency=N      concurrent HTTP clients (default 64)
  --duration=SECONDS   length of each measured window (default 15)
  --count=N            at most N messages per scenario (default: no limit but the duration)
  --batch-size=N       events per batch POST (default 100)
  --batch-concurrency=N  connections for the batch scenarios (default 16)
  --raw-window=N       sends in flight for client-raw (default 1000)
  --java-records=N     records for ProducerPerformance (default: client-raw's rate x duration)
  --consume-min=N      records the consume scenarios need in the topic (default 100000; quick 5000)
  --io-ms=N            the consume-ordering and Spring peer rows' handler wait per message (default 5; 0: none)
  --namespace=PREFIX   topic/group prefix (default: random bench-xxxx.); each phase writes to <prefix>r<round>p<phase>. topics, deleted when it ends
  --keep-topics        leave the namespace's topics in place
  --log-level=LEVEL    the workers' log level (default info: the real path)
  --warmup=SECONDS     unmeasured load on the cluster, then on each server, before the first windows (default 10; quick 1)
  --rounds=N           measure every selected scenario N times, the order rotated each round; the tables
                       show each scenario's median round and the spread (default 1; sweeps run in round 1)
  --generator=NAME     HTTP load generator: wrk (default when installed) or node (node:http in this process)
  --wrk-threads=N      wrk threads (default 2)
  --slo-ms=MS          the sweep's p99 objective (default 50)
  --sweep-step=SECONDS length of each sweep step (default 5; quick 1)
  --sweep-start=N      the sweep's first offered rate, events/s (default 100; batches start at 5x)
  --sweep-factor=X     offered rate multiplier per step (default 1.5)
  --cpu-prof           profile every worker (V8 --cpu-prof) and print where their CPU went
  --out=DIR            where the report goes (default bench-results/, or a temp dir with --quick)`;

const { values: argv } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    scenarios: { type: "string" },
    size: { type: "string", default: "1024" },
    concurrency: { type: "string", default: "64" },
    duration: { type: "string" },
    count: { type: "string" },
    "batch-size": { type: "string", default: "100" },
    "batch-concurrency": { type: "string", default: "16" },
    "raw-window": { type: "string", default: "1000" },
    "java-records": { type: "string" },
    "consume-min": { type: "string" },
    "io-ms": { type: "string", default: "5" },
    namespace: { type: "string" },
    "keep-topics": { type: "boolean", default: false },
    "log-level": { type: "string", default: "info" },
    out: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
    warmup: { type: "string" },
    rounds: { type: "string", default: "1" },
    "slo-ms": { type: "string", default: "50" },
    "sweep-step": { type: "string" },
    "sweep-start": { type: "string", default: "100" },
    "sweep-factor": { type: "string", default: "1.5" },
    generator: { type: "string" },
    "wrk-threads": { type: "string", default: "2" },
    help: { type: "boolean", default: false },
  },
});

if (argv.help) {
  console.log(HELP);
  process.exit(0);
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive integer, got "${value}"\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

const selected = (argv.scenarios?.split(",").map((s) => s.trim()) ?? [...SCENARIOS]) as ScenarioName[];
const unknown = selected.filter((s) => !SCENARIOS.includes(s));
if (unknown.length > 0) {
  console.error(`unknown scenario(s): ${unknown.join(", ")}\n\n${HELP}`);
  process.exit(2);
}
const options: Options = {
  quick: argv.quick ?? false,
  size: Math.min(MAX_EVENT_BYTES, Math.max(MIN_EVENT_BYTES, positive("size", argv.size, 1024))),
  concurrency: positive("concurrency", argv.concurrency, 64),
  durationS: positive("duration", argv.duration, argv.quick ? 2 : 15),
  count: positive("count", argv.count, Number.MAX_SAFE_INTEGER),
  batchSize: positive("batch-size", argv["batch-size"], 100),
  batchConcurrency: positive("batch-concurrency", argv["batch-concurrency"], 16),
  rawWindow: positive("raw-window", argv["raw-window"], 1000),
  javaRecords: argv["java-records"] ? positive("java-records", argv["java-records"], 0) : undefined,
  consumeMin: positive("consume-min", argv["consume-min"], argv.quick ? 5_000 : 100_000),
  logLevel: argv["log-level"] ?? "info",
  warmupS: argv.warmup === "0" ? 0 : positive("warmup", argv.warmup, argv.quick ? 1 : 10),
  wrkThreads: positive("wrk-threads", argv["wrk-threads"], 2),
  rounds: positive("rounds", argv.rounds, 1),
  ioMs: argv["io-ms"] === "0" ? 0 : positive("io-ms", argv["io-ms"], 5),
};

// The HTTP load generator: wrk, a C program whose CPU is small beside the edge's, unless told otherwise.
if (argv.generator !== undefined && argv.generator !== "wrk" && argv.generator !== "node") {
  console.error(`--generator must be wrk or node, got "${argv.generator}"\n\n${HELP}`);
  process.exit(2);
}
const wrk = argv.generator === "node" ? undefined : findWrk();
const generatorNote =
  argv.generator === "node"
    ? "node:http in the bench process (--generator=node)"
    : wrk
      ? `wrk (${options.wrkThreads} threads, keep-alive, Lua per-response checks)`
      : `node:http in the bench process: wrk was not found (install it: ${WRK_INSTALL})`;
if (argv.generator === "wrk" && !wrk) {
  console.error(`--generator=wrk: wrk is not installed. Install it with:\n  ${WRK_INSTALL}`);
  process.exit(2);
}

// The benchmark reads the cluster address like the workers do (KAFKA_BOOTSTRAP_SERVERS, else the launcher's).
// The launcher's address honours KAFKA_LAUNCHER_PORT_BASE; the config's default (9092-9094) does not.
const config = loadConfig("producer", {
  ...process.env,
  KAFKA_BOOTSTRAP_SERVERS: process.env.KAFKA_BOOTSTRAP_SERVERS ?? launcherBootstrap(),
  TRANSPORT: "confluent",
  KAFKA_NAMESPACE: "",
});
const ns = namespace(argv.namespace ?? `bench-${randomBytes(3).toString("hex")}.`);
const outDir = argv.out ?? (options.quick ? join(tmpdir(), "kafka-pair-bench") : join(repoRoot, "bench-results"));
const logDir = join(tmpdir(), "kafka-pair-bench", ns.prefix.replace(/\.$/, ""));
mkdirSync(outDir, { recursive: true });
mkdirSync(logDir, { recursive: true });
const profileDir = join(logDir, "profiles");
if (argv["cpu-prof"]) workerNodeFlags.profileDir = profileDir;

// ---------------------------------------------------------------- progress

const interactive = process.stderr.isTTY === true;
// Bars only on a terminal; elsewhere (CI, tests, a pipe) one line per scenario start and end.
const multibar = interactive
  ? new cliProgress.MultiBar(
      {
        format: " {scenario} |{bar}| {elapsed}/{limit} s | {messages} msgs | {rate} msg/s {summary}",
        hideCursor: true,
        clearOnComplete: false,
        stopOnComplete: false,
        barsize: 24,
      },
      cliProgress.Presets.shades_classic,
    )
  : undefined;
const progress: Progress = {
  begin(label, totalS) {
    const limit = Math.max(1, Math.round(totalS));
    const payload = { scenario: label.padEnd(24), elapsed: "0", limit, messages: 0, rate: 0, summary: "" };
    const bar = multibar?.create(limit, 0, payload);
    if (!bar) console.error(`▶ ${label} (${limit} s)`);
    return {
      update(elapsedS, messages) {
        Object.assign(payload, {
          elapsed: elapsedS.toFixed(0),
          messages,
          rate: elapsedS > 0 ? Math.round(messages / elapsedS) : 0,
        });
        bar?.update(Math.min(limit, elapsedS), payload);
      },
      done(summary) {
        Object.assign(payload, { summary: `→ ${summary}` });
        bar?.update(limit, payload);
        bar?.stop();
        if (!bar) console.error(`✓ ${label}: ${summary}`);
      },
    };
  },
  log(message) {
    if (multibar) multibar.log(`${message}\n`);
    else console.error(message);
  },
};

// ---------------------------------------------------------------- run

const logger = createLogger("bench", "warn");
const transport = await createTransport(config, logger);
const admin = transport.admin();
await admin.connect();
const ctx: Context = {
  options,
  ns,
  bootstrapServers: config.kafka.bootstrapServers,
  admin,
  logDir,
  progress,
  results: [],
  workers: new Set(),
  brokerPids: localBrokerPids(config.kafka.bootstrapServers),
  wrk,
};
if (!wrk) progress.log(`HTTP load generator: ${generatorNote}`);
if (ctx.brokerPids.length === 0) progress.log("the brokers are not local processes: their CPU is not reported");
const startedAt = new Date();
const load = loadavg();

/** Deletes a namespace's topics (every topic the contracts declare, the dead-letter topics included). */
async function dropTopics(of: Namespace) {
  if (argv["keep-topics"]) return;
  try {
    const existing = await admin.describeTopics(declaredTopics(contracts).map((t) => of.topic(t.logicalName)));
    await admin.deleteTopics([...existing.keys()]);
  } catch (err) {
    // Topics already gone are not an error (describeTopics skips them); anything else is
    // logged, and the report still gets written.
    progress.log(`could not delete topics: ${err}`);
  }
}

/**
 * Each phase writes into topics of its own (`<prefix>r<round>p<phase>.`), deleted when it ends:
 * a full run writes tens of GB (three replicas of every record), which one topic for the whole
 * run would keep on the disk until the end; a three-round run filled this machine's disk.
 */
async function usePhaseNamespace(label: string) {
  ctx.ns = namespace(`${ns.prefix}${label}.`);
  await ensureTopics(admin, contracts, ctx.ns, logger);
}

async function cleanup() {
  await Promise.allSettled([...ctx.workers].map((w) => stopWorker(ctx, w)));
  await dropTopics(ctx.ns);
  await admin.disconnect();
}

let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
  multibar?.stop();
  console.error("\ninterrupted: stopping workers and deleting the bench topics");
  void cleanup().finally(() => process.exit(130));
});

/** The brokers' pids when the bootstrap servers are on this machine. */
function localBrokerPids(bootstrap: string): number[] {
  const ports = bootstrap
    .split(",")
    .map((hp) => hp.trim().match(/^(?:127\.0\.0\.1|localhost|\[::1\]):(\d+)$/)?.[1])
    .filter((p): p is string => p !== undefined)
    .map(Number);
  return ports.length > 0 ? listeningPids(ports) : [];
}

const want = (s: ScenarioName) => selected.includes(s);

const vegeta = want("sweep") ? findVegeta() : undefined;
const factor = Number(argv["sweep-factor"]);
if (!(factor > 1)) {
  console.error(`--sweep-factor must be a number above 1, got "${argv["sweep-factor"]}"`);
  process.exit(2);
}
const sweepBase = {
  sloMs: positive("slo-ms", argv["slo-ms"], 50),
  stepS: positive("sweep-step", argv["sweep-step"], options.quick ? 1 : 5),
  startEventsPerS: positive("sweep-start", argv["sweep-start"], 100),
  factor,
  maxSteps: 14,
};
const sweeps: Sweep[] = [];
if (want("sweep") && !vegeta) progress.log(`sweep: vegeta was not found; install it with: ${VEGETA_INSTALL}`);

async function sweepOne(id: string, server: BenchWorker, load: HttpLoad) {
  if (interrupted) return;
  if (!vegeta) {
    const blank = { id, server: server.name, sloMs: sweepBase.sloMs, steps: [], stoppedBecause: "" };
    sweeps.push({ ...blank, status: "unavailable", note: `vegeta not found: ${VEGETA_INSTALL}` });
    return;
  }
  await sweepTarget(id, httpTarget(ctx, server, load, id, vegeta));
}

async function sweepTarget(id: string, target: SweepTarget) {
  if (interrupted) return;
  try {
    const start = sweepBase.startEventsPerS * (target.perRequest > 1 ? 5 : 1);
    sweeps.push(await sweep(ctx, target, id, { ...sweepBase, startEventsPerS: start }));
  } catch (err) {
    progress.log(`sweep ${id} failed: ${(err as Error).message}`);
    const blank = { id, server: target.name, sloMs: sweepBase.sloMs, steps: [], stoppedBecause: "" };
    sweeps.push({ ...blank, status: "failed", note: String((err as Error).message).slice(0, 300) });
  }
}

let round = 1;

/** One scenario's failure is a row in the report, never the end of the run. */
async function step(scenario: ScenarioName, id: string, run: () => Promise<ScenarioResult | ScenarioResult[]>) {
  if (interrupted) return;
  try {
    const out = await run();
    ctx.results.push(...(Array.isArray(out) ? out : [out]).map((r) => ({ ...r, round })));
  } catch (err) {
    progress.log(`${id} failed: ${(err as Error).message}`);
    const failed = unavailable(id, scenario, "confluent", String((err as Error).message).slice(0, 300), "failed");
    ctx.results.push({ ...failed, round });
  }
}

/** A consume row's JavaScript-thread CPU per message: what bounds a CPU-bound drain (the CPU columns count every thread). */
function mainThreadNote(r: ScenarioResult): string {
  const us = r.settings.mainThreadUsPerMessage;
  return typeof us === "number" && Number.isFinite(us) ? `; main thread ${us} µs of CPU per message` : "";
}

/** The sweeps are long: they run in the first round only. */
const sweepThisRound = () => want("sweep") && round === 1;

/**
 * The run as phases, one per server or tool. Each round runs them all, the order rotated by one
 * per round, so no phase is always the first on a cold cluster or always the last on a tired one.
 * The sweeps are long and run in the first round only.
 */
const phases: Array<{ name: string; run: () => Promise<void> }> = [];
if (want("http-single") || want("http-batch") || want("end-to-end") || want("sweep")) {
  phases.push({
    name: "node edge",
    async run() {
      const sweepNow = sweepThisRound();
      const producer = await startProducer(ctx, "confluent");
      try {
        // Warm the server with the loads it is about to be measured under.
        await warmUp(ctx, producer, [
          ...(want("http-single") || want("end-to-end") || sweepNow ? [singleLoad(ctx, "confluent")] : []),
          ...(want("http-batch") || sweepNow ? [batchLoad(ctx)] : []),
        ]);
        if (want("http-single")) await step("http-single", "http-single", () => httpSingle(ctx, producer, "confluent"));
        if (want("http-batch")) await step("http-batch", "http-batch", () => httpBatch(ctx, producer));
        if (want("end-to-end")) await step("end-to-end", "end-to-end", () => endToEnd(ctx, producer));
        if (sweepNow) {
          await sweepOne("http-single", producer, singleLoad(ctx, "confluent"));
          await sweepOne("http-batch (json)", producer, batchLoad(ctx));
          await sweepOne("http-batch (ndjson)", producer, batchLoad(ctx, "ndjson"));
        }
      } finally {
        await stopWorker(ctx, producer);
      }
      // The tutorial's server A beside the edge, once the edge is stopped: same load, same checks.
      // Not in a --quick smoke run: a Maven build and a JVM start do not fit in its minute.
      if (want("http-single") && !options.quick) {
        await step("http-single", "spring-a http-single", () => springA(ctx));
      }
    },
  });
}
if (want("http-single") || want("http-batch") || want("sweep")) {
  phases.push({
    name: "deno edge",
    async run() {
      const sweepNow = sweepThisRound();
      // The Deno producer on its default client (librdkafka through FFI), single events and JSON
      // batches; and single events on the @platformatic/kafka fallback.
      for (const client of ["ffi", "platformatic"] as const) {
        const single = denoSingleLoad(ctx, client);
        const batch = client === "ffi" ? denoBatchLoad(ctx) : undefined;
        const measured = [...(want("http-single") ? [single] : []), ...(want("http-batch") && batch ? [batch] : [])];
        const swept = sweepNow ? [single, ...(batch ? [batch] : [])] : [];
        if (measured.length === 0 && swept.length === 0) continue;
        await step(measured[0]?.scenario ?? "http-single", `deno-${client} edge`, async () => {
          const producer = await startDenoProducer(ctx, client === "ffi" ? undefined : client);
          try {
            await warmUp(ctx, producer, measured.length > 0 ? measured : swept);
            const rows: ScenarioResult[] = [];
            for (const load of measured) rows.push(await runHttpLoad(ctx, producer, load));
            for (const load of swept) await sweepOne(load.id, producer, load);
            return rows;
          } finally {
            await stopWorker(ctx, producer);
          }
        });
      }
    },
  });
}
if (want("client-raw")) {
  phases.push({
    name: "client-raw",
    async run() {
      await step("client-raw", "client-raw", () => clientRaw(ctx));
      // The client alone at the sweep's rates: the cluster's own latency beside the edges' sweeps.
      if (sweepThisRound()) await sweepTarget("client-raw", rawTarget(ctx));
      await step("client-raw", "deno-ffi client-raw", () => clientRaw(ctx, "deno"));
    },
  });
}
if (want("java-limit"))
  phases.push({ name: "java-limit", run: () => step("java-limit", "java-limit", () => javaLimit(ctx)) });
if (want("peers") || want("sweep")) {
  phases.push({
    name: "kafkajs edge",
    async run() {
      const sweepNow = sweepThisRound();
      if (!want("peers") && !sweepNow) return;
      await step("peers", "kafkajs http-single", async () => {
        const producer = await startProducer(ctx, "kafkajs");
        try {
          await warmUp(ctx, producer, [singleLoad(ctx, "kafkajs")]);
          if (sweepNow) await sweepOne("kafkajs http-single", producer, singleLoad(ctx, "kafkajs"));
          return want("peers") ? await httpSingle(ctx, producer, "kafkajs") : [];
        } finally {
          await stopWorker(ctx, producer);
        }
      });
    },
  });
}
if (want("consume") || want("consume-ordering") || want("consume-eos") || want("peers")) {
  phases.push({
    name: "consumers",
    async run() {
      if (want("consume")) {
        await step("consume", "consume-manual", () => consume(ctx, "confluent", "manual"));
        await step("consume", "consume-auto", () => consume(ctx, "confluent", "auto"));
        await step("consume", "consume-java-limit", () => consumeJava(ctx));
      }
      // The runtime under each ordering, with a handler that only logs, then one that also waits --io-ms.
      const waits = [...new Set([0, options.ioMs])];
      if (want("consume-ordering")) {
        for (const ioMs of waits) {
          for (const ordering of ["partition", "key", "none"] as const) {
            await step("consume-ordering", orderingRowId(ordering, ioMs), () =>
              consume(ctx, "confluent", "manual", { ordering, ioMs }),
            );
          }
          // The tutorial's server B on the same backlog, as the tutorial runs it (1) and with 3 listener threads.
          for (const concurrency of [1, 3]) {
            await step("consume-ordering", springRowId(concurrency, ioMs), () => springB(ctx, concurrency, ioMs));
          }
        }
      }
      // Emitting one event per consumed one: at-least-once (a produce per event) beside exactly-once
      // (a transaction per batch) at three transaction sizes, on the same backlog.
      if (want("consume-eos")) {
        await step("consume-eos", deliveryRowId("at-least-once"), () =>
          consume(ctx, "confluent", "manual", undefined, { delivery: "at-least-once" }),
        );
        for (const txEvents of [50, 500, 5000]) {
          await step("consume-eos", deliveryRowId("exactly-once", txEvents), () =>
            consume(ctx, "confluent", "manual", undefined, { delivery: "exactly-once", txEvents }),
          );
        }
        await step("consume-eos", deliveryRowId("exactly-once", 500, true), () =>
          consume(ctx, "confluent", "manual", undefined, { delivery: "exactly-once", txEvents: 500, store: true }),
        );
      }
      if (want("peers")) await step("peers", "kafkajs consume-manual", () => consume(ctx, "kafkajs", "manual"));
    },
  });
}

try {
  progress.log(`namespace ${ns.prefix}  logs ${logDir}`);
  // Brokers just started run their produce path interpreted until the JIT catches up: the first
  // window after a cluster start measured half the rate and 5x the broker CPU of later ones.
  await usePhaseNamespace("warmup");
  await warmCluster(ctx);
  await dropTopics(ctx.ns);
  for (; round <= options.rounds && !interrupted; round++) {
    const order = roundOrder(phases, round);
    if (options.rounds > 1) progress.log(`round ${round}/${options.rounds}: ${order.map((p) => p.name).join(" → ")}`);
    for (const phase of order) {
      if (interrupted) break;
      await usePhaseNamespace(`r${round}p${phases.indexOf(phase) + 1}`);
      await phase.run();
      if (!interrupted) await dropTopics(ctx.ns);
    }
  }
} finally {
  multibar?.stop();
  if (!interrupted) await cleanup();
}

// ---------------------------------------------------------------- report

// With several rounds, every table, ratio and budget reads each scenario's median round.
const shownRows = medianRows(ctx.results);
const spreadList = spreads(ctx.results);
const sustainable: SustainableRates = new Map(
  sweeps.filter((s) => s.status === "ok").map((s) => [s.id, s.sustainablePerS ?? "none"] as const),
);
const ratioList = ratios(shownRows);
const cpuList = cpuChecks(shownRows);
const machine = {
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? "unknown"}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  kernel: release(),
  node: process.version,
  kafka: `Apache Kafka ${KAFKA_VERSION}, 3 brokers (KRaft) on this machine, loopback`,
  loadAverageAtStart: load.map((l) => l.toFixed(2)).join(" "),
};
const warmupNote =
  options.warmupS > 0
    ? `the cluster got ${options.warmupS * 2} s of the raw producer's load before anything was measured; then each producer process got ${options.warmupS} s of unmeasured load (the single-event load, then the batch load, as the run measures them) before its first window; client-raw gets ${options.warmupS / 2} s of its own; consume windows start at the first handled message${options.rounds > 1 ? `; ${options.rounds} rounds, the phase order rotated by one each round` : ""}`
    : "none (--warmup=0): the first window of each server is measured cold";
const profiles = argv["cpu-prof"] ? summarizeProfiles(profileDir) : [];
const report = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  namespace: ns.prefix,
  options,
  machine,
  generator: generatorNote,
  warmup: warmupNote,
  brokerPids: ctx.brokerPids,
  results: ctx.results,
  sweeps,
  spreads: spreadList,
  ratios: ratioList,
  cpuChecks: cpuList,
  profiles,
};
const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
const jsonPath = join(outDir, options.quick ? "quick.json" : `bench-${stamp}.json`);
writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
const title = `kafka-pair benchmark · ${options.size} B events, acks=all, idempotent · ${startedAt.toISOString().slice(0, 16)}Z`;
const svgPath = join(outDir, options.quick ? "quick.svg" : "chart.svg");
writeFileSync(svgPath, chartSvg(shownRows, title));
const sweepSvgPath = join(outDir, options.quick ? "quick-sweep.svg" : "sweep.svg");
if (sweeps.some((s) => s.steps.length > 0)) {
  const sweepTitle = `open-loop sweep (vegeta) · ${options.size} B events · p99 SLO ${sweepBase.sloMs} ms · ${startedAt.toISOString().slice(0, 16)}Z`;
  writeFileSync(sweepSvgPath, sweepSvg(sweeps, sweepTitle));
}
const mdPath = join(outDir, options.quick ? "quick.md" : "RESULTS.md");
const shown = (p: string) => (p.startsWith(repoRoot) ? relative(repoRoot, p) : p);
writeFileSync(
  mdPath,
  [
    `# Benchmark results`,
    "",
    `Run ${startedAt.toISOString()} with \`npm run bench${options.quick ? " -- --quick" : ""}\`: ${options.size}-byte events, acks=all, idempotent producers, ` +
      `${options.concurrency} HTTP clients, ${options.durationS} s per scenario, workers logging at \`${options.logLevel}\`` +
      `${options.rounds > 1 ? `, ${options.rounds} rounds (each row is the scenario's median round; the spread over the rounds follows the table)` : ""}.`,
    "",
    markdownTable(shownRows, sustainable),
    "",
    ...(spreadList.length > 0 ? ["Spread over the rounds (lowest–highest):", "", spreadMarkdown(spreadList), ""] : []),
    "Latency means, per row:",
    "",
    ...shownRows.filter((r) => r.status === "ok").map((r) => `- **${r.id}**: ${r.latencyOf}${mainThreadNote(r)}`),
    "",
    `SLO msg/s: the open-loop sweep's sustainable rate for that row (highest offered rate with p99 ≤ ${sweepBase.sloMs} ms; "none": not even the first step; "-": not swept). ` +
      `CPU columns are milliseconds per 1,000 acknowledged events (= µs per event): the process under test (edge), the brokers' JVMs, the load generator. Generator: ${generatorNote}. Warm-up: ${warmupNote}.`,
    "",
    ...(sweeps.length > 0
      ? [
          `## Open-loop sweep (p99 SLO ${sweepBase.sloMs} ms)`,
          "",
          `Offered rate from ${sweepBase.startEventsPerS} events/s (batches 5×), ×${sweepBase.factor} every ${sweepBase.stepS} s step, by vegeta at a constant rate; a step passes when p99 ≤ SLO, ≥ 90 % of the offered rate was acknowledged and nothing was refused.`,
          "",
          sweepMarkdown(sweeps),
          "",
          `![latency against offered rate](${options.quick ? "quick-sweep.svg" : "sweep.svg"})`,
          "",
        ]
      : []),
    "## Ratios",
    "",
    ratioMarkdown(ratioList),
    "",
    `CPU budgets: ${cpuCheckLine(cpuList)}.`,
    "",
    `![throughput and latency per scenario](${options.quick ? "quick.svg" : "chart.svg"})`,
    "",
    ...(options.rounds > 1
      ? ["## Every round", "", markdownTable(ctx.results.map((r) => ({ ...r, id: `${r.id} · round ${r.round}` }))), ""]
      : []),
    "## Machine",
    "",
    ...Object.entries(machine).map(([k, v]) => `- ${k}: ${v}`),
    "",
  ].join("\n"),
);

console.log(`\n${textTable(shownRows, sustainable)}\n`);
if (spreadList.length > 0) console.log(`spread over ${options.rounds} rounds:\n${spreadMarkdown(spreadList)}\n`);
console.log(`ratios: ${ratioLine(ratioList)}`);
console.log(`CPU: ${cpuCheckLine(cpuList)}`);
if (sweeps.length > 0) console.log(`\nsweep (p99 SLO ${sweepBase.sloMs} ms):\n${sweepMarkdown(sweeps)}`);
for (const profile of profiles) {
  console.log(`\nCPU profile ${shown(profile.file)} (${Math.round(profile.totalMs)} ms):`);
  console.log(`  by owner: ${profile.byOwner.map((o) => `${o.owner} ${o.pct}%`).join(", ")}`);
  for (const f of profile.topFunctions) console.log(`  ${String(f.pct).padStart(5)}%  ${f.fn}`);
}
console.log(`report: ${shown(jsonPath)}  chart: ${shown(svgPath)}  summary: ${shown(mdPath)}`);
const mismatched = ctx.results.filter((r) => r.verified && !r.verified.ok);
if (mismatched.length > 0) {
  console.error(`count check failed for: ${mismatched.map((r) => r.id).join(", ")}`);
  process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
