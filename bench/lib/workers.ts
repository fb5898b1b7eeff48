import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../scripts/free-port.ts";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface BenchWorker {
  name: string;
  url: string;
  pid: number;
  process: ChildProcess;
  logFile: string;
  /** SIGTERM (a graceful drain), SIGKILL after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Extra node flags for every worker, e.g. --cpu-prof (set once by the runner). */
export const workerNodeFlags: { profileDir?: string } = {};

function nodeFlags(logFile: string): string[] {
  const dir = workerNodeFlags.profileDir;
  if (!dir) return [];
  // One directory per worker: V8 writes a profile per thread (tsx's loader thread too).
  const worker = `${logFile.replace(/^.*\//, "").replace(/\.log$/, "")}-${Date.now()}`;
  return ["--cpu-prof", `--cpu-prof-dir=${join(dir, worker)}`];
}

/**
 * The Deno binary the `deno` npm package installs, and the permissions the deno.json tasks grant
 * (--allow-ffi: the Deno default transport is librdkafka through FFI; --allow-write=data: the
 * consumer's default SQLite database, data/consumer.db).
 */
const denoBin = join(repoRoot, "node_modules/.bin/deno");
const denoPermissions = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write=data",
  "--allow-sys",
  "--allow-ffi",
];

/** Runs a TypeScript entry under tsx (or Deno); its output goes to a log file, not through this process. */
export function spawnTs(
  entry: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  options: { captureStdout?: boolean; runtime?: "node" | "deno" } = {},
): ChildProcess {
  mkdirSync(join(logFile, ".."), { recursive: true });
  const log = openSync(logFile, "a");
  const [command, argv] =
    options.runtime === "deno"
      ? [denoBin, ["run", ...denoPermissions, join(repoRoot, entry), ...args]]
      : [process.execPath, [...nodeFlags(logFile), "--import", "tsx", join(repoRoot, entry), ...args]];
  try {
    return spawn(command, argv, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", options.captureStdout ? "pipe" : log, log],
    });
  } finally {
    // The child holds its own copy of the descriptor.
    closeSync(log);
  }
}

async function sleep(ms: number) {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a bench worker and waits (bounded) until its /ready answers 200. */
export async function startWorker(options: {
  name: string;
  entry: string;
  args?: string[];
  env: Record<string, string>;
  logDir: string;
  readyTimeoutMs?: number;
  runtime?: "node" | "deno";
}): Promise<BenchWorker> {
  const port = await freePort();
  const logFile = join(options.logDir, `${options.name}.log`);
  const child = spawnTs(
    options.entry,
    options.args ?? [],
    { ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    logFile,
    { runtime: options.runtime },
  );
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const worker: BenchWorker = {
    name: options.name,
    url,
    pid: child.pid ?? -1,
    process: child,
    logFile,
    async stop(graceMs = 20_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with ${child.exitCode}; see ${logFile}`);
    const res = await fetch(`${url}/ready`).catch(() => undefined);
    if (res?.ok) return worker;
    await sleep(250);
  }
  child.kill("SIGKILL");
  throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 90_000} ms; see ${logFile}`);
}
