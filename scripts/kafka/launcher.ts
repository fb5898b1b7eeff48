/**
 * Local 3-broker Apache Kafka cluster (KRaft, combined broker+controller nodes) run straight from
 * Maven Central jars with the machine's JVM — no Docker. This module is the public API (used by
 * scripts/cluster.ts, the CLI, test/, faults/ and bench/); the pieces live beside it:
 *   config.ts          versions, ports, paths, env (KAFKA_LAUNCHER_DIR, _PORT_BASE, _SCRAM_USERS, _TLS)
 *   broker-settings.ts the broker settings shared with compose.yaml
 *   fetch.ts           jars from Maven Central, Kafka's Java tools
 *   storage.ts         server.properties, cluster id, storage format
 *   tls.ts             the optional SSL listener's CA and certificate
 *   processes.ts       detached broker JVMs, pid files, stop/kill
 *   lock.ts            one state-changing operation at a time
 *   readiness.ts       readiness through a Kafka admin client
 *
 * A second, independent cluster (e.g. for fault injection) needs its own state dir and ports:
 *   KAFKA_LAUNCHER_DIR=/tmp/faults KAFKA_LAUNCHER_PORT_BASE=9192  → brokers 9192-9194, controllers 19192-19194
 */
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import {
  assertBrokerId,
  BROKER_IDS,
  type BrokerId,
  bootstrapServers,
  brokerPaths,
  DEFAULT_UP_TIMEOUT_MS,
  type Log,
  launcherDir,
  quiet,
} from "./config.ts";
import { withLock } from "./lock.ts";
import { brokerPid, killBroker, spawnBroker } from "./processes.ts";
import { assertPortsFree, waitReady } from "./readiness.ts";
import { prepare } from "./storage.ts";

export { CLUSTER_SETTINGS } from "./broker-settings.ts";
export {
  BOOTSTRAP_SERVERS,
  BROKER_IDS,
  BROKER_PORTS,
  type BrokerId,
  bootstrapServers,
  brokerPaths,
  brokerPort,
  CONTROLLER_PORTS,
  cacheDir,
  KAFKA_VERSION,
  launcherDir,
  portBase,
  saslBootstrapServers,
  saslPort,
  scramUsers,
  tlsBootstrapServers,
  tlsPaths,
  tlsPort,
} from "./config.ts";
export { fetchKafka, type JavaResult, kafkaJava } from "./fetch.ts";
export { brokerPid, clusterStatus, killBroker } from "./processes.ts";
export { type ClusterMetadata, metadataProbe } from "./readiness.ts";

/** Bring all three brokers up (fetching and formatting as needed) and wait until the cluster is usable. */
export async function clusterUp(
  opts: { log?: Log; timeoutMs?: number } = {},
): Promise<{ bootstrapServers: string; started: boolean }> {
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const clusterId = await prepare(log);
    const toStart = BROKER_IDS.filter((id) => brokerPid(id) === null);
    await assertPortsFree(toStart);
    const starting = new Map<BrokerId, number>();
    try {
      for (const id of toStart) {
        await rm(brokerPaths(id).pid, { force: true });
        starting.set(id, await spawnBroker(id, log));
      }
      await waitReady(BROKER_IDS, starting, clusterId, opts.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS, log);
    } catch (e) {
      // Leave nothing half-started behind; brokers that were already up are not ours to stop.
      await Promise.all([...starting.keys()].map((id) => killBroker(id, "SIGKILL").catch(() => false)));
      throw e;
    }
    if (starting.size) log(`cluster ready at ${bootstrapServers()}`);
    return { bootstrapServers: bootstrapServers(), started: starting.size > 0 };
  });
}

/** (Re)start one broker, e.g. after killBroker(id, "SIGKILL") in a fault test, and wait until it has rejoined. */
export async function startBroker(
  id: BrokerId,
  opts: { log?: Log; timeoutMs?: number; wait?: boolean } = {},
): Promise<{ pid: number; started: boolean }> {
  assertBrokerId(id);
  const log = opts.log ?? quiet;
  return withLock(async () => {
    const running = brokerPid(id);
    if (running !== null) return { pid: running, started: false };
    const clusterId = await prepare(log);
    await assertPortsFree([id]);
    const offset = await spawnBroker(id, log);
    if (opts.wait !== false) {
      try {
        const alive = () => BROKER_IDS.filter((n) => brokerPid(n) !== null);
        await waitReady([id], new Map([[id, offset]]), clusterId, opts.timeoutMs ?? DEFAULT_UP_TIMEOUT_MS, log, alive);
      } catch (e) {
        await killBroker(id, "SIGKILL").catch(() => false);
        throw e;
      }
    }
    return { pid: brokerPid(id) ?? -1, started: true };
  });
}

/** Stop every broker (SIGTERM, SIGKILL after ~20 s); `wipe` also deletes the whole state dir. */
export async function clusterDown(opts: { wipe?: boolean; log?: Log } = {}): Promise<void> {
  const log = opts.log ?? quiet;
  const dir = launcherDir();
  if (!existsSync(dir)) return;
  await withLock(async () => {
    const stopped = await Promise.all(BROKER_IDS.map((id) => killBroker(id, "SIGTERM")));
    const n = stopped.filter(Boolean).length;
    log(n ? `stopped ${n} broker(s)` : "no broker was running");
    if (opts.wipe) {
      // Refuse to rm -rf a directory this launcher did not create (KAFKA_LAUNCHER_DIR typo).
      if (!existsSync(join(dir, ".kafka-launcher"))) throw new Error(`${dir} is not a launcher state dir; not wiping`);
      await rm(dir, { recursive: true, force: true });
      log(`wiped ${dir}`);
    }
  });
}
