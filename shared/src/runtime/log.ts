import { createRequire } from "node:module";
import { type DestinationStream, type Logger, type LoggerOptions, pino } from "pino";

export type { Logger };

// Runs on Node and on Deno (which provides `process` and node:module too).
const stdout = (globalThis as { process?: { stdout?: { isTTY?: boolean } } }).process?.stdout;

/**
 * librdkafka reports every admin/producer/consumer connect and disconnect at info. Its child
 * loggers are bound with `component: "librdkafka"`; below warn their lines go to debug.
 */
const quietComponents = new Set(["librdkafka"]);
/** Set on a logger whose own bindings name a quiet component; children inherit it through pino's prototype chain. */
const quietSym = Symbol("kafka-pair.quiet");
type Flagged = Logger & { [quietSym]?: boolean };
const levelValues = pino.levels.values;

const chindings = pino.symbols.chindingsSym;
const componentKey = '"component":"';
/** pino's serialised bindings of a logger (its own and its ancestors'). */
const chindingsOf = (logger: Logger): string => String((logger as unknown as Record<symbol, unknown>)[chindings] ?? "");

/**
 * The logger's `component` binding, read from pino's serialised bindings: `bindings()` parses
 * them as JSON, which cost about a microsecond for every new child (the consumer makes one per
 * message). The last occurrence wins, as in JSON.parse.
 */
export function componentOf(logger: Logger): string {
  const serialised = chindingsOf(logger);
  const at = serialised.lastIndexOf(componentKey);
  if (at < 0) return "";
  const start = at + componentKey.length;
  return serialised.slice(start, serialised.indexOf('"', start));
}

let timeMs = Number.NaN;
let timeField = "";
/**
 * pino's `isoTime`, formatted once per millisecond: a busy consumer writes dozens of lines in
 * one, and `toISOString` for each was about 2 % of its main thread.
 */
function isoTime(): string {
  const now = Date.now();
  if (now !== timeMs) {
    timeMs = now;
    timeField = `,"time":"${new Date(now).toISOString()}"`;
  }
  return timeField;
}

const options = (name: string, level: string): LoggerOptions => ({
  name,
  level,
  base: { service: name },
  timestamp: isoTime,
  // Decided once per child, when it is made (the consumer makes one per message): only a child
  // binding a component of its own can differ from its parent.
  onChild(child) {
    const inherited = chindingsOf(Object.getPrototypeOf(child)).length;
    if (chindingsOf(child).includes(componentKey, inherited))
      (child as Flagged)[quietSym] = quietComponents.has(componentOf(child));
  },
  hooks: {
    logMethod(args, method, levelValue) {
      const quiet = (this as Flagged)[quietSym] === true;
      if (!quiet || levelValue >= (levelValues.warn ?? 40) || levelValue <= (levelValues.debug ?? 20)) {
        return method.apply(this, args);
      }
      // Re-enters this hook at debug level, which passes straight through.
      if (this.isLevelEnabled("debug")) this.debug(...(args as Parameters<Logger["debug"]>));
    },
  },
});

/**
 * In a terminal (`npm start`, `npm run dev`), readable coloured lines with the worker's name;
 * anywhere else JSON lines, one event per line, which the tests and log shippers parse.
 * pino-pretty runs as a stream in this thread (no worker-thread transport, so Deno is fine)
 * and is loaded only when stdout is a terminal.
 */
function destination(): DestinationStream | undefined {
  if (stdout?.isTTY !== true) return undefined;
  const { PinoPretty } = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return PinoPretty({
    colorize: true,
    translateTime: "SYS:HH:MM:ss.l",
    ignore: "pid,hostname,service",
    singleLine: true,
    sync: true,
  });
}

/** `stream`: where the lines go instead of stdout (tests). */
export function createLogger(
  name: string,
  level: string,
  stream: DestinationStream | undefined = destination(),
): Logger {
  return stream ? pino(options(name, level), stream) : pino(options(name, level));
}
