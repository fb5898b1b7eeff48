// What both workers need from Deno: an HTTP server and a graceful stop on signals.
import process from "node:process";
import type { Logger } from "./log.ts";
import { stopOnSignals } from "./signals.ts";

/** Deno.serve in the shape the workers' boot expects. */
export function denoServe(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; hostname: string; onListen: (port: number) => void },
): { close(): unknown } {
  const server = Deno.serve(
    { port: options.port, hostname: options.hostname, onListen: (addr) => options.onListen(addr.port) },
    fetch,
  );
  return { close: () => server.shutdown() };
}

/**
 * SIGTERM or SIGINT: shut the worker down gracefully, then exit with its code; a relayed
 * duplicate is ignored, a later signal forces the exit (./signals.ts).
 */
export function exitOnSignals(worker: { shutdown(signal: string): Promise<number> }, logger: Logger): void {
  const onSignal = stopOnSignals({
    shutdown: (signal) => worker.shutdown(signal),
    // Not Deno.exit: node:process's exit runs pino's exit hook, which writes the log lines
    // still queued (the last ones, such as "stopped", are lost otherwise).
    exit: (code) => process.exit(code),
    logger,
  });
  // Not SIGHUP, unlike on Node: under `deno run --watch` a listener keeps the watcher alive after
  // the terminal closed (the worker stops, the watcher waits for file changes, orphaned).
  for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, () => onSignal(signal));
}
