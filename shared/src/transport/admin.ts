export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
}

export interface TopicState {
  name: string;
  partitions: number;
  replicationFactor: number;
}

export interface AdminTransport {
  connect(): Promise<void>;
  /** Existing topics among `names`, with their partition count and replication factor. */
  describeTopics(names: string[]): Promise<Map<string, TopicState>>;
  createTopics(specs: TopicSpec[]): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  /** Per partition, the offset the next record will get; read_committed stops at the last stable offset. */
  endOffsets(topic: string, isolation?: "read_committed" | "read_uncommitted"): Promise<Map<number, string>>;
  /** Per partition, the group's committed next offset (partitions with no commit are absent). */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, string>>;
  disconnect(): Promise<void>;
}
