// What both workers need from Deno: an HTTP server and a graceful stop on signals.
import process from "node:process";

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

/** SIGTERM or SIGINT: shut the worker down gracefully, then exit with its code. */
export function exitOnSignals(worker: { shutdown(signal: string): Promise<number> }): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => {
      // Not Deno.exit: node:process's exit runs pino's exit hook, which writes the log lines
      // still queued (the last ones, such as "stopped", are lost otherwise).
      void worker.shutdown(signal).then(
        (code) => process.exit(code),
        () => process.exit(1),
      );
    });
  }
}
