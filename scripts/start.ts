/**
 * `npm start`: a Kafka cluster (configured, Docker, or the local launcher), then both
 * workers and the console (console/, on http://127.0.0.1:8989). Their logs share stdout: coloured lines with the worker's name in a terminal,
 * JSON lines otherwise (shared/src/runtime/log.ts). Ctrl-C stops the workers gracefully; the
 * cluster keeps running (`npm run kafka:down` stops a launcher cluster).
 * `npm run dev` (`--watch`): the same, each worker restarting when its code changes (`node --watch`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { composeUp, repoRoot, resolveCluster } from "./cluster.ts";

const watch = process.argv.includes("--watch");

const log = (message: string) => console.error(`[start] ${message}`);
const cluster = await resolveCluster({ env: process.env, log, startDocker: () => composeUp(log) });

// Each process takes its default port (producer 3000, consumer 3001, console 8989): a shared PORT would collide.
const { PORT: _ignored, ...env } = process.env;
const workers: ChildProcess[] = ["producer", "consumer", "console"].map((name) =>
  spawn(
    process.execPath,
    watch
      ? // Node's own watch mode, not tsx watch: on a restart or a stop it waits for the worker's
        // graceful drain, where tsx watch kills it after 5 s, and SIGKILLs it on a relayed signal.
        ["--watch", "--watch-preserve-output", "--import", "tsx", `${name}/src/main.ts`]
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
// A terminal's Ctrl-C reaches the workers directly too: they take this relayed copy for the
// same request (shared/src/runtime/signals.ts). A second Ctrl-C later is passed on and forces them out.
const stop = () => {
  stopping = true;
  for (const worker of workers) if (worker.exitCode === null && worker.signalCode === null) worker.kill("SIGTERM");
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

// One worker dying takes the other down too: a half-running pair is worse than none.
const codes = await Promise.all(
  workers.map(
    (w) =>
      new Promise<number>((resolve) =>
        w.on("exit", (code) => {
          if (!stopping) stop();
          resolve(code ?? 1);
        }),
      ),
  ),
);
// 0 only when asked to stop and both workers drained cleanly.
process.exit(stopping && codes.every((code) => code === 0) ? 0 : 1);
