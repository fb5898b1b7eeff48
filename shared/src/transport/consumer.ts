import type { Headers } from "./headers.ts";

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Uint8Array | null;
  headers: Headers;
  timestamp: number;
  /**
   * Aborted when this member gives the partition up (revocation, shutdown): work on the message
   * may stop early; an `eachMessage` that then throws leaves the message to the next owner.
   */
  signal?: AbortSignal;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A group's next offset to read for a partition: the last processed message's offset + 1. */
export interface CommitPosition extends TopicPartition {
  offset: string;
}

/**
 * A member's place in its group, for a transaction that commits consumed offsets (KIP-447): the
 * broker refuses those offsets once the member is no longer the partitions' owner (a newer
 * generation), so a zombie cannot commit what the next owner handles again. Opaque: only the
 * transport that made it reads it (its producer's `sendOffsets`).
 */
export interface GroupMetadata {
  readonly groupId: string;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
  /** On revocation, how long in-flight messages of the revoked partitions may take to finish. */
  revokeTimeoutMs?: number;
  /** Messages buffered per partition before fetching from it pauses. */
  maxBufferedPerPartition?: number;
}

/**
 * Called around a rebalance. `onRevoke` runs after every in-flight `eachMessage` of the
 * revoked partitions has settled (or the revoke timeout passed) and before the partitions
 * are given up: the place to commit what was processed.
 */
export interface RebalanceListener {
  onAssign?(partitions: TopicPartition[]): void;
  onRevoke?(partitions: TopicPartition[], info: { lost: boolean }): Promise<void>;
}

/**
 * One group member. Every method is required: an adapter whose client cannot do one of them
 * refuses at construction (`transport.consumer(...)` throws a KafkaPairError naming what is
 * missing) rather than leaving the worker to guess. `highWatermark` and `position` may answer
 * `undefined` ("not known right now"); an adapter that can never know says so when it is built.
 */
export interface ConsumerTransport {
  /** Registers the rebalance listener (before `connect`). */
  onRebalance(listener: RebalanceListener): void;
  connect(): Promise<void>;
  /**
   * Starts fetching; `eachMessage` is awaited per message, in order within a partition.
   * Different partitions may be handled at the same time.
   */
  run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void>;
  /** Commits `offset` as the group's next offset to read for that partition (message offset + 1). */
  commit(position: CommitPosition): Promise<void>;
  /** Commits several partitions in one request. */
  commitMany(positions: CommitPosition[]): Promise<void>;
  /** The group's committed offsets for these partitions (absent: none committed yet). */
  committed(partitions: TopicPartition[]): Promise<CommitPosition[]>;
  assignment(): TopicPartition[];
  /** True once the member has joined its group, even with no partition assigned. */
  isJoined(): boolean;
  /** The partition's end offset as last seen by the fetcher (last stable offset under read_committed). */
  highWatermark(partition: TopicPartition): string | undefined;
  /**
   * The next offset the client will deliver for this partition, past any records it never
   * delivers (transaction markers, aborted records); undefined while it still holds fetched
   * messages it has not handed to `eachMessage`, or does not know. Kafka's Java consumer commits
   * this position; committing it is what makes the lag 0 after a transaction.
   */
  position(partition: TopicPartition): string | undefined;
  /**
   * This member's group metadata right now, for `TransactionScope.sendOffsets` (exactly-once:
   * consumed offsets committed inside a producer's transaction instead of by `commit`).
   */
  groupMetadata(): GroupMetadata;
  /** Stops fetching, lets the message in hand finish, leaves the group. */
  disconnect(): Promise<void>;
}
