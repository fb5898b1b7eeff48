import { KafkaPairError } from "../../errors.ts";
import type { TopicPartition } from "../consumer.ts";
import type { Headers } from "../types.ts";

/** One record in a partition's log. Transaction markers take an offset too, as in Kafka. */
export interface LogEntry {
  offset: bigint;
  key: string | null;
  value: Uint8Array;
  headers: Headers;
  timestamp: number;
  /** Set on records written inside a transaction: visible to read_committed once committed. */
  transaction?: { state: "open" | "committed" | "aborted" };
  marker?: true;
}

export interface TopicLog {
  name: string;
  replicationFactor: number;
  partitions: LogEntry[][];
}

/** Where a failure is injected. */
export type FailurePoint = "send" | "transaction" | "commit" | "connect" | "admin";

/** What the injected failure looks like: the KafkaPairError codes the real adapters map to. */
export type FailureKind = "delivery-timeout" | "queue-full" | "fatal" | "unavailable" | "error";

export interface Failure {
  at: FailurePoint;
  kind: FailureKind;
  /** How many operations fail before it clears (default 1). */
  times?: number;
  /** Only operations on this topic. */
  topic?: string;
  /** delivery-timeout only: the record was written before the timeout (Kafka's possibly-persisted case). */
  persisted?: boolean;
}

/** The error each kind raises: the same codes the Confluent, KafkaJS and platformatic adapters map to. */
export function failureError(kind: FailureKind): KafkaPairError {
  switch (kind) {
    case "delivery-timeout":
      return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written");
    case "queue-full":
      return new KafkaPairError("KAFKA_UNAVAILABLE", "local produce queue is full");
    case "unavailable":
      return new KafkaPairError("KAFKA_UNAVAILABLE", "no connection to the cluster");
    case "fatal":
      return new KafkaPairError("DELIVERY_FAILED", "fatal producer error");
    case "error":
      return new KafkaPairError("DELIVERY_FAILED", "delivery failed: injected");
  }
}

/** A consumer group's members as the cluster sees them. */
export interface GroupMember {
  readonly topics: readonly string[];
  /** Gives up partitions: in-flight work finishes, the listener commits. */
  revoke(partitions: TopicPartition[]): Promise<void>;
  assign(partitions: TopicPartition[]): void;
  assignment(): TopicPartition[];
}

interface Group {
  members: GroupMember[];
  /** Bumped by every rebalance once the revocations are done: offsets sent in a transaction carry it (KIP-447). */
  generation: number;
  committed: Map<string, bigint>;
  /** Rebalances of one group run one after another. */
  rebalancing: Promise<void>;
}

/** What happened on the cluster, in order: lets a test check that a dead letter was written before a commit. */
export type JournalEntry =
  | { op: "append"; topic: string; partition: number; offset: bigint }
  | { op: "commit"; group: string; topic: string; partition: number; offset: bigint };

export const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * An in-process Kafka cluster for unit tests: topics with partition logs, consumer groups with
 * committed offsets and rebalances, transactions, and failures injected on demand.
 * Nothing here opens a socket.
 */
export class MemoryCluster {
  readonly brokers: number;
  readonly topics = new Map<string, TopicLog>();
  readonly #groups = new Map<string, Group>();
  readonly #failures: Array<Failure & { left: number }> = [];
  readonly #waiters = new Set<() => void>();
  readonly journal: JournalEntry[] = [];
  /** False while "the network is down": connects and sends fail with KAFKA_UNAVAILABLE. */
  reachable = true;

  constructor(options: { brokers?: number } = {}) {
    this.brokers = options.brokers ?? 3;
  }

  /** Makes the next matching operation(s) fail. */
  inject(failure: Failure): void {
    this.#failures.push({ ...failure, left: failure.times ?? 1 });
  }

  /** The injected failure for this operation, consumed; or undefined. */
  takeFailure(at: FailurePoint, topic?: string): Failure | undefined {
    const index = this.#failures.findIndex((f) => f.at === at && (f.topic === undefined || f.topic === topic));
    const failure = this.#failures[index];
    if (!failure) return undefined;
    if (--failure.left <= 0) this.#failures.splice(index, 1);
    return failure;
  }

  /** Throws KAFKA_UNAVAILABLE while the cluster is unreachable, or the failure injected at `at`. */
  check(at: FailurePoint, topic?: string): void {
    if (!this.reachable) throw failureError("unavailable");
    const failure = this.takeFailure(at, topic);
    if (failure) throw failureError(failure.kind);
  }

  createTopic(name: string, partitions: number, replicationFactor: number): void {
    if (this.topics.has(name)) throw new KafkaPairError("INVALID_REQUEST", `topic ${name} already exists`);
    if (replicationFactor > this.brokers) {
      throw new KafkaPairError(
        "INVALID_REQUEST",
        `replication factor ${replicationFactor} is larger than the ${this.brokers} available brokers`,
      );
    }
    this.topics.set(name, { name, replicationFactor, partitions: Array.from({ length: partitions }, () => []) });
  }

  log(topic: string): TopicLog {
    const log = this.topics.get(topic);
    if (!log) throw new KafkaPairError("DELIVERY_FAILED", `unknown topic ${topic}`);
    return log;
  }

  partition(tp: TopicPartition): LogEntry[] {
    const entries = this.log(tp.topic).partitions[tp.partition];
    if (!entries) throw new KafkaPairError("DELIVERY_FAILED", `unknown partition ${tp.topic}/${tp.partition}`);
    return entries;
  }

  append(tp: TopicPartition, entry: Omit<LogEntry, "offset">): LogEntry {
    const entries = this.partition(tp);
    const stored = { ...entry, offset: BigInt(entries.length) };
    entries.push(stored);
    if (!entry.marker) this.journal.push({ op: "append", ...tp, offset: stored.offset });
    this.changed();
    return stored;
  }

  /** The offset the next record gets; under read_committed, the first offset of an open transaction. */
  endOffset(tp: TopicPartition, isolation: "read_committed" | "read_uncommitted" = "read_committed"): bigint {
    const entries = this.partition(tp);
    if (isolation === "read_committed") {
      const open = entries.find((e) => e.transaction?.state === "open");
      if (open) return open.offset;
    }
    return BigInt(entries.length);
  }

  /** The first record a read_committed reader sees at or after `from`, or undefined when there is none yet. */
  nextVisible(tp: TopicPartition, from: bigint): LogEntry | undefined {
    const entries = this.partition(tp);
    const end = this.endOffset(tp);
    for (let offset = from; offset < end; offset++) {
      const entry = entries[Number(offset)];
      if (entry && !entry.marker && entry.transaction?.state !== "aborted") return entry;
    }
    return undefined;
  }

  /** Resolves on the next append or transaction outcome. */
  changes(): Promise<void> {
    return new Promise((resolve) => this.#waiters.add(resolve));
  }

  changed(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  group(groupId: string): Group {
    let group = this.#groups.get(groupId);
    if (!group) {
      group = { members: [], generation: 0, committed: new Map(), rebalancing: Promise.resolve() };
      this.#groups.set(groupId, group);
    }
    return group;
  }

  committed(groupId: string, tp: TopicPartition): bigint | undefined {
    return this.#groups.get(groupId)?.committed.get(keyOf(tp));
  }

  commit(groupId: string, tp: TopicPartition, offset: bigint): void {
    this.group(groupId).committed.set(keyOf(tp), offset);
    this.journal.push({ op: "commit", group: groupId, topic: tp.topic, partition: tp.partition, offset });
  }

  /** The group's generation now (see Group.generation). */
  generation(groupId: string): number {
    return this.group(groupId).generation;
  }

  join(groupId: string, member: GroupMember): Promise<void> {
    const group = this.group(groupId);
    group.members.push(member);
    return this.#rebalance(group);
  }

  leave(groupId: string, member: GroupMember): Promise<void> {
    const group = this.group(groupId);
    // The leaver gives its partitions up first (its final commit), then the rest are rebalanced.
    const step = group.rebalancing.then(async () => {
      await member.revoke(member.assignment());
      group.members = group.members.filter((m) => m !== member);
    });
    group.rebalancing = step.catch(() => {});
    return step.then(() => this.#rebalance(group));
  }

  /** Eager rebalance: every member gives up what it loses, then gets what it gains (range assignment). */
  #rebalance(group: Group): Promise<void> {
    const step = group.rebalancing.then(async () => {
      const target = new Map<GroupMember, TopicPartition[]>(group.members.map((m) => [m, []]));
      const topics = [...new Set(group.members.flatMap((m) => m.topics))].sort();
      for (const topic of topics) {
        const log = this.topics.get(topic);
        const members = group.members.filter((m) => m.topics.includes(topic));
        if (!log || members.length === 0) continue;
        log.partitions.forEach((_, partition) => {
          const owner = members[Math.floor((partition * members.length) / log.partitions.length)];
          if (owner) target.get(owner)?.push({ topic, partition });
        });
      }
      const owned = new Set<string>();
      await Promise.all(
        group.members.map((member) => {
          const keep = new Set((target.get(member) ?? []).map(keyOf));
          const lost = member.assignment().filter((tp) => !keep.has(keyOf(tp)));
          for (const tp of member.assignment()) if (keep.has(keyOf(tp))) owned.add(keyOf(tp));
          return lost.length > 0 ? member.revoke(lost) : undefined;
        }),
      );
      group.generation++;
      for (const member of group.members) {
        const gained = (target.get(member) ?? []).filter((tp) => !owned.has(keyOf(tp)));
        member.assign(gained);
      }
    });
    group.rebalancing = step.catch(() => {});
    return step;
  }
}
