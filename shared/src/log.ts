import { type Logger, pino } from "pino";

export type { Logger };

/** JSON lines on stdout: one event per line, easy to grep and to ship. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}
