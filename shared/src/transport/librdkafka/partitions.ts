// Per-partition bookkeeping of the librdkafka core's consumer (consumer.ts), whichever way librdkafka is
// reached. No client import and no Deno globals,
// so Node, Deno and the unit project all load it.
import pTimeout from "p-timeout";
import type { Logger } from "../../runtime/log.ts";
import type { RebalanceListener, TopicPartition } from "../consumer.ts";

/** Map key of one partition. */
export const partitionKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/** What a revocation needs of one assigned partition's state. */
export interface RevocablePartition {
  /** Messages fetched and not yet handed out. */
  readonly queue: unknown[];
  /** Aborted once the partition is going away; handlers see it as their message's signal. */
  readonly abort: AbortController;
  /** The partition's handler loop, while one runs. */
  running: Promise<void> | undefined;
}

export interface ReleaseOptions {
  listener: RebalanceListener;
  /** How long messages in hand may take before the listener is called anyway. */
  revokeTimeoutMs: number;
  logger: Logger;
}

/**
 * Drops queued messages, aborts the partitions' handlers, waits (bounded by the revoke timeout)
 * for those in hand, then lets the listener commit. The states stay where they are: when to
 * forget them is the adapter's call.
 */
export async function releasePartitions(
  states: RevocablePartition[],
  partitions: TopicPartition[],
  lost: boolean,
  { listener, revokeTimeoutMs, logger }: ReleaseOptions,
): Promise<void> {
  for (const state of states) {
    state.queue.length = 0;
    state.abort.abort();
  }
  const inFlight = states.flatMap((s) => s.running ?? []);
  if (inFlight.length > 0) {
    const late = await pTimeout(
      Promise.all(inFlight).then(() => false),
      { milliseconds: revokeTimeoutMs, fallback: () => true },
    );
    if (late) logger.error({ timeoutMs: revokeTimeoutMs }, "in-flight messages outlived the revocation");
  }
  try {
    await listener.onRevoke?.(partitions, { lost });
  } catch (err) {
    logger.error({ err }, "revocation listener failed");
  }
}

/** What handing out one partition's queue needs of its state. */
export interface DrainablePartition<M> extends RevocablePartition {
  readonly queue: M[];
  /** Fetching paused because the queue was full. */
  paused: boolean;
}

/** The client-specific steps of handing out a partition's queue. */
export interface DrainSteps<M> {
  /** Hands one message to the handler. */
  handle(message: M, signal: AbortSignal): Promise<void>;
  /** Log fields naming a message. */
  describe(message: M): Record<string, unknown>;
  /** Fetches the partition again from this message on. */
  seek(message: M): void;
  /** Resumes fetching the (paused) partition. */
  resume(): void;
  /** The queue length that pauses the partition; it resumes at half of it. */
  maxBuffered: number;
  logger: Logger;
}

/**
 * Hands a partition's queued messages to the handler one after the other until the queue is empty
 * or the partition is going away. A message whose handler fails empties the queue and starts the
 * partition over from it (unless it is going away anyway). Keeps `state.running` while it runs.
 */
export async function drainPartition<M>(state: DrainablePartition<M>, steps: DrainSteps<M>): Promise<void> {
  try {
    for (let message = state.queue.shift(); message; message = state.queue.shift()) {
      if (state.abort.signal.aborted) break;
      try {
        await steps.handle(message, state.abort.signal);
      } catch (err) {
        steps.logger.warn({ err, ...steps.describe(message) }, "message left unhandled; it will be read again");
        state.queue.length = 0;
        if (!state.abort.signal.aborted) steps.seek(message);
        break;
      }
      if (state.paused && state.queue.length <= steps.maxBuffered / 2) {
        state.paused = false;
        steps.resume();
      }
    }
  } finally {
    state.running = undefined;
    if (state.queue.length > 0 && !state.abort.signal.aborted) state.running = drainPartition(state, steps);
  }
}

/** The partitions held and not going away (a revocation aborts them before it lets them go). */
export function activePartitions(
  states: Iterable<TopicPartition & Pick<RevocablePartition, "abort">>,
): TopicPartition[] {
  return [...states].filter((s) => !s.abort.signal.aborted).map(({ topic, partition }) => ({ topic, partition }));
}
