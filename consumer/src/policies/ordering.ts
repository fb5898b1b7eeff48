import type { ConsumedMessage } from "@kafka-pair/shared/transport";

/**
 * What must stay in order within a partition:
 * - `partition`: every event of the partition, one at a time (Kafka's own order; the slowest).
 * - `key`: events with the same key, one at a time in offset order; different keys at once.
 *   Events without a key share one lane (they keep partition order among themselves).
 * - `none`: nothing; events of a partition run at once, up to the in-flight bound.
 */
export type Ordering = "partition" | "key" | "none";

export const ORDERINGS: readonly Ordering[] = ["partition", "key", "none"];

/** The lane an event waits in: events of one lane run one at a time; `undefined` waits for nothing. */
export type LaneOf = (message: Pick<ConsumedMessage, "key">) => string | undefined;

const NO_KEY = "\u0000no-key";

/** The ordering strategy as a lane function (picked once per subscription). */
export function laneOf(ordering: Ordering): LaneOf {
  if (ordering === "none") return () => undefined;
  if (ordering === "partition") return () => "";
  return (message) => (message.key === null ? NO_KEY : message.key);
}
