import type { EventOf, TopicContract } from "@kafka-pair/shared/contracts";
import type { CloudEventAttributes, TraceContext } from "@kafka-pair/shared/envelope";
import type { Logger } from "@kafka-pair/shared/log";
import type { Headers } from "@kafka-pair/shared/transport";
import type { FailurePolicyOptions } from "./policies/options.ts";
import type { Ordering } from "./policies/ordering.ts";

export type { CloudEventAttributes, FailurePolicyOptions, Ordering, TraceContext };

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
}

export interface Subscription<C extends TopicContract = TopicContract> {
  contract: C;
  groupId: string;
  /** Where a new group starts: the tutorial's health_group reads only new pings ("latest"). */
  fromBeginning: boolean;
  /**
   * What stays in order within a partition (default `key`): `partition` (one event at a time),
   * `key` (one at a time per key, different keys at once) or `none`. docs/consumer.md says what
   * each keeps and gives up.
   */
  ordering?: Ordering;
  /** Events of this subscription held at once (running, or waiting for their key's turn); default `CONSUMER_CONCURRENCY`. */
  maxInFlight?: number;
  /** Retries, backoff, and what happens when they are spent; defaults from `CONSUMER_MAX_RETRIES` and the backoff settings. */
  onFailure?: FailurePolicyOptions;
  /**
   * Resolves when the event is handled; only then is its offset committed. Throwing means
   * "retry": with backoff, then to the dead-letter topic. Handlers may see an event twice
   * (after a crash), so they should be idempotent.
   */
  handle(event: EventOf<C>, context: MessageContext): Promise<void>;
}

/** Typed from the contract: `event` is the valibot schema's output type. */
export function subscribe<C extends TopicContract>(subscription: Subscription<C>): Subscription<C> {
  return subscription;
}
