/**
 * Broker JVMs as detached processes tracked by pid files: they outlive the Node process that
 * started them, and any later process can find and stop them.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  assertBrokerId,
  BROKER_IDS,
  type BrokerId,
  brokerPaths,
  brokerPort,
  javaBin,
  type Log,
  launcherDir,
  STOP_GRACE_MS,
  sleep,
} from "./config.ts";
import { fetchKafka } from "./fetch.ts";
import { fileSize } from "./files.ts";

function cmdlineOf(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw ? raw.split("\0") : null; // empty for zombies
  } catch {
    return null;
  }
}

// A pid only counts if it is a live process running *this* broker's config; pids get reused.
function isBrokerProcess(pid: number, id: BrokerId): boolean {
  if (!existsSync("/proc/self")) {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  return cmdlineOf(pid)?.includes(brokerPaths(id).config) ?? false;
}

function recordedPid(id: BrokerId): number | null {
  try {
    const pid = Number.parseInt(readFileSync(brokerPaths(id).pid, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

// Fallback for a lost/overwritten pid file: look for a JVM running this broker's config.
function scanForBroker(id: BrokerId): number | null {
  if (!existsSync("/proc/self")) return null;
  const config = brokerPaths(id).config;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid !== process.pid && cmdlineOf(pid)?.includes(config)) return pid;
  }
  return null;
}

/** Pid of the live JVM for broker `id`, or null if it is not running. */
export function brokerPid(id: BrokerId): number | null {
  assertBrokerId(id);
  const pid = recordedPid(id);
  if (pid !== null && isBrokerProcess(pid, id)) return pid;
  return scanForBroker(id);
}

export async function clusterStatus(): Promise<
  Array<{ id: number; port: number; pid: number | null; alive: boolean }>
> {
  return BROKER_IDS.map((id) => {
    const live = brokerPid(id);
    return { id, port: brokerPort(id), pid: live ?? recordedPid(id), alive: live !== null };
  });
}

async function waitGone(pid: number, id: BrokerId, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isBrokerProcess(pid, id)) return true;
    await sleep(100);
  }
  return !isBrokerProcess(pid, id);
}

/**
 * Send `signal` to broker `id` and wait until it is gone. A SIGTERM that has not
 * finished a controlled shutdown within ~20 s is escalated to SIGKILL.
 * Returns false if the broker was not running.
 */
export async function killBroker(id: BrokerId, signal: NodeJS.Signals = "SIGTERM"): Promise<boolean> {
  assertBrokerId(id);
  const pid = brokerPid(id);
  if (pid === null) {
    await rm(brokerPaths(id).pid, { force: true });
    return false;
  }
  try {
    process.kill(pid, signal);
  } catch {
    // already exited between the check and the signal
  }
  if (!(await waitGone(pid, id, signal === "SIGKILL" ? 5_000 : STOP_GRACE_MS))) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    if (!(await waitGone(pid, id, 5_000))) throw new Error(`broker ${id} (pid ${pid}) survived SIGKILL`);
  }
  await rm(brokerPaths(id).pid, { force: true });
  return true;
}

function jvmArgs(id: BrokerId): string[] {
  // KAFKA_HEAP_OPTS keeps its upstream meaning for anyone who needs a bigger heap.
  const heap = (process.env.KAFKA_HEAP_OPTS || "-Xms256m -Xmx1g").split(/\s+/).filter(Boolean);
  return [
    ...heap,
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
    `-Dlog4j2.configurationFile=${join(launcherDir(), "log4j2-broker.properties")}`,
    `-Dkafka.broker.log=${brokerPaths(id).log}`,
  ];
}

export async function spawnBroker(id: BrokerId, log: Log): Promise<number> {
  const p = brokerPaths(id);
  const { classpath } = await fetchKafka();
  const logOffset = await fileSize(p.log);
  const out = openSync(p.stdout, "a");
  const child = spawn(javaBin(), [...jvmArgs(id), "-cp", classpath, "kafka.Kafka", p.config], {
    cwd: p.dir,
    detached: true, // own session: survives Ctrl-C and the death of this Node process
    stdio: ["ignore", out, out],
  });
  closeSync(out);
  const spawnError = new Promise<Error>((res) => child.once("error", res));
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start broker ${id}: ${(await spawnError).message}`);
  await writeFile(p.pid, `${child.pid}\n`);
  log(`broker ${id} starting (pid ${child.pid}, port ${brokerPort(id)}, log ${p.log})`);
  return logOffset;
}
