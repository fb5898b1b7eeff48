/**
 * When is a broker ready: its JVM is alive, it logged "Kafka Server started" (when we just launched
 * it), and its own metadata, asked through a Kafka client library, lists the brokers we expect.
 */
import { createConnection } from "node:net";
import { Kafka, logLevel } from "kafkajs";
import {
  BROKER_IDS,
  type BrokerId,
  brokerPaths,
  brokerPort,
  controllerPort,
  HOST,
  type Log,
  launcherDir,
  STARTED_MESSAGE,
  saslPort,
  sleep,
  tlsPort,
} from "./config.ts";
import { logSince, tail } from "./files.ts";
import { brokerPid } from "./processes.ts";

export interface ClusterMetadata {
  clusterId: string | null;
  controllerId: number;
  brokers: Array<{ nodeId: number; host: string; port: number }>;
}

const CLIENT_ID = "kafka-pair-launcher";

/**
 * One Metadata request to the broker on `port` alone, through kafkajs' admin client (pure
 * JavaScript, already a dependency of shared/, and it runs on Node 20, which @platformatic/kafka
 * does not; no JVM start, so a probe costs a few round trips).
 */
export async function metadataProbe(port: number, timeoutMs = 2_000): Promise<ClusterMetadata> {
  const admin = new Kafka({
    clientId: CLIENT_ID,
    brokers: [`${HOST}:${port}`],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      clusterId: cluster.clusterId ?? null,
      controllerId: cluster.controller ?? -1,
      brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export function portAccepts(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((res) => {
    const sock = createConnection({ host: HOST, port });
    const done = (ok: boolean) => {
      sock.destroy();
      res(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** Fail before spawning anything if a foreign process holds one of our ports. */
export async function assertPortsFree(ids: readonly BrokerId[]): Promise<void> {
  for (const id of ids) {
    const ports = [brokerPort(id), controllerPort(id), saslPort(id), tlsPort(id)].filter((p) => p !== null);
    for (const port of ports) {
      if (await portAccepts(port, 500)) {
        throw new Error(`port ${port} is already in use by something other than broker ${id} of ${launcherDir()}`);
      }
    }
  }
}

/** Spawn a detached broker JVM; returns the byte offset of its log before start (to look for the started line). */

export async function brokerFailure(id: BrokerId, why: string, logOffset?: number): Promise<Error> {
  const p = brokerPaths(id);
  // Only what this start wrote: an older run's last lines would point at the wrong problem.
  const text =
    logOffset === undefined ? await tail(p.log) : (await logSince(p.log, logOffset)).split("\n").slice(-41).join("\n");
  const parts = [`broker ${id} ${why}`, `--- tail of ${p.log} ---`, text.trim() || "(nothing logged yet)"];
  const out = (await tail(p.stdout, 20)).trim();
  if (out) parts.push(`--- tail of ${p.stdout} ---`, out);
  return new Error(parts.join("\n"));
}

/**
 * Ready = JVM alive, "Kafka Server started" logged (for ones we just launched), and its own
 * metadata lists every broker in `expected()` (all three for clusterUp; whoever is alive for a
 * single restart, so bringing back one of two dead brokers does not wait for the other).
 */
export async function waitReady(
  ids: readonly BrokerId[],
  starting: Map<BrokerId, number>,
  clusterId: string,
  timeoutMs: number,
  log: Log,
  expected: () => readonly BrokerId[] = () => BROKER_IDS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const logged = new Set<BrokerId>();
  let lastWhy = new Map<BrokerId, string>();
  for (;;) {
    const why = new Map<BrokerId, string>();
    for (const id of ids) {
      if (brokerPid(id) === null) throw await brokerFailure(id, "exited while starting", starting.get(id));
      const offset = starting.get(id);
      if (offset !== undefined && !logged.has(id)) {
        if ((await logSince(brokerPaths(id).log, offset)).includes(STARTED_MESSAGE)) logged.add(id);
        else {
          why.set(id, `no "${STARTED_MESSAGE}" in its log yet`);
          continue;
        }
      }
      let md: ClusterMetadata;
      try {
        md = await metadataProbe(brokerPort(id), 2_000);
      } catch (e) {
        why.set(id, `metadata request failed: ${(e as Error).message}`);
        continue;
      }
      if (md.clusterId !== clusterId) {
        throw await brokerFailure(
          id,
          `answers with cluster id ${md.clusterId}, expected ${clusterId}`,
          starting.get(id),
        );
      }
      const seen = md.brokers.map((b) => b.nodeId).sort();
      if (!expected().every((n) => seen.includes(n))) why.set(id, `metadata lists brokers [${seen.join(",")}]`);
    }
    if (why.size === 0) return;
    if (Date.now() > deadline) {
      const [id, reason] = [...why][0] as [BrokerId, string];
      throw await brokerFailure(id, `not ready after ${Math.round(timeoutMs / 1000)} s: ${reason}`, starting.get(id));
    }
    if ([...why].join() !== [...lastWhy].join()) {
      for (const [id, reason] of why) log(`waiting for broker ${id}: ${reason}`);
    }
    lastWhy = why;
    await sleep(500);
  }
}
