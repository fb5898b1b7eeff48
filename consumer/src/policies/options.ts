// The policy options a subscription declares: a leaf (types only), so handler.ts imports no runtime code.

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
