// npm run bench:rebalance [-- --rounds=3 --rate=300 --window=20]
// The pause a rebalance costs, classic group protocol against KIP-848's consumer protocol, in one
// run on one cluster: a group of bench consumer workers (the real consumer runtime, librdkafka)
// reads a steady stream; a third member joins, later leaves; the longest gap in processing per
// partition and overall is measured around each change. Rounds alternate which protocol goes first.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { contracts, ordersTopic } from "@kafka-pair/shared/contracts";
import { createLogger, declaredTopics, loadConfig, namespace } from "@kafka-pair/shared/runtime";
import { createTransport } from "@kafka-pair/shared/transport/node";
import { bootstrapServers as launcherBootstrap } from "../scripts/kafka/launcher.ts";
import { type Handled, type WindowGaps, windowGaps } from "./lib/gaps.ts";
import { type BenchWorker, repoRoot, spawnTs, startWorker } from "./lib/workers.ts";

const HELP = `npm run bench:rebalance -- [options]
  --rounds=N        runs of both protocols, the first protocol alternating (default 3)
  --rate=N          events/s the producer writes, open loop (default 300)
  --window=SECONDS  observation after each membership change (default 20)
  --settle=SECONDS  steady processing measured before the first change (default 5)
  --protocols=a,b   classic and/or consumer (default both)
  --out=DIR         where the report goes (default bench-results/)`;

const { values: argv } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    rate: { type: "string", default: "300" },
    window: { type: "string", default: "20" },
    settle: { type: "string", default: "5" },
    protocols: { type: "string", default: "classic,consumer" },
    out: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (argv.help) {
  console.log(HELP);
  process.exit(0);
}

type Protocol = "classic" | "consumer";
const rounds = Number(argv.rounds);
const rate = Number(argv.rate);
const windowMs = Number(argv.window) * 1000;
const settleMs = Number(argv.settle) * 1000;
const protocols = argv.protocols.split(",") as Protocol[];
const PARTITIONS = ordersTopic.partitions;
const bootstrap = process.env.KAFKA_BOOTSTRAP_SERVERS ?? launcherBootstrap();
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const outDir = argv.out ?? join(repoRoot, "bench-results");
const logDir = join(outDir, `rebalance-${stamp}-logs`);
mkdirSync(logDir, { recursive: true });

const config = loadConfig("consumer", { ...process.env, KAFKA_BOOTSTRAP_SERVERS: bootstrap });
const admin = (await createTransport(config, createLogger("bench-rebalance", "warn"))).admin();
await admin.connect();

interface ChangeGaps extends WindowGaps {
  change: "join 2→3" | "leave 3→2";
}

interface ProtocolRun {
  protocol: Protocol;
  round: number;
  /** Steady processing before any change: the gaps a rebalance is compared with. */
  steady: WindowGaps;
  changes: ChangeGaps[];
  handled: number;
  /** Epoch ms: steady from, the third member spawned and ready, told to leave, the end. */
  times: { steady: number; join: number; joinedReady: number; leave: number; end: number };
}

const log = (message: string) => console.log(`[rebalance] ${message}`);

async function traceOf(worker: BenchWorker): Promise<Handled[]> {
  const res = await fetch(`${worker.url}/bench/trace`);
  return (await res.json()) as Handled[];
}

/**
 * Waits (bounded) until every member handles messages and every partition is handled, on two
 * checks a second apart: the group has settled its assignment.
 */
async function steady(members: BenchWorker[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  let settled = 0;
  while (Date.now() < deadline) {
    const now = Date.now();
    const partitions = new Set<number>();
    let everyMember = true;
    for (const member of members) {
      const recent = (await traceOf(member)).filter(([, at]) => now - at < 1_000);
      if (recent.length === 0) everyMember = false;
      for (const [p] of recent) partitions.add(p);
    }
    settled = everyMember && partitions.size === PARTITIONS ? settled + 1 : 0;
    if (settled === 2) return;
    await sleep(1_000);
  }
  throw new Error("the group never processed every partition steadily");
}

async function runProtocol(protocol: Protocol, round: number): Promise<ProtocolRun> {
  const ns = namespace(`bench-rb-${randomBytes(3).toString("hex")}.`);
  const env = {
    KAFKA_BOOTSTRAP_SERVERS: bootstrap,
    KAFKA_NAMESPACE: ns.prefix,
    KAFKA_CLIENT_ID: `bench-rebalance-${protocol}`,
    KAFKA_GROUP_PROTOCOL: protocol,
    TRANSPORT: "confluent",
    LOG_LEVEL: "info",
  };
  const name = (member: string) => `${protocol}-r${round}-${member}`;
  const traceFile = (member: string) => join(logDir, `${name(member)}.trace.json`);
  const member = (id: string) =>
    startWorker({
      name: name(id),
      entry: "bench/workers/consumer.ts",
      args: ["--group=rebalance", "--from=earliest", `--trace-file=${traceFile(id)}`],
      env,
      logDir,
    });
  const started: BenchWorker[] = [];
  const producer = { stop: async () => {} };
  try {
    // The first member's boot creates the namespace's topics.
    const a = await member("a");
    started.push(a);
    const child = spawnTs(
      "bench/workers/raw.ts",
      [`--rate=${rate}`, `--duration-ms=${60 * 60 * 1000}`, "--window=100000"],
      { ...env, LOG_LEVEL: "warn" },
      join(logDir, `${name("producer")}.log`),
    );
    producer.stop = async () => {
      child.kill("SIGKILL");
    };
    const b = await member("b");
    started.push(b);
    await steady([a, b]);
    const steadyFrom = Date.now();
    await sleep(settleMs);
    const joinAt = Date.now();
    log(`${protocol} round ${round}: a third member joins`);
    // The window runs from the spawn (the member joins before it answers /ready) to `window` after it is ready.
    const c = await member("c");
    started.push(c);
    const joinedReady = Date.now();
    await sleep(windowMs);
    const leaveAt = Date.now();
    log(`${protocol} round ${round}: the third member leaves (SIGTERM: drain, commit, leave the group)`);
    await c.stop();
    await sleep(leaveAt + windowMs - Date.now());
    await producer.stop();
    for (const worker of [a, b]) await worker.stop();
    const handled = ["a", "b", "c"].flatMap((id) => JSON.parse(readFileSync(traceFile(id), "utf8")) as Handled[]);
    return {
      protocol,
      round,
      steady: windowGaps(handled, PARTITIONS, steadyFrom, joinAt),
      changes: [
        { change: "join 2→3", ...windowGaps(handled, PARTITIONS, joinAt, leaveAt) },
        { change: "leave 3→2", ...windowGaps(handled, PARTITIONS, leaveAt, leaveAt + windowMs) },
      ],
      handled: handled.length,
      times: { steady: steadyFrom, join: joinAt, joinedReady, leave: leaveAt, end: leaveAt + windowMs },
    };
  } finally {
    await producer.stop();
    for (const worker of started) await worker.stop();
    const existing = await admin.describeTopics(declaredTopics(contracts).map((t) => ns.topic(t.logicalName)));
    await admin.deleteTopics([...existing.keys()]).catch((err) => log(`could not delete topics: ${err}`));
  }
}

const runs: ProtocolRun[] = [];
for (let round = 1; round <= rounds; round++) {
  const order = round % 2 === 1 ? protocols : [...protocols].reverse();
  for (const protocol of order) {
    const run = await runProtocol(protocol, round);
    runs.push(run);
    const show = (g: WindowGaps) => `worst partition ${g.worstPartition} ms, overall ${g.overall} ms`;
    log(`${protocol} round ${round}: steady ${show(run.steady)}`);
    for (const change of run.changes) log(`${protocol} round ${round}: ${change.change}: ${show(change)}`);
  }
}
await admin.disconnect();

// ---- report: per protocol and change, the median round and the spread (min–max) ----
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const cell = (xs: number[]) => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;
const rows: string[] = [];
for (const protocol of protocols) {
  const mine = runs.filter((r) => r.protocol === protocol);
  const windows: Array<[string, WindowGaps[]]> = [
    ["steady (no change)", mine.map((r) => r.steady)],
    ["join 2→3", mine.map((r) => r.changes[0] as WindowGaps)],
    ["leave 3→2", mine.map((r) => r.changes[1] as WindowGaps)],
  ];
  for (const [label, gaps] of windows) {
    const perPartition = (p: number) => cell(gaps.map((g) => g.perPartition[p] ?? Number.NaN));
    rows.push(
      `| ${protocol} | ${label} | ${cell(gaps.map((g) => g.worstPartition))} | ${cell(gaps.map((g) => g.overall))} | ${Array.from({ length: PARTITIONS }, (_, p) => perPartition(p)).join(" | ")} |`,
    );
  }
}
const markdown = [
  `# Rebalance pause: classic vs consumer (KIP-848), ${new Date().toISOString()}`,
  "",
  `${rounds} rounds, ${rate} events/s over ${PARTITIONS} partitions, ${windowMs / 1000} s observed after each change, ` +
    `cluster ${bootstrap}, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}. Longest gap in processing, ms: median round (min–max over rounds).`,
  "",
  `| protocol | window | worst partition | overall | ${Array.from({ length: PARTITIONS }, (_, p) => `p${p}`).join(" | ")} |`,
  `| --- | --- | --- | --- | ${Array.from({ length: PARTITIONS }, () => "---").join(" | ")} |`,
  ...rows,
  "",
].join("\n");
writeFileSync(join(outDir, `rebalance-${stamp}.json`), JSON.stringify({ rate, windowMs, settleMs, runs }, null, 2));
writeFileSync(join(outDir, `rebalance-${stamp}.md`), markdown);
console.log(`\n${markdown}`);
log(`report: ${join(outDir, `rebalance-${stamp}.md`)} (logs and traces in ${logDir})`);
