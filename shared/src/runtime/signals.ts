import type { Logger } from "./log.ts";

/**
 * Signals that follow the first within this window are the same request delivered twice: a
 * terminal's Ctrl-C reaches the whole foreground process group, and the wrappers in it (npm,
 * `node --watch`, tsx, `deno task`) relay it to the worker as well, within milliseconds.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;

const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export interface StopOnSignalsOptions {
  /** The worker's graceful stop (leave the groups, drain); resolves with the exit code. */
  shutdown(signal: string): Promise<number>;
  exit(code: number): void;
  logger: Logger;
  duplicateWindowMs?: number;
  now?: () => number;
}

/**
 * The handler both workers install for SIGINT, SIGTERM and SIGHUP (the terminal closed), on
 * Node and on Deno.
 * First signal: a graceful stop, then exit with its code. A signal within the duplicate window:
 * ignored (a wrapper's relay). A later one: the operator insists; exit at once with 128 + the
 * signal's number, never 0, since the drain did not finish.
 */
export function stopOnSignals(options: StopOnSignalsOptions): (signal: string) => void {
  const { logger, exit } = options;
  const now = options.now ?? Date.now;
  const window = options.duplicateWindowMs ?? DUPLICATE_SIGNAL_WINDOW_MS;
  let firstAt: number | undefined;
  return (signal) => {
    if (firstAt === undefined) {
      firstAt = now();
      options.shutdown(signal).then(exit, (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        exit(1);
      });
      return;
    }
    const sinceFirst = now() - firstAt;
    if (sinceFirst < window) {
      logger.debug(
        { signal, sinceFirstMs: sinceFirst },
        "same stop request delivered again (a wrapper relayed it): ignored",
      );
      return;
    }
    const code = 128 + (signalNumbers[signal] ?? 1);
    logger.warn({ signal, code }, "second stop signal: exiting before the drain finished");
    exit(code);
  };
}
