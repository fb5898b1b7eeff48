/**
 * `npm start`: a Kafka cluster (configured, Docker, or the local launcher), then both
 * workers and the console (console/, on http://127.0.0.1:8989). Their logs share stdout: coloured lines with the worker's name in a terminal,
 * JSON lines otherwise (shared/src/log.ts). Ctrl-C stops the workers gracefully; the
 * cluster keeps running (`npm run kafka:down` stops a launcher cluster).
 * `npm run dev` (`--watch`): the same, each worker restarting when its code changes (tsx watch).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { composeUp, repoRoot, resolveCluster } from "./cluster.ts";

const watch = process.argv.includes("--watch");
const tsxCli = createRequire(import.meta.url).resolve("tsx/cli");

const log = (message: string) => console.error(`[start] ${message}`);
const cluster = await resolveCluster({ env: process.env, log, startDocker: () => composeUp(log) });

// Each process takes its default port (producer 3000, consumer 3001, console 8989): a shared PORT would collide.
const { PORT: _ignored, ...env } = process.env;
const workers: ChildProcess[] = ["producer", "consumer", "console"].map((name) =>
  spawn(
    process.execPath,
    watch
      ? [tsxCli, "watch", "--clear-screen=false", `${name}/src/main.ts`]
      : ["--import", "tsx", `${name}/src/main.ts`],
    {
      cwd: repoRoot,
      env: { ...env, KAFKA_BOOTSTRAP_SERVERS: cluster.bootstrapServers },
      stdio: "inherit",
    },
  ),
);
log("producer on http://localhost:3000, consumer on http://localhost:3001, console on http://127.0.0.1:8989");

let stopping = false;
const stop = (signal: NodeJS.Signals) => {
  stopping = true;
  for (const worker of workers) worker.kill(signal);
};
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGTERM", () => stop("SIGTERM"));

// One worker dying takes the other down too: a half-running pair is worse than none.
for (const worker of workers) worker.on("exit", () => !stopping && stop("SIGTERM"));
await Promise.all(workers.map((w) => new Promise((resolve) => w.on("exit", resolve))));
process.exit(stopping ? 0 : 1);
