import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerTransport,
  GroupMetadata,
  KafkaTransport,
  RebalanceListener,
  TopicPartition,
} from "@kafka-pair/shared/transport";

/** librdkafka's default `auto.commit.interval.ms`. */
export const AUTO_COMMIT_INTERVAL_MS = 5_000;

/**
 * The benchmark's auto-commit baseline, built on the port so the product's transport carries no
 * benchmark-only option: `commit`/`commitMany` only store the newest offset per partition, and
 * what is stored is committed on a timer, on revocation (after the listener, unless the
 * assignment was lost) and on disconnect — what a client's `enable.auto.commit` does with stored
 * offsets. It measures what the runtime's own commits cost; the product never commits this way.
 */
export function timerCommits(transport: KafkaTransport, intervalMs = AUTO_COMMIT_INTERVAL_MS): KafkaTransport {
  return {
    name: transport.name,
    producer: () => transport.producer(),
    admin: () => transport.admin(),
    consumer: (options) => new TimerCommitConsumer(transport.consumer(options), intervalMs),
  };
}

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

export class TimerCommitConsumer implements ConsumerTransport {
  readonly #inner: ConsumerTransport;
  readonly #intervalMs: number;
  /** The newest stored position per partition, not yet sent. */
  readonly #stored = new Map<string, CommitPosition>();
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Commits the timer sent that failed (counted, as librdkafka logs them). */
  failures = 0;

  constructor(inner: ConsumerTransport, intervalMs: number) {
    this.#inner = inner;
    this.#intervalMs = intervalMs;
  }

  onRebalance(listener: RebalanceListener): void {
    this.#inner.onRebalance({
      onAssign: (partitions) => listener.onAssign?.(partitions),
      onRevoke: async (partitions, info) => {
        await listener.onRevoke?.(partitions, info);
        const revoked = partitions.flatMap((tp) => {
          const stored = this.#stored.get(keyOf(tp));
          this.#stored.delete(keyOf(tp));
          return stored ? [stored] : [];
        });
        // A lost assignment belongs to another member already: nothing of it is committed.
        if (!info.lost) await this.#send(revoked);
      },
    });
  }

  async connect(): Promise<void> {
    await this.#inner.connect();
    this.#timer = setInterval(() => void this.flush(), this.#intervalMs);
  }

  run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void> {
    return this.#inner.run(eachMessage);
  }

  commit(position: CommitPosition): Promise<void> {
    return this.commitMany([position]);
  }

  /** Stores only: the timer commits. */
  async commitMany(positions: CommitPosition[]): Promise<void> {
    for (const position of positions) this.#stored.set(keyOf(position), position);
  }

  /** Sends what is stored now (the timer's tick). */
  async flush(): Promise<void> {
    const positions = [...this.#stored.values()];
    this.#stored.clear();
    await this.#send(positions);
  }

  async #send(positions: CommitPosition[]): Promise<void> {
    if (positions.length === 0) return;
    try {
      await this.#inner.commitMany(positions);
    } catch {
      this.failures++;
      // Sent again at the next tick, unless a newer position was stored meanwhile.
      for (const position of positions)
        if (!this.#stored.has(keyOf(position))) this.#stored.set(keyOf(position), position);
    }
  }

  committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    return this.#inner.committed(partitions);
  }

  assignment(): TopicPartition[] {
    return this.#inner.assignment();
  }

  isJoined(): boolean {
    return this.#inner.isJoined();
  }

  groupMetadata(): GroupMetadata {
    return this.#inner.groupMetadata();
  }

  highWatermark(partition: TopicPartition): string | undefined {
    return this.#inner.highWatermark(partition);
  }

  position(partition: TopicPartition): string | undefined {
    return this.#inner.position(partition);
  }

  async disconnect(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    await this.#inner.disconnect();
  }
}
