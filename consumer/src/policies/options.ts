// The policy options a subscription declares: a leaf (types only), so handler.ts imports no runtime code.
import type { EventOf, TopicContract } from "@kafka-pair/shared/contracts";

/**
 * What a subscription promises about its effects:
 * - `at-least-once` (default): offsets are committed after the handler succeeded; after a crash
 *   an event may be handled again, and what it emitted is emitted again (same event ids).
 * - `exactly-once`: what the handler emits (and a dead letter) is written in one Kafka
 *   transaction with the consumed offsets; read_committed readers see each emitted event once.
 */
export type Delivery = "at-least-once" | "exactly-once";

export const DELIVERIES: readonly Delivery[] = ["at-least-once", "exactly-once"];

/**
 * Emits an event to another topic as part of handling this one: checked against `contract`
 * before anything is sent (INVALID_EVENT otherwise), keyed by the contract, with CloudEvents
 * headers. Under `at-least-once` it resolves once Kafka has the record; under `exactly-once` at
 * once, the record going out with the transaction that commits this event's offset.
 */
export type Emit = <C extends TopicContract>(contract: C, event: EventOf<C>) => Promise<void>;

/** How many handled events one exactly-once transaction carries at most before it starts, and how long it waits for them. */
export interface TransactionOptions {
  /** Default 500. */
  maxEvents?: number;
  /** Default 100. */
  maxWaitMs?: number;
}

/** A subscription's failure policy, as declared with it (every field optional). */
export interface FailurePolicyOptions {
  /** Handler calls after the first before giving up (default `CONSUMER_MAX_RETRIES`). */
  retries?: number;
  /** First retry delay, doubling with jitter (default `CONSUMER_RETRY_BACKOFF_MS`). */
  backoffMs?: number;
  /** Cap on the retry delay (default `CONSUMER_RETRY_MAX_BACKOFF_MS`). */
  maxBackoffMs?: number;
  /**
   * `blocking` (default): retried in place; the event's lane (its key, or the whole partition
   * under partition ordering) waits. `retry-topic`: the event goes to `<topic>.retry` with a due
   * time and its partition moves on (Spring's @RetryableTopic); per-key order is given up for it.
   */
  retryMode?: "blocking" | "retry-topic";
  /**
   * After the last retry: `dead-letter` (default when the contract declares a dead-letter topic)
   * writes it to `<topic>.dlq` and moves on; `stop` holds the partition at the event, retrying at
   * the capped backoff, until it succeeds or the partition goes (for handlers where skipping is
   * worse than waiting).
   */
  whenExhausted?: "dead-letter" | "stop";
}
