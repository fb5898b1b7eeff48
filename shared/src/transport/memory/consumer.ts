import { KafkaPairError } from "../../errors.ts";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  GroupMetadata,
  RebalanceListener,
  TopicPartition,
} from "../consumer.ts";
import { type GroupMember, keyOf, type MemoryCluster } from "./cluster.ts";

/** What a memory transaction checks before committing offsets: the generation they were read in. */
export interface MemoryGroupMetadata extends GroupMetadata {
  readonly generation: number;
}

class PartitionState {
  readonly abort = new AbortController();
  running: Promise<void> | undefined;
  constructor(
    readonly tp: TopicPartition,
    public position: bigint,
  ) {}
}

/**
 * A read_committed group member on the in-memory cluster. Mirrors what the real adapters
 * promise: messages of one partition in order, partitions side by side; on revocation the
 * partition's signal aborts, in-flight messages settle, then the listener's onRevoke runs;
 * an `eachMessage` that throws has its message delivered again.
 */
export class MemoryConsumer implements ConsumerTransport, GroupMember {
  readonly topics: readonly string[];
  readonly #cluster: MemoryCluster;
  readonly #options: ConsumerOptions;
  readonly #partitions = new Map<string, PartitionState>();
  #listener: RebalanceListener = {};
  #eachMessage: ((message: ConsumedMessage) => Promise<void>) | undefined;
  #connected = false;
  #joined = false;
  #leaving: Promise<void> | undefined;

  constructor(cluster: MemoryCluster, options: ConsumerOptions) {
    this.#cluster = cluster;
    this.#options = options;
    this.topics = options.topics;
  }

  onRebalance(listener: RebalanceListener): void {
    this.#listener = listener;
  }

  async connect(): Promise<void> {
    this.#cluster.check("connect");
    for (const topic of this.topics) this.#cluster.log(topic);
    this.#connected = true;
  }

  async run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void> {
    if (!this.#connected) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    this.#eachMessage = eachMessage;
    await this.#cluster.join(this.#options.groupId, this);
  }

  assign(partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const committed = this.#cluster.committed(this.#options.groupId, tp);
      const start = committed ?? (this.#options.fromBeginning ? 0n : this.#cluster.endOffset(tp));
      const state = new PartitionState(tp, start);
      this.#partitions.set(keyOf(tp), state);
      state.running = this.#fetch(state);
    }
    this.#joined = true;
    this.#listener.onAssign?.(partitions);
  }

  async revoke(partitions: TopicPartition[]): Promise<void> {
    const states = partitions.flatMap((tp) => this.#partitions.get(keyOf(tp)) ?? []);
    for (const state of states) state.abort.abort();
    this.#cluster.changed();
    await Promise.all(states.map((s) => s.running));
    await this.#listener.onRevoke?.(partitions, { lost: false });
    for (const state of states) this.#partitions.delete(keyOf(state.tp));
  }

  async #fetch(state: PartitionState): Promise<void> {
    const signal = state.abort.signal;
    while (!signal.aborted) {
      const entry = this.#cluster.nextVisible(state.tp, state.position);
      if (!entry) {
        await this.#cluster.changes();
        continue;
      }
      const message: ConsumedMessage = {
        topic: state.tp.topic,
        partition: state.tp.partition,
        offset: String(entry.offset),
        key: entry.key,
        value: entry.value,
        headers: { ...entry.headers },
        timestamp: entry.timestamp,
        signal,
      };
      // Delivered: the position moves on now, as librdkafka's does when it hands a message out.
      state.position = entry.offset + 1n;
      try {
        await this.#eachMessage?.(message);
      } catch {
        state.position = entry.offset;
        // Left unhandled: read again from this message (unless the partition is going away).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  commit(position: CommitPosition): Promise<void> {
    return this.commitMany([position]);
  }

  async commitMany(positions: CommitPosition[]): Promise<void> {
    await Promise.resolve();
    if (!this.#connected) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    try {
      this.#cluster.check("commit");
    } catch (err) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `commit failed: ${(err as Error).message}`, { cause: err });
    }
    for (const p of positions) this.#cluster.commit(this.#options.groupId, p, BigInt(p.offset));
  }

  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    return partitions.flatMap((tp) => {
      const offset = this.#cluster.committed(this.#options.groupId, tp);
      return offset === undefined ? [] : [{ ...tp, offset: String(offset) }];
    });
  }

  highWatermark(tp: TopicPartition): string | undefined {
    return String(this.#cluster.endOffset(tp));
  }

  /** As librdkafka's: past markers and aborted records up to the next record it would deliver. */
  position(tp: TopicPartition): string | undefined {
    const state = this.#partitions.get(keyOf(tp));
    if (!state || state.abort.signal.aborted) return undefined;
    const next = this.#cluster.nextVisible(tp, state.position);
    return String(next ? next.offset : this.#cluster.endOffset(tp));
  }

  isJoined(): boolean {
    return this.#joined;
  }

  groupMetadata(): MemoryGroupMetadata {
    if (!this.#connected) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    return { groupId: this.#options.groupId, generation: this.#cluster.generation(this.#options.groupId) };
  }

  assignment(): TopicPartition[] {
    return [...this.#partitions.values()].filter((s) => !s.abort.signal.aborted).map((s) => s.tp);
  }

  disconnect(): Promise<void> {
    if (!this.#connected) return Promise.resolve();
    this.#leaving ??= this.#cluster.leave(this.#options.groupId, this).then(() => {
      this.#connected = false;
      this.#joined = false;
    });
    return this.#leaving;
  }
}
