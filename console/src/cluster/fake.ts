import type {
  BrokerInfo,
  ConsoleCluster,
  GroupInfo,
  GroupMember,
  GroupSummary,
  ReadRange,
  RecordToWrite,
  StoredRecord,
  Tail,
  TopicInfo,
} from "./types.ts";

const encoder = new TextEncoder();

/**
 * An in-memory cluster for the console's route tests: topics of partitions of records, groups
 * with members and committed offsets, and tails that see what is appended after they start.
 * Partitions are picked by a simple hash of the key (not Kafka's murmur2: nothing here depends on it).
 */
export class FakeCluster implements ConsoleCluster {
  readonly brokerList: BrokerInfo[] = [
    { id: 1, host: "127.0.0.1", port: 9092, reachable: true },
    { id: 2, host: "127.0.0.1", port: 9093, reachable: true },
    { id: 3, host: "127.0.0.1", port: 9094, reachable: false },
  ];
  readonly #topics = new Map<string, StoredRecord[][]>();
  readonly #groups = new Map<string, { state: string; members: GroupMember[]; offsets: Map<string, bigint> }>();
  readonly #tails = new Set<{ topic: string; onRecord: (record: StoredRecord) => void }>();
  #clock = Date.parse("2026-12-01T10:00:00Z");

  createTopic(name: string, partitions: number): void {
    if (!this.#topics.has(name))
      this.#topics.set(
        name,
        Array.from({ length: partitions }, () => []),
      );
  }

  /** Appends a record, as a producer would; returns where it landed. */
  append(record: RecordToWrite & { partition?: number; timestamp?: number }): StoredRecord {
    const partitions = this.#topics.get(record.topic);
    if (!partitions) throw new Error(`no topic ${record.topic}`);
    const partition = record.partition ?? hash(record.key ?? "") % partitions.length;
    const log = partitions[partition] as StoredRecord[];
    this.#clock += 1_000;
    const stored: StoredRecord = {
      topic: record.topic,
      partition,
      offset: String(log.length),
      timestamp: record.timestamp ?? this.#clock,
      key: record.key === null ? null : encoder.encode(record.key),
      value: record.value,
      headers: record.headers,
    };
    log.push(stored);
    for (const tail of this.#tails) if (tail.topic === record.topic) tail.onRecord(stored);
    return stored;
  }

  setGroup(groupId: string, state: string, members: GroupMember[] = []): void {
    const existing = this.#groups.get(groupId);
    this.#groups.set(groupId, { state, members, offsets: existing?.offsets ?? new Map() });
  }

  commit(groupId: string, topic: string, partition: number, offset: bigint): void {
    if (!this.#groups.has(groupId)) this.setGroup(groupId, "Empty");
    this.#groups.get(groupId)?.offsets.set(`${topic}\u0000${partition}`, offset);
  }

  get tailCount(): number {
    return this.#tails.size;
  }

  async brokers(): Promise<BrokerInfo[]> {
    return this.brokerList.map((b) => ({ ...b }));
  }

  async topics(): Promise<TopicInfo[]> {
    const names = [...this.#topics.keys()].sort();
    return names.map((name) => this.#info(name));
  }

  async topic(name: string): Promise<TopicInfo | undefined> {
    return this.#topics.has(name) ? this.#info(name) : undefined;
  }

  #info(name: string): TopicInfo {
    const partitions = this.#topics.get(name) ?? [];
    return {
      name,
      partitions: partitions.map((log, partition) => ({
        partition,
        leader: (partition % 3) + 1,
        replicas: [1, 2, 3],
        isr: [1, 2, 3],
        low: "0",
        high: String(log.length),
      })),
    };
  }

  async offsetsForTime(topic: string, timestamp: number): Promise<Map<number, bigint>> {
    const partitions = this.#topics.get(topic) ?? [];
    return new Map(
      partitions.map((log, partition) => {
        const found = log.find((r) => r.timestamp >= timestamp);
        return [partition, BigInt(found ? found.offset : log.length)];
      }),
    );
  }

  async groups(): Promise<GroupSummary[]> {
    return [...this.#groups.entries()]
      .map(([groupId, g]) => ({ groupId, state: g.state, protocolType: "consumer" }))
      .sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async group(groupId: string): Promise<GroupInfo | undefined> {
    const group = this.#groups.get(groupId);
    if (!group) return undefined;
    return {
      groupId,
      state: group.state,
      protocolType: "consumer",
      assignor: "cooperative-sticky",
      coordinator: 1,
      members: group.members,
      offsets: [...group.offsets.entries()]
        .map(([at, offset]) => {
          const [topic = "", partition = "0"] = at.split("\u0000");
          return { topic, partition: Number(partition), offset: String(offset) };
        })
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    };
  }

  async committed(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const out = new Map<number, bigint>();
    for (const [at, offset] of this.#groups.get(groupId)?.offsets ?? []) {
      const [t, partition] = at.split("\u0000");
      if (t === topic) out.set(Number(partition), offset);
    }
    return out;
  }

  async read({ topic, partition, from, to }: ReadRange): Promise<StoredRecord[]> {
    const log = this.#topics.get(topic)?.[partition] ?? [];
    return log.slice(Number(from), Number(to));
  }

  async tail(topic: string, onRecord: (record: StoredRecord) => void): Promise<Tail> {
    if (!this.#topics.has(topic)) throw new Error(`no topic ${topic}`);
    const entry = { topic, onRecord };
    this.#tails.add(entry);
    return {
      close: async () => {
        this.#tails.delete(entry);
      },
    };
  }

  async close(): Promise<void> {
    this.#tails.clear();
  }
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}
