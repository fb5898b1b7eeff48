import type { CommitPosition, GroupMetadata } from "./consumer.ts";
import type { Headers } from "./headers.ts";

export interface ProduceRecord {
  topic: string;
  key: string | null;
  value: Uint8Array;
  headers?: Headers;
  /** Milliseconds since the epoch; the broker's clock when absent. */
  timestamp?: number;
}

/** What Kafka said once it had the record: the only basis for a success answer. */
export interface DeliveryReport {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
}

/** Sends records inside one open transaction; their reports arrive before the commit. */
export interface TransactionScope {
  send(record: ProduceRecord): Promise<DeliveryReport>;
  /**
   * Adds consumed offsets to the transaction (consume-transform-produce, KIP-447): they are the
   * group's committed offsets if and only if the transaction commits. `group` comes from the
   * consumer that read them (`ConsumerTransport.groupMetadata()`, of the same transport); the
   * commit fails, and the transaction aborts, once that member lost the partitions.
   */
  sendOffsets(positions: CommitPosition[], group: GroupMetadata): Promise<void>;
}

/** Client-side numbers worth watching, refreshed from the client's own statistics. */
export interface ProducerStats {
  /** Records waiting in the local queue or in flight to a broker. */
  queuedMessages: number;
  queuedBytes: number;
  /** Brokers the client currently has a working connection to. */
  brokersUp: number;
  brokers: Array<{ name: string; up: boolean; rttAvgMs: number; txRetries: number; txErrors: number }>;
}

export interface ProducerTransport {
  /** Resolves once the client has cluster metadata and can produce. */
  connect(): Promise<void>;
  /** Resolves with the delivery report of this record (acks=all, idempotent), rejects with a KafkaPairError. */
  send(record: ProduceRecord): Promise<DeliveryReport>;
  /**
   * Runs `work` inside one Kafka transaction: committed if it resolves, aborted if it throws,
   * so a read_committed reader sees all of its records or none. Absent when the client lacks transactions.
   */
  transaction?<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T>;
  /** False before connect, after a fatal client error, or while no broker is reachable. */
  isReady(): boolean;
  stats?(): ProducerStats | undefined;
  flush(timeoutMs: number): Promise<void>;
  disconnect(): Promise<void>;
}
