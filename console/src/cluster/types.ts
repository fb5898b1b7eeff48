/**
 * What the console reads from (and writes to) a Kafka cluster, as plain data. One
 * implementation on the Confluent binding (confluent.ts), one in memory for the route tests
 * (fake.ts). Every read here is side-effect free on the cluster: records are read by
 * assigning partitions, with no group, so no offset is ever committed and no group rebalances.
 */

export interface BrokerInfo {
  id: number;
  host: string;
  port: number;
  /** A TCP connection to host:port succeeded just now. */
  reachable: boolean;
}

export interface PartitionInfo {
  partition: number;
  /** Broker id of the leader; -1 when the partition has none. */
  leader: number;
  replicas: number[];
  isr: number[];
  /** First offset still stored. */
  low: string;
  /** read_committed end offset (the last stable offset): the offset the next committed record gets. */
  high: string;
}

export interface TopicInfo {
  name: string;
  partitions: PartitionInfo[];
}

export interface GroupSummary {
  groupId: string;
  state: string;
  /** "consumer" for a consumer group; other protocols (connect, ...) are listed but not described. */
  protocolType: string;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  assignment: Array<{ topic: string; partition: number }>;
}

export interface GroupInfo extends GroupSummary {
  assignor: string;
  coordinator: number | undefined;
  members: GroupMember[];
  /** Committed next offsets, per topic and partition. */
  offsets: Array<{ topic: string; partition: number; offset: string }>;
}

/** One record as stored: key and value bytes untouched, headers as UTF-8 text. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Epoch milliseconds (CreateTime as the producer set it). */
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
}

export interface ReadRange {
  topic: string;
  partition: number;
  /** First offset to read (inclusive). */
  from: bigint;
  /** Offset to stop before (exclusive). */
  to: bigint;
}

/** A record to write (replay, and the memory fake's produce). */
export interface RecordToWrite {
  topic: string;
  key: string | null;
  value: Uint8Array;
  headers: Record<string, string>;
}

export interface Tail {
  /** Stops reading and releases the tail's client. */
  close(): Promise<void>;
}

export interface ConsoleCluster {
  brokers(): Promise<BrokerInfo[]>;
  /** Every topic (internal ones excluded) with its partitions and offsets. */
  topics(): Promise<TopicInfo[]>;
  /** One topic, or undefined when it does not exist. */
  topic(name: string): Promise<TopicInfo | undefined>;
  /** Per partition, the first offset whose timestamp is at or after `timestamp` (the end offset when none). */
  offsetsForTime(topic: string, timestamp: number): Promise<Map<number, bigint>>;
  groups(): Promise<GroupSummary[]>;
  /** One group's members, assignment and committed offsets, or undefined when it does not exist. */
  group(groupId: string): Promise<GroupInfo | undefined>;
  /** Committed next offsets of a group for one topic (partitions with no commit are absent). */
  committed(groupId: string, topic: string): Promise<Map<number, bigint>>;
  /**
   * The records of one partition in [from, to), read_committed, oldest first, by assignment
   * (no group). Stops early at the partition's end.
   */
  read(range: ReadRange): Promise<StoredRecord[]>;
  /**
   * Calls `onRecord` for every record written to `topic` from now on, read_committed, by
   * assignment of all its partitions at their end offsets (no group, no effect on offsets).
   */
  tail(topic: string, onRecord: (record: StoredRecord) => void): Promise<Tail>;
  close(): Promise<void>;
}
