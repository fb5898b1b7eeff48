/** The launcher's lock: one state-changing operation at a time per state dir. */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { launcherDir, sleep } from "./config.ts";
import { writeIfChanged } from "./files.ts";

let lockChain: Promise<unknown> = Promise.resolve();

/** Serialise state-changing operations within this process and across processes (vitest + a manual `kafka:up`). */
export function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const run = lockChain.then(() => withFileLock(fn));
  lockChain = run.catch(() => undefined);
  return run;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function withFileLock<T>(fn: () => Promise<T>): Promise<T> {
  const dir = launcherDir();
  await mkdir(dir, { recursive: true });
  await writeIfChanged(
    join(dir, ".kafka-launcher"),
    "state dir of scripts/kafka/launcher.ts; safe to delete when brokers are down\n",
  );
  const lock = join(dir, "launcher.lock");
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const text = await readFile(lock, "utf8").catch(() => "");
    const holder = Number.parseInt(text, 10);
    if (text && (!(holder > 0) || holder === process.pid || !pidAlive(holder))) {
      await rm(lock, { force: true }); // left behind by a killed launcher
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (held by pid ${holder})`);
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}
