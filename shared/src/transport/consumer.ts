import type { Headers } from "./types.ts";

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Uint8Array | null;
  headers: Headers;
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning: boolean;
}

export interface ConsumerTransport {
  connect(): Promise<void>;
  /** Starts fetching; `eachMessage` is awaited per message, in order within a partition. */
  run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void>;
  /** Commits `offset` as the group's next offset to read for that partition (message offset + 1). */
  commit(position: TopicPartition & { offset: string }): Promise<void>;
  assignment(): TopicPartition[];
  /** Stops fetching, lets the message in hand finish, leaves the group. */
  disconnect(): Promise<void>;
}
