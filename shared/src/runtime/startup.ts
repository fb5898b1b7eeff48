import type { TopicContract } from "../contracts/contract.ts";
import { KafkaPairError } from "../errors.ts";
import type { KafkaTransport } from "../transport/types.ts";
import type { Logger } from "./log.ts";
import type { Namespace } from "./namespace.ts";
import { ensureTopics } from "./topics.ts";

/** What the runtime (Node or Deno) provides a worker: an HTTP server for a fetch handler. */
export type Serve = (
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; hostname: string; onListen: (port: number) => void },
) => { close(): unknown };

/** One short-lived admin connection that makes the cluster's topics match the contracts. */
export async function provisionTopics(
  transport: KafkaTransport,
  contracts: readonly TopicContract[],
  ns: Namespace,
  logger: Logger,
): Promise<void> {
  const admin = transport.admin();
  try {
    await admin.connect();
    await ensureTopics(admin, contracts, ns, logger);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export interface RetryOptions {
  logger: Logger;
  /** What is being attempted, for the log. */
  what: string;
  /** True once the worker is shutting down: stop trying. */
  stopped: () => boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Runs `attempt` until it succeeds, doubling the pause between tries up to a ceiling.
 * Kafka being down or refusing our credentials is worth waiting out; a KafkaPairError that is
 * not retriable (a topic that contradicts its contract, bad config) is rethrown at once.
 * Resolves false if the worker stopped before an attempt succeeded.
 */
export async function retryUntilDone(attempt: () => Promise<void>, options: RetryOptions): Promise<boolean> {
  const { logger, what, stopped } = options;
  const maxDelay = options.maxDelayMs ?? 10_000;
  let delay = options.initialDelayMs ?? 500;
  for (let tries = 1; !stopped(); tries++) {
    try {
      await attempt();
      if (tries > 1) logger.info({ tries }, `${what}: done`);
      return true;
    } catch (err) {
      if (err instanceof KafkaPairError && !err.retriable) throw err;
      logger.warn({ err: { message: (err as Error).message }, tries, retryInMs: delay }, `${what} failed; retrying`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, maxDelay);
  }
  return false;
}

/**
 * A worker's connection to Kafka, made in the background while it already serves HTTP:
 * retried until it works or the worker stops. An error retrying can't fix (a topic that
 * contradicts its contract) ends the process, as a failed boot would.
 */
export function connectInBackground(connect: () => Promise<void>, options: Omit<RetryOptions, "what">): void {
  void retryUntilDone(connect, { ...options, what: "connecting to Kafka" }).catch((err: unknown) => {
    options.logger.fatal({ err }, "cannot start");
    // The unhandled rejection stops the runtime with a non-zero code.
    throw err;
  });
}
