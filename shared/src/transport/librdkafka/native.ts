// What a native layer gives the librdkafka core: the C library's calls and nothing else. The
// Node binding (../confluent/) and Deno FFI (../rdkafka-ffi/) implement these interfaces; every
// decision (configuration, partition queues, rebalance and commit bookkeeping, transactions,
// fatal-error replacement, readiness) is the core's, the same on both runtimes.
import type { CommitPosition, GroupMetadata, TopicPartition } from "../consumer.ts";
import type { DeliveryReport, ProduceRecord } from "../producer.ts";

/** librdkafka configuration properties, as rd_kafka_conf_set takes them. */
export type Properties = Record<string, string | number | boolean>;

/** What librdkafka said about a failed call (rd_kafka_error_t, or a binding error with its flags). */
export interface NativeErrorInfo {
  code: number;
  message: string;
  fatal: boolean;
  retriable: boolean;
  /** A transactional call failed in a way only an abort recovers from. */
  txnRequiresAbort: boolean;
}

export class NativeError extends Error {
  constructor(
    readonly rd: NativeErrorInfo,
    context: string,
  ) {
    super(`${context}: ${rd.message} (${rd.code})`);
  }
}

/** Client-level events of a producer handle. */
export interface ProducerEvents {
  /** librdkafka's statistics JSON (statistics.interval.ms). */
  stats(json: string): void;
  error(error: { code: number; message: string; fatal: boolean }): void;
}

/** One rd_kafka_t of type producer. `H` is one header in the layer's own encoding. */
export interface NativeProducer<H = unknown> {
  /** Resolves once the cluster answered (metadata); rejects (and frees the handle) otherwise. */
  connect(timeoutMs: number): Promise<void>;
  /**
   * Hands one record to librdkafka. Resolves with its delivery report; rejects with
   * `{ code, message }` when librdkafka refused it at once or its delivery failed.
   */
  produce(record: ProduceRecord, headers: H[] | undefined): Promise<DeliveryReport>;
  flush(timeoutMs: number): Promise<void>;
  /** Transactional calls reject with a NativeError carrying librdkafka's flags. */
  initTransactions(timeoutMs: number): Promise<void>;
  beginTransaction(): Promise<void>;
  commitTransaction(timeoutMs: number): Promise<void>;
  abortTransaction(timeoutMs: number): Promise<void>;
  /**
   * rd_kafka_send_offsets_to_transaction with `consumer`'s group metadata (KIP-447). `consumer`
   * is a handle of the same layer; the call rejects with a NativeError carrying librdkafka's flags.
   */
  sendOffsets(positions: CommitPosition[], consumer: NativeConsumer, timeoutMs: number): Promise<void>;
  /** Flushes (bounded), frees the handle; records with no report yet fail. Idempotent. */
  close(flushMs: number): Promise<void>;
}

/** A fetched message, copied out of librdkafka's memory. */
export interface NativeMessage {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
  timestamp: number;
}

export type RebalanceEvent =
  | { kind: "assign"; partitions: TopicPartition[] }
  | { kind: "revoke"; partitions: TopicPartition[] }
  | { kind: "error"; partitions: TopicPartition[]; code: number; message: string };

/** Where a native consumer delivers what it polled. */
export interface ConsumerSink {
  message(message: NativeMessage): void;
  /** Every event polled so far has been delivered (called after each poll, empty ones too). */
  turn(): void;
  /** Resolves once the core has handled the event; only then may the layer let it go. */
  rebalance(event: RebalanceEvent): Promise<void>;
  error(error: { code: number; message: string }): void;
}

/** One rd_kafka_t of type consumer. */
export interface NativeConsumer {
  /** Creates the handle, checks the cluster answers, subscribes, and starts polling into the sink. */
  connect(topics: string[]): Promise<void>;
  /** rd_kafka_rebalance_protocol: incremental (COOPERATIVE) or eager assignment. */
  cooperative(): boolean;
  assignmentLost(): boolean;
  assign(partitions: TopicPartition[], incremental: boolean): void;
  unassign(partitions: TopicPartition[], incremental: boolean): void;
  pause(partition: TopicPartition): void;
  resume(partition: TopicPartition): void;
  /** Queued, not awaited: fetching restarts from `offset`. */
  seek(partition: TopicPartition, offset: number): void;
  /** rd_kafka_position: the next offset to hand out per partition (undefined: none yet). */
  positions(partitions: TopicPartition[]): Array<TopicPartition & { offset: number | undefined }>;
  /** Resolves once the group coordinator acknowledged the commit. */
  commit(positions: CommitPosition[]): Promise<void>;
  committed(partitions: TopicPartition[], timeoutMs: number): Promise<CommitPosition[]>;
  /** The cached end offset (last stable offset under read_committed). */
  highWatermark(partition: TopicPartition): number | undefined;
  /** Stops polling, leaves the group (revocations during the close are given back at once), frees the handle. */
  close(): Promise<void>;
}

/** A librdkafka consumer's group metadata: read from its handle when a transaction sends offsets. */
export class NativeGroupMetadata implements GroupMetadata {
  constructor(
    readonly groupId: string,
    readonly consumer: NativeConsumer,
  ) {}
}

/** One way of reaching librdkafka. */
export interface NativeLayer<H = unknown> {
  readonly name: string;
  producer(properties: Properties, events: ProducerEvents): NativeProducer<H>;
  /** `fetchBatch`: messages taken per poll at most (a pull-based layer's batch size). */
  consumer(properties: Properties, sink: ConsumerSink, fetchBatch: number): NativeConsumer;
  /**
   * One header in the layer's encoding. `repeated`: the same name carried the same value on the
   * previous record; the result is then kept and handed over again until the value changes.
   */
  header(name: string, value: string, repeated: boolean): H;
}
