import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { inject } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { eventually, GiveUp } from "./kafka.ts";
import { atFileEnd } from "./teardown.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));

export interface LogLine {
  msg: string;
  level: number;
  [field: string]: unknown;
}

export interface Worker {
  name: "producer" | "consumer" | "console";
  url: string;
  process: ChildProcess;
  /** Every JSON log line the worker printed so far. */
  logs: LogLine[];
  /** SIGTERM, then resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Resolves with the exit code once the process has exited (by itself or after stop). */
  exited: Promise<number | null>;
  /** Sends a signal to the worker's whole process group, as a terminal's Ctrl-C does (with `command`). */
  signalGroup(signal: NodeJS.Signals): void;
}

/** Which runtime runs a worker: Node (main.ts, librdkafka) or Deno (main.deno.ts, @platformatic/kafka). */
export type Runtime = "node" | "deno";

/** The Deno binary the `deno` npm package installs, and the permissions the deno.json tasks grant. */
export const denoBin = `${root}node_modules/.bin/deno`;
export const denoPermissions = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys", "--allow-ffi"];

/**
 * Runs a Deno probe script to its end and returns the JSON line it printed that starts with
 * `{"<key>"` (its outcome), with everything it wrote to stdout; a non-zero exit or no such line
 * rejects with the tail of its stderr.
 */
export function runDenoScript<T>(
  script: string,
  env: Record<string, string>,
  key: string,
): Promise<{ outcome: T; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(denoBin, ["run", ...denoPermissions, script], {
      cwd: root,
      env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.on("exit", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith(`{"${key}"`));
      if (code !== 0 || !line) reject(new Error(`deno exited with ${code}: ${stderr.slice(-2000)}`));
      else resolve({ outcome: JSON.parse(line) as T, stdout });
    });
  });
}

/**
 * Every worker this spec file started, stopped together after its tests; a worker still up
 * 30 s after SIGTERM is killed. Registered with the first start, so it runs before the
 * file's namespace is deleted (clean-ups run newest first).
 */
const started = new Set<Worker>();
async function stopAll() {
  await Promise.all(
    [...started].map(async (worker) => {
      const killer = setTimeout(() => worker.process.kill("SIGKILL"), 30_000);
      await worker.stop();
      clearTimeout(killer);
    }),
  );
}

let fileDatabase: { dir: string; url: string } | undefined;

/**
 * The consumers of one spec file share one SQLite database (as the workers of one team share one),
 * in a folder of its own removed after the file's tests: restarts keep their positions and rows,
 * files and runs never see each other's. The folder is under the repo's git-ignored data/, which the
 * deno tasks may write (`deno task start:consumer` is started as users type it). A spec may pass its
 * own DATABASE_URL (a PostgreSQL one).
 */
function workerDatabase(): { dir: string; url: string } {
  if (!fileDatabase) {
    mkdirSync(join(root, "data"), { recursive: true });
    const dir = mkdtempSync(join(root, "data", "test-"));
    fileDatabase = { dir, url: `sqlite:${join(dir, "consumer.db")}` };
    atFileEnd(() => rmSync(dir, { recursive: true, force: true }));
  }
  return fileDatabase;
}

/**
 * The spec's extra Deno permissions, with write access to the consumer's database folder (the tasks
 * grant ./data). Deno honours the narrowest --allow-write it is given, so the folder joins a scoped
 * one and an unscoped one is left alone.
 */
function denoAllow(extra: readonly string[], databaseDir: string | undefined): string[] {
  if (!databaseDir || extra.includes("--allow-write")) return [...extra];
  const scoped = extra.filter((flag) => flag.startsWith("--allow-write="));
  const others = extra.filter((flag) => !flag.startsWith("--allow-write="));
  const folders = [...scoped.flatMap((flag) => flag.slice("--allow-write=".length).split(",")), databaseDir];
  return [...others, `--allow-write=${folders.join(",")}`];
}

interface SpawnOptions {
  runtime?: Runtime /** Deno permissions beyond the tasks' (a test handler writing files). */;
  denoAllow?: string[];
  /**
   * The command line a user types (`node --watch …`, `deno task …`) instead of the plain
   * entry point; it then runs in a process group of its own, for signalGroup.
   */
  command?: [string, ...string[]];
}

/** A worker process on the test cluster, on a free port, with its output piped. */
async function spawnWorker(name: Worker["name"], env: Record<string, string>, options: SpawnOptions) {
  const port = await freePort();
  const database = name === "consumer" ? workerDatabase() : undefined;
  const [command, args] = options.command
    ? [options.command[0], options.command.slice(1)]
    : options.runtime === "deno"
      ? [
          denoBin,
          ["run", ...denoPermissions, ...denoAllow(options.denoAllow ?? [], database?.dir), `${name}/src/main.deno.ts`],
        ]
      : [process.execPath, ["--import", "tsx", `${name}/src/main.ts`]];
  const child = spawn(command, args, {
    detached: options.command !== undefined,
    cwd: root,
    env: {
      ...process.env,
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
      KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
      PORT: String(port),
      HOST: "127.0.0.1",
      // Debug: the specs follow each message by the consumer's per-message "processed" line (debug since issue 15).
      LOG_LEVEL: "debug",
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { child, port };
}

/** Runs a worker that is expected to refuse to start: resolves with its exit code and everything it printed. */
export async function runRefusedWorker(
  name: Worker["name"],
  env: Record<string, string>,
  options: Pick<SpawnOptions, "runtime"> = {},
): Promise<{ code: number | null; output: string }> {
  const { child } = await spawnWorker(name, env, options);
  let output = "";
  const collect = (chunk: string) => {
    output += chunk;
  };
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, output };
}

/**
 * Starts a worker as a real child process against the test cluster, waits for /ready,
 * and stops it after the file's tests.
 */
export async function startWorker(
  name: Worker["name"],
  env: Record<string, string> = {},
  options: SpawnOptions = {},
): Promise<Worker> {
  const { child, port } = await spawnWorker(name, env, options);
  const logs: LogLine[] = [];
  const stderr: string[] = [];
  let buffered = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        stderr.push(line);
      }
    }
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  let stopping = false;
  let ready = false;
  // A signal a spec sends (worker.process.kill, as a terminal or an orchestrator would) is a stop too.
  const kill = child.kill.bind(child);
  child.kill = (signal) => {
    stopping = true;
    return kill(signal);
  };
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code, signal) => {
      // A worker that dies by itself mid-spec fails the spec later and elsewhere: say why here.
      // SIGKILL is left out: the crash-point specs' workers kill themselves so, and it leaves nothing to print.
      // Before /ready the start's own error says it, with the same stderr.
      if (ready && !stopping && code !== 0 && signal !== "SIGKILL")
        process.stderr.write(
          `${name} (pid ${child.pid}) exited by itself with ${code ?? signal}; its last log lines and stderr:\n${logs
            .slice(-8)
            .map((line) => JSON.stringify(line))
            .join("\n")}\n${stderr.join("").slice(-4000)}\n`,
        );
      resolve(code);
    }),
  );

  const worker: Worker = {
    name,
    url: `http://127.0.0.1:${port}`,
    process: child,
    logs,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    exited,
    signalGroup(signal) {
      stopping = true;
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    },
  };
  if (started.size === 0) atFileEnd(stopAll);
  started.add(worker);

  await eventually(
    async () => {
      // A signal death leaves exitCode null, hence signalCode too.
      if (child.exitCode !== null || child.signalCode !== null)
        throw new GiveUp(
          `${name} exited with ${child.exitCode ?? child.signalCode} before it was ready: ${stderr.join("").slice(-2000)}`,
        );
      const res = await fetch(`${worker.url}/ready`).catch(() => undefined);
      return res?.ok ? true : undefined;
    },
    90_000,
    `${name} to be ready`,
  ).catch((err) => {
    child.kill("SIGKILL");
    throw err;
  });
  ready = true;
  return worker;
}
