import type { Headers } from "./types.ts";

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

export interface ProducerTransport {
  /** Resolves once the client has cluster metadata and can produce. */
  connect(): Promise<void>;
  /** Resolves with the delivery report of this record (acks=all, idempotent), rejects with a KafkaPairError. */
  send(record: ProduceRecord): Promise<DeliveryReport>;
  /** False after a fatal client error or before connect. */
  isReady(): boolean;
  flush(timeoutMs: number): Promise<void>;
  disconnect(): Promise<void>;
}
