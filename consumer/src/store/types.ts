// The consumer's database side, as the exactly-once runtime sees it. A leaf module: the SQLite and
// PostgreSQL stores implement it, the runtime and the handlers use it, neither imports the other.
import type { CommitPosition, ProduceRecord, TopicPartition } from "@kafka-pair/shared/transport";

/** The handler's view of the open database transaction: statements commit with the consumed position. */
export interface StoreTransaction {
  /** `postgres` or `sqlite`: for the rare statement the two spell differently. */
  readonly dialect: "postgres" | "sqlite";
  /** Runs one statement with `$1, $2, …` parameters (on both dialects); answers the rows it returns. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** Records to emit, written in the same database transaction and relayed to Kafka after it commits. */
export interface Outbox {
  add(record: ProduceRecord): void;
}

/**
 * One outbox row waiting to be relayed, with the consumed offset whose handling wrote it: the
 * claim's last offset (`next - 1`), the same for every record of one `apply`.
 */
export interface OutboxRecord {
  sourceOffset: string;
  record: ProduceRecord;
}

/** One batch's claim on a partition: applied only if the stored position is still `expected`. */
export interface PositionClaim extends TopicPartition {
  groupId: string;
  /** The position this member last read or wrote for the partition (undefined: none stored). */
  expected: string | undefined;
  /** The next offset to read once this batch is applied (its last event's offset + 1). */
  next: string;
}

/**
 * One schema change, spelled for each dialect; applied once, in list order, recorded by `id`.
 * The store's own tables come first; an application adds its own (the example's `orders` table).
 */
export interface StoreMigration {
  /** Stable and unique: `kafka-pair/1-positions-outbox`, `orders/1-table`. Never renamed once shipped. */
  id: string;
  postgres: string;
  sqlite: string;
}

/**
 * Keeps each subscription's consumed positions in the user's database, in the same transaction
 * as the handler's writes and the records it emits (the outbox): the database decides what was
 * handled. Errors are KafkaPairErrors naming the database (without credentials) and what failed;
 * a claim whose `expected` no longer matches (another member moved the partition on) rejects with
 * code `STORE_FENCED` and writes nothing.
 */
export interface OffsetStore {
  /** `sqlite:data/consumer.db`, `postgres://host:5432/db`: for logs and errors, never a password. */
  readonly name: string;
  readonly dialect: StoreTransaction["dialect"];
  /** Creates or upgrades the store's own tables; idempotent, run at start-up. */
  migrate(): Promise<void>;
  /** The stored next offsets of these partitions for the group; a partition with none is absent. */
  positions(groupId: string, partitions: readonly TopicPartition[]): Promise<CommitPosition[]>;
  /** One database transaction: `work`'s statements, its outbox records and the claim's position commit together. */
  apply<T>(claim: PositionClaim, work: (tx: StoreTransaction, outbox: Outbox) => Promise<T>): Promise<T>;
  /** The partition's outbox rows not yet relayed, in source-offset order. */
  pendingOutbox(groupId: string, partition: TopicPartition): Promise<OutboxRecord[]>;
  /**
   * One statement outside any transaction, seeing committed rows only (`$1, $2, …` parameters):
   * for reads such as `GET /orders/:orderId`. Writes belong in `apply`, with a position.
   */
  read<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Drops the partition's outbox rows whose source offset is below `before` (relayed and committed to Kafka). */
  pruneOutbox(groupId: string, partition: TopicPartition, before: string): Promise<void>;
  close(): Promise<void>;
}
