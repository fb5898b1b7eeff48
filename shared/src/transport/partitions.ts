// Per-partition bookkeeping both librdkafka consumers share, whichever way librdkafka is reached:
// the Node binding (confluent/) or Deno FFI (rdkafka-ffi/). No client import and no Deno globals,
// so Node, Deno and the unit project all load it.
import type { Logger } from "../log.ts";
import type { RebalanceListener, TopicPartition } from "./consumer.ts";

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
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), revokeTimeoutMs);
    });
    const late = await Promise.race([Promise.all(inFlight).then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) logger.error({ timeoutMs: revokeTimeoutMs }, "in-flight messages outlived the revocation");
  }
  try {
    await listener.onRevoke?.(partitions, { lost });
  } catch (err) {
    logger.error({ err }, "revocation listener failed");
  }
}
