import type { ChildProcess } from "node:child_process";
import { afterAll } from "vitest";

/**
 * Clean-ups for the spec file, run after all of its tests, newest first. vitest 4.1 drops an
 * `afterAll` registered inside `beforeAll` (where helpers like useAdmin are usually called),
 * so helpers register here instead: this module's own `afterAll` is registered when the spec
 * file first imports it, at collection time, where hooks count. Each spec file gets its own
 * module instance (vitest isolates files), hence its own list.
 */
const cleanups: Array<() => unknown> = [];

afterAll(async () => {
  const errors: unknown[] = [];
  for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) {
    try {
      await cleanup();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, "spec file clean-up failed");
});

/** Runs `cleanup` once the file's tests are done, whether it was called from a hook, a test or top level. */
export function atFileEnd(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** Signals a server process the test started and resolves once it has exited (at once if it is not running). */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}
