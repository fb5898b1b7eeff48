import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import confluent from "@confluentinc/kafka-javascript";
import { freePort } from "../../scripts/free-port.ts";
import {
  type BrokerId,
  brokerPid,
  clusterUp,
  killBroker,
  launcherDir,
  startBroker,
} from "../../scripts/kafka/launcher.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, GiveUp } from "../helpers/kafka.ts";
import { FAULT_CLUSTER, withFaultLauncher } from "./fault-cluster.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

// ---------------------------------------------------------------- figures

/** What a fault case measured: the columns of the Guarantees table, and anything else worth a line. */
export interface Figures {
  acknowledged: number;
  readBack: number;
  lost: number;
  duplicated: number;
  [extra: string]: number | string;
}

/** Prints the case's figures; under `npm run faults` (FAULTS_RESULTS_DIR) also keeps them for the report. */
export function reportFigures(name: string, figures: Figures): void {
  console.log(`[faults] ${name}: ${JSON.stringify(figures)}`);
  const dir = process.env.FAULTS_RESULTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "figures.json");
  let all: Record<string, Figures> = {};
  try {
    all = JSON.parse(readFileSync(file, "utf8")) as Record<string, Figures>;
  } catch {}
  all[name] = figures;
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
}

// ---------------------------------------------------------------- fault cluster brokers

/** Refuses to act unless the launcher really points at the fault cluster: the shared brokers are never touched. */
function onFaultCluster<T>(fn: () => Promise<T>): Promise<T> {
  return withFaultLauncher(async () => {
    if (launcherDir() !== FAULT_CLUSTER.dir)
      throw new Error(`launcher points at ${launcherDir()}, not the fault cluster`);
    return fn();
  });
}

export const faultBrokers = {
  kill: (id: BrokerId) => onFaultCluster(() => killBroker(id, "SIGKILL")),
  start: (id: BrokerId) => onFaultCluster(() => startBroker(id, { timeoutMs: 180_000 })),
  up: () => onFaultCluster(() => clusterUp({ timeoutMs: 180_000 })),
  pid: (id: BrokerId) => withFaultLauncher(async () => brokerPid(id)),
};

// ---------------------------------------------------------------- workers that may not become ready

export interface SpawnedWorker {
  url: string;
  process: ChildProcess;
  alive(): boolean;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts a worker as a child process and waits only until it serves /health (not /ready):
 * the fault cases start workers against clusters that are down or refuse them.
 */
export async function spawnWorker(name: "producer" | "consumer", env: Record<string, string>): Promise<SpawnedWorker> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", `${name}/src/main.ts`], {
    cwd: root,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (chunk: string) => {
    out = (out + chunk).slice(-200_000);
  };
  child.stdout?.setEncoding("utf8").on("data", keep);
  child.stderr?.setEncoding("utf8").on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const worker: SpawnedWorker = {
    url: `http://127.0.0.1:${port}`,
    process: child,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (worker.alive()) child.kill(signal);
      const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
  await eventually(
    async () => {
      if (!worker.alive()) throw new GiveUp(`${name} exited: ${out.slice(-2000)}`);
      const res = await fetch(`${worker.url}/health`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    60_000,
    `${name} to serve /health`,
  );
  return worker;
}

export async function readyStatus(url: string): Promise<number> {
  const res = await fetch(`${url}/ready`).catch(() => undefined);
  await res?.body?.cancel();
  return res?.status ?? 0;
}

// ---------------------------------------------------------------- load

export interface Outcome {
  id: string;
  status: number;
  ms: number;
}

/**
 * Posts `total` single orders from `concurrency` clients, each with its own Idempotency-Key
 * (which becomes the event id, `ce_id`), and records every answer. A refused connection counts as status 0.
 */
export async function produceOrders(
  url: string,
  options: { total: number; concurrency: number; onAnswer?: (o: Outcome, done: number) => void },
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const client = async () => {
    while (next < options.total) {
      next++;
      const id = randomUUID();
      const t0 = performance.now();
      let status = 0;
      try {
        const res = await fetch(`${url}/topics/orders`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": id },
          body: JSON.stringify(anOrder()),
        });
        await res.arrayBuffer();
        status = res.status;
      } catch {}
      const outcome = { id, status, ms: performance.now() - t0 };
      outcomes.push(outcome);
      options.onAnswer?.(outcome, outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return outcomes;
}

// ---------------------------------------------------------------- reading back

export interface ReadBack {
  /** Occurrences of each ce_id. */
  counts: Map<string, number>;
  records: Array<{ id: string; partition: number; offset: string; key: string | null; value: string }>;
}

/**
 * Reads a topic of any cluster from the beginning (read_committed by default) until `until`
 * holds and nothing new arrived for `idleMs`, or `timeoutMs` passed.
 */
export async function readBack(
  bootstrapServers: string,
  topic: string,
  options: {
    until: (read: ReadBack) => boolean;
    isolation?: "read_committed" | "read_uncommitted";
    idleMs?: number;
    timeoutMs?: number;
  },
): Promise<ReadBack> {
  const kafka = new confluent.KafkaJS.Kafka({
    kafkaJS: { brokers: bootstrapServers.split(","), logLevel: confluent.KafkaJS.logLevel.NOTHING },
  });
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: `fault-reader-${randomUUID()}`,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: options.isolation === "read_uncommitted",
    },
  });
  const read: ReadBack = { counts: new Map(), records: [] };
  let last = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const raw = message.headers?.ce_id;
        const id = (Array.isArray(raw) ? raw[0] : raw)?.toString() ?? "";
        read.counts.set(id, (read.counts.get(id) ?? 0) + 1);
        read.records.push({
          id,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? "",
        });
        last = Date.now();
      },
    });
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const idle = options.idleMs ?? 3_000;
    while (Date.now() < deadline && !(options.until(read) && Date.now() - last > idle)) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await consumer.disconnect();
  }
  return read;
}

/** Acknowledged vs read back: the Guarantees columns, plus what became of the 5xx answers. */
export function tally(outcomes: Outcome[], read: ReadBack): Figures {
  const acked = outcomes.filter((o) => o.status >= 200 && o.status < 300);
  const failed = outcomes.filter((o) => o.status >= 500 || o.status === 0);
  const lost = acked.filter((o) => !read.counts.has(o.id)).length;
  const duplicated = [...read.counts.values()].filter((n) => n > 1).length;
  return {
    acknowledged: acked.length,
    readBack: acked.length - lost,
    lost,
    duplicated,
    requests: outcomes.length,
    answered5xx: failed.length,
    answered5xxButStored: failed.filter((o) => read.counts.has(o.id)).length,
    statuses: JSON.stringify(countBy(outcomes.map((o) => o.status))),
  };
}

export function countBy<T extends string | number>(values: T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/** RSS of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}
