import type { CloudEventAttributes, EventOf, TopicContract, TraceContext } from "@kafka-pair/shared/contracts";
import type { Logger } from "@kafka-pair/shared/runtime";
import type { Headers } from "@kafka-pair/shared/transport";
import type { Delivery, Emit, FailurePolicyOptions, TransactionOptions } from "./policies/options.ts";
import type { Ordering } from "./policies/ordering.ts";
import type { StoreTransaction } from "./store/types.ts";

export { DELIVERIES } from "./policies/options.ts";
export { ORDERINGS } from "./policies/ordering.ts";
export type { CloudEventAttributes, Delivery, Emit, FailurePolicyOptions, Ordering, TraceContext, TransactionOptions };

/** Everything about a message except its value, for handlers that need it. */
export interface MessageContext {
  /** The contract's topic name (without the deployment's namespace prefix). */
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Headers;
  timestamp: number;
  /** From the `ce_*` headers; undefined if the producer wrote none. */
  cloudEvent: CloudEventAttributes | undefined;
  /** From the W3C `traceparent` header; undefined if absent or malformed. */
  trace: TraceContext | undefined;
  /** 1 on the first call, 2 on the first retry, and so on. */
  attempt: number;
  /** Aborted when this worker gives the partition up or shuts down: long work may stop early by throwing. */
  signal: AbortSignal;
  /** Bound to topic, group, partition, offset, and the event's id and trace id. */
  logger: Logger;
  /**
   * Emits an event to a topic declared in the subscription's `emits`, as part of handling this
   * one (see `delivery`). Checked against its contract before anything is sent. The records of an
   * attempt that throws are dropped under exactly-once; under at-least-once they were sent.
   */
  emit: Emit;
  /**
   * A `store: true` subscription's database transaction: the handler's statements commit with
   * the event's consumed position (and its emitted records, through the outbox), or not at all.
   * Undefined for other subscriptions.
   */
  db?: StoreTransaction;
}

/** What a batch handler learns about each of its events (`messages[i]` is `events[i]`'s). */
export type BatchMessage = Omit<MessageContext, "attempt" | "signal" | "logger" | "emit" | "db">;

export interface BatchContext {
  topic: string;
  partition: number;
  /** In offset order, one per event. */
  messages: readonly BatchMessage[];
  /** 1 for a fresh batch; a retry of a failed event is handed over alone, with its attempt number. */
  attempt: number;
  signal: AbortSignal;
  logger: Logger;
}

/** Bounds a batch: handed over once it holds `maxEvents` events, or `maxWaitMs` after its first one arrived. */
export interface BatchOptions {
  /** Default 100. */
  maxEvents?: number;
  /** Default 50. */
  maxWaitMs?: number;
}

/**
 * Thrown by `handleBatch` to say which events failed (by their index in `events`): the others
 * are committed, the failed ones follow the subscription's failure policy one by one. Any other
 * error means every event of the batch failed.
 */
export class BatchFailure extends Error {
  override name = "BatchFailure";
  constructor(readonly failed: ReadonlyArray<{ index: number; error: unknown }>) {
    super(`${failed.length} event(s) of the batch failed`);
  }
}

interface SubscriptionOptions<C extends TopicContract> {
  contract: C;
  groupId: string;
  /** Where a new group starts: the tutorial's health_group reads only new pings ("latest"). */
  fromBeginning: boolean;
  /**
   * What stays in order within a partition (default `key`): `partition` (one event at a time),
   * `key` (one at a time per key, different keys at once) or `none`. docs/consumer.md says what
   * each keeps and gives up. Batch handlers get a partition's batches one at a time, in order.
   */
  ordering?: Ordering;
  /**
   * Handler calls of this subscription at once; also how many events one partition may hold
   * (running, or waiting for their key's turn) before fetching from it pauses. Default `CONSUMER_CONCURRENCY`.
   */
  maxInFlight?: number;
  /** Retries, backoff, and what happens when they are spent; defaults from `CONSUMER_MAX_RETRIES` and the backoff settings. */
  onFailure?: FailurePolicyOptions;
  /**
   * `at-least-once` (default) or `exactly-once`: the handler's emitted events and dead letters
   * commit with the consumed offsets in one Kafka transaction (docs/guarantees.md). Exactly-once
   * takes `handle` (not `handleBatch`) and blocking retries (not the retry topic).
   */
  delivery?: Delivery;
  /** The contracts `context.emit` may write to: their topics are provisioned at start-up. */
  emits?: readonly TopicContract[];
  /** Exactly-once: how many handled events a transaction waits for, and how long. */
  transaction?: TransactionOptions;
  /**
   * Exactly-once with the worker's database (DATABASE_URL): each event's handler runs in a
   * database transaction (`context.db`) that also stores the partition's consumed position and
   * the records it emits (an outbox), relayed to Kafka afterwards; on assignment the database's
   * position decides where handling resumes. Takes partition ordering.
   */
  store?: boolean;
}

export interface EventSubscription<C extends TopicContract = TopicContract> extends SubscriptionOptions<C> {
  /**
   * Resolves when the event is handled; only then is its offset committed. Throwing means
   * "failed": the failure policy retries it, then dead-letters it (or stops the partition).
   * Handlers may see an event twice (after a crash), so they should be idempotent.
   */
  handle(event: EventOf<C>, context: MessageContext): Promise<void>;
  handleBatch?: never;
  batch?: never;
}

export interface BatchSubscription<C extends TopicContract = TopicContract> extends SubscriptionOptions<C> {
  /**
   * Events of one partition fetched together (see `batch`), in offset order; resolves when all
   * are handled, and they are committed together. Throw BatchFailure to name the failed ones.
   */
  handleBatch(events: EventOf<C>[], context: BatchContext): Promise<void>;
  batch?: BatchOptions;
  handle?: never;
}

export type Subscription<C extends TopicContract = TopicContract> = EventSubscription<C> | BatchSubscription<C>;

/** Typed from the contract: `event` is the valibot schema's output type. */
export function subscribe<C extends TopicContract>(subscription: EventSubscription<C>): EventSubscription<C>;
export function subscribe<C extends TopicContract>(subscription: BatchSubscription<C>): BatchSubscription<C>;
export function subscribe<C extends TopicContract>(subscription: Subscription<C>): Subscription<C> {
  return subscription;
}
