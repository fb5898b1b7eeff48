import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./workers.ts";

/** The tutorial's server B (bench/spring-b): Spring Boot 4.0.7 + spring-kafka, from Maven Central. */
export const springDir = join(repoRoot, "bench/spring-b");
export const springJar = join(springDir, "target/spring-b.jar");

/** The newest modification time among the peer's sources (pom and src/). */
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
 * Builds the peer on first use (Maven fetches Spring Boot and the Kafka client from Maven
 * Central), and again when its sources changed; otherwise the jar is reused.
 */
export function ensureSpringB(log: (message: string) => void): string {
  if (existsSync(springJar) && statSync(springJar).mtimeMs >= newestSource()) return springJar;
  log("building the Spring Boot peer (bench/spring-b) with Maven");
  const built = spawnSync("mvn", ["-q", "-B", "-DskipTests", "package"], { cwd: springDir, stdio: "inherit" });
  if (built.status !== 0 || !existsSync(springJar)) {
    throw new Error(`mvn package in bench/spring-b failed (exit ${built.status ?? built.error?.message})`);
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
  return spawn("java", ["-jar", springJar], {
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
