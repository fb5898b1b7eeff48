import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../../scripts/free-port.ts";
import { type BenchWorker, repoRoot, superviseWorker } from "./workers.ts";

/**
 * The tutorial's Spring Boot servers (bench/spring): Spring Boot 4.0.7 + spring-kafka from Maven
 * Central, one jar whose first argument picks server A (the producer) or server B (the consumer).
 */
export const springDir = join(repoRoot, "bench/spring");
export const springJar = join(springDir, "target/spring-peers.jar");

/** The newest modification time among the peers' sources (pom and src/). */
function newestSource(path = springDir): number {
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === "target") continue;
    const full = join(path, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * Builds the peers on first use (Maven fetches Spring Boot and the Kafka client from Maven
 * Central), and again when their sources changed; otherwise the jar is reused.
 */
export function ensureSpring(log: (message: string) => void): string {
  if (existsSync(springJar) && statSync(springJar).mtimeMs >= newestSource()) return springJar;
  log("building the Spring Boot peers (bench/spring) with Maven");
  const built = spawnSync("mvn", ["-q", "-B", "-DskipTests", "package"], { cwd: springDir, stdio: "inherit" });
  if (built.status !== 0 || !existsSync(springJar)) {
    throw new Error(`mvn package in bench/spring failed (exit ${built.status ?? built.error?.message})`);
  }
  return springJar;
}

/** Starts server B on the benchmark's topic with its own group; its log goes to `logFile`'s descriptor. */
export function startSpringB(options: {
  bootstrapServers: string;
  topic: string;
  group: string;
  concurrency: number;
  ioMs: number;
  statsFile: string;
  logFd: number;
}) {
  return spawn("java", ["-jar", springJar, "server-b"], {
    cwd: springDir,
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: options.bootstrapServers,
      BENCH_TOPIC: options.topic,
      BENCH_GROUP: options.group,
      BENCH_CONCURRENCY: String(options.concurrency),
      BENCH_IO_MS: String(options.ioMs),
      BENCH_STATS_FILE: options.statsFile,
    },
    stdio: ["ignore", options.logFd, options.logFd],
  });
}

/**
 * Starts server A (POST /topics/orders → KafkaTemplate.send to `topic`, keyed by orderId, 201
 * once the send result is in) on a free loopback port; resolves once its /ready answers.
 */
export async function startSpringA(options: {
  bootstrapServers: string;
  topic: string;
  logDir: string;
}): Promise<BenchWorker> {
  const port = await freePort();
  mkdirSync(options.logDir, { recursive: true });
  const logFile = join(options.logDir, "spring-a.log");
  const logFd = openSync(logFile, "a");
  const child = spawn("java", ["-jar", springJar, "server-a"], {
    cwd: springDir,
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: options.bootstrapServers,
      BENCH_TOPIC: options.topic,
      BENCH_PORT: String(port),
    },
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  return superviseWorker({ name: "spring-a", child, url: `http://127.0.0.1:${port}`, logFile });
}
