import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { bootstrapServers, clusterDown, clusterUp } from "./kafka/launcher.ts";

const run = promisify(execFile);
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
export const COMPOSE_BOOTSTRAP_SERVERS = "localhost:9092,localhost:9093,localhost:9094";

export type ClusterSource = "env" | "docker" | "launcher";

export interface Cluster {
  bootstrapServers: string;
  source: ClusterSource;
  /** Stops what this call started; a cluster that was already there is left alone. */
  stop(): Promise<void>;
}

/** True when a Docker engine answers, not just a client on the PATH. */
export async function dockerAnswers(): Promise<boolean> {
  try {
    await run("docker", ["info", "--format", "{{.ServerVersion}}"], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds a real Kafka in the documented order: KAFKA_BOOTSTRAP_SERVERS, then Docker
 * (`startDocker` decides how: compose for dev, testcontainers for tests), then the
 * repo's own launcher running Apache Kafka from Maven Central. KAFKA_PAIR_CLUSTER=docker or
 * =launcher picks one of the last two; KAFKA_PAIR_NO_DOCKER=1 is the same as =launcher.
 */
export async function resolveCluster(options: {
  env: Record<string, string | undefined>;
  log: (message: string) => void;
  startDocker: () => Promise<Cluster>;
}): Promise<Cluster> {
  const configured = options.env.KAFKA_BOOTSTRAP_SERVERS;
  if (configured) {
    options.log(`using the cluster at KAFKA_BOOTSTRAP_SERVERS=${configured}`);
    return { bootstrapServers: configured, source: "env", stop: async () => {} };
  }
  // KAFKA_PAIR_CLUSTER=docker insists on Docker (npm run test:docker): no silent fall-back to the launcher.
  const wanted = options.env.KAFKA_PAIR_CLUSTER;
  if (wanted !== undefined && wanted !== "docker" && wanted !== "launcher") {
    throw new Error(`KAFKA_PAIR_CLUSTER=${wanted}: expected docker or launcher`);
  }
  const dockerAllowed = wanted !== "launcher" && options.env.KAFKA_PAIR_NO_DOCKER !== "1";
  if (wanted === "docker" && !dockerAllowed) {
    throw new Error("KAFKA_PAIR_CLUSTER=docker contradicts KAFKA_PAIR_NO_DOCKER=1");
  }
  if (dockerAllowed && (await dockerAnswers())) {
    options.log("a Docker engine answers: starting the compose cluster");
    return options.startDocker();
  }
  if (wanted === "docker") {
    throw new Error("KAFKA_PAIR_CLUSTER=docker but no Docker engine answers `docker info` (check DOCKER_HOST)");
  }
  options.log("no KAFKA_BOOTSTRAP_SERVERS and no Docker engine: starting the local launcher cluster");
  const { started } = await clusterUp({ log: options.log });
  return {
    bootstrapServers: bootstrapServers(),
    source: "launcher",
    stop: async () => {
      if (started) await clusterDown({ log: options.log });
    },
  };
}

/** `docker compose up --wait`: the dev path, left running for the next `npm start`. */
export async function composeUp(log: (message: string) => void): Promise<Cluster> {
  await run("docker", ["compose", "-f", "compose.yaml", "up", "-d", "--wait", "kafka-1", "kafka-2", "kafka-3"], {
    cwd: repoRoot,
    timeout: 300_000,
  });
  log("compose cluster is up (the console on http://127.0.0.1:8989 is started by npm start)");
  return { bootstrapServers: COMPOSE_BOOTSTRAP_SERVERS, source: "docker", stop: async () => {} };
}

/**
 * Waits until the cluster can run transactions. A fresh cluster creates __transaction_state (50
 * partitions, RF 3) on the first InitProducerId and answers NOT_COORDINATOR until it has: a
 * transactional test that comes first would fail on that, not on what it tests. kafkajs retries
 * the coordinator errors itself; this gives it one transaction to do so with.
 */
export async function transactionsReady(bootstrapServers: string, timeoutMs = 120_000): Promise<void> {
  const producer = new Kafka({
    clientId: "kafka-pair-setup",
    brokers: bootstrapServers.split(","),
    logLevel: logLevel.NOTHING,
    retry: { maxRetryTime: timeoutMs, retries: 30 },
  }).producer({ transactionalId: `kafka-pair-setup-${process.pid}`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    await tx.abort();
  } finally {
    await producer.disconnect();
  }
}
