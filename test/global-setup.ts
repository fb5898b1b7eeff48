import { DockerComposeEnvironment, Wait } from "testcontainers";
import type { TestProject } from "vitest/node";
import {
  type Cluster,
  COMPOSE_BOOTSTRAP_SERVERS,
  repoRoot,
  resolveCluster,
  transactionsReady,
} from "../scripts/cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    bootstrapServers: string;
    clusterSource: string;
  }
}

/**
 * Testcontainers runs the same compose.yaml the README uses for development (KAFKA_IMAGE picks the
 * image, as for `docker compose`). Kafka UI is not started: the tests don't use it.
 */
async function startWithTestcontainers(): Promise<Cluster> {
  const environment = await new DockerComposeEnvironment(repoRoot, "compose.yaml")
    // Three JVMs plus a JVM per health check: well past the 60 s default on a busy 2-core machine.
    .withStartupTimeout(240_000)
    .withWaitStrategy("kafka-1-1", Wait.forHealthCheck())
    .withWaitStrategy("kafka-2-1", Wait.forHealthCheck())
    .withWaitStrategy("kafka-3-1", Wait.forHealthCheck())
    .up(["kafka-1", "kafka-2", "kafka-3"]);
  return {
    bootstrapServers: COMPOSE_BOOTSTRAP_SERVERS,
    source: "docker",
    stop: async () => {
      await environment.down();
    },
  };
}

let cluster: Cluster | undefined;

export async function setup(project: TestProject) {
  cluster = await resolveCluster({
    env: process.env,
    log: (message) => console.log(`[kafka] ${message}`),
    startDocker: startWithTestcontainers,
  });
  await transactionsReady(cluster.bootstrapServers);
  project.provide("bootstrapServers", cluster.bootstrapServers);
  project.provide("clusterSource", cluster.source);
}

export async function teardown() {
  // KEEP_KAFKA=1 leaves a launcher cluster running for the next local run.
  if (process.env.KEEP_KAFKA !== "1") await cluster?.stop();
}
