import type { Consumer, IHeaders, Kafka } from "kafkajs";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  RebalanceListener,
  TopicPartition,
} from "../consumer.ts";

const utf8 = new TextDecoder();

function toText(value: Uint8Array | string): string {
  return typeof value === "string" ? value : utf8.decode(value);
}

function toHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[key] = toText(first);
  }
  return out;
}

export class KafkaJsConsumer implements ConsumerTransport {
  readonly #consumer: Consumer;
  readonly #options: ConsumerOptions;
  #assignment: TopicPartition[] = [];
  #joined = false;
  #stopping = false;
  #listener: RebalanceListener = {};
  readonly #inHand = new Set<Promise<void>>();

  constructor(kafka: Kafka, options: ConsumerOptions) {
    this.#options = options;
    // KafkaJS reads read_committed unless told otherwise, like the Confluent adapter.
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    // KafkaJS has no assignment() call: the group-join event carries it.
    this.#consumer.on(this.#consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
        partitions.map((partition) => ({ topic, partition })),
      );
      // KafkaJS tells of a rebalance only once it is over: partitions gone by then were lost, not handed over.
      const gone = this.#assignment.filter(
        (tp) => !assigned.some((a) => a.topic === tp.topic && a.partition === tp.partition),
      );
      if (gone.length > 0) void this.#listener.onRevoke?.(gone, { lost: true });
      this.#assignment = assigned;
      this.#joined = true;
      this.#listener.onAssign?.(assigned);
    });
  }

  async connect(): Promise<void> {
    await this.#consumer.connect();
    await this.#consumer.subscribe({ topics: this.#options.topics, fromBeginning: this.#options.fromBeginning });
  }

  async run(eachMessage: (message: ConsumedMessage) => Promise<void>): Promise<void> {
    await this.#consumer.run({
      // Offsets are committed by us, after the handler succeeded; on a timer only for benchmarks.
      autoCommit: this.#options.autoCommit ?? false,
      // Like the Confluent adapter: partitions are handled side by side, each in order.
      partitionsConsumedConcurrently: 16,
      eachMessage: async ({ topic, partition, message }) => {
        // Once stopping, the rest of the fetched batch is left unhandled and uncommitted for the next owner.
        if (this.#stopping) return;
        const value = message.value;
        const handled = eachMessage({
          topic,
          partition,
          offset: message.offset,
          key: message.key ? toText(message.key) : null,
          value: value ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : null,
          headers: toHeaders(message.headers),
          timestamp: Number(message.timestamp),
        });
        this.#inHand.add(handled);
        try {
          await handled;
        } finally {
          this.#inHand.delete(handled);
        }
      },
    });
  }

  onRebalance(listener: RebalanceListener): void {
    this.#listener = listener;
  }

  isJoined(): boolean {
    return this.#joined;
  }

  async commit(position: TopicPartition & { offset: string }): Promise<void> {
    // With autoCommit, KafkaJS already marked the message as processed when eachMessage resolved.
    if (this.#options.autoCommit) return;
    await this.#consumer.commitOffsets([position]);
  }

  async commitMany(positions: CommitPosition[]): Promise<void> {
    if (this.#options.autoCommit || positions.length === 0) return;
    await this.#consumer.commitOffsets(positions);
  }

  assignment(): TopicPartition[] {
    return this.#assignment;
  }

  /** Lets the messages in hand finish, gives the listener its final commit while still a member, then leaves. */
  async disconnect(): Promise<void> {
    this.#stopping = true;
    await Promise.allSettled([...this.#inHand]);
    if (this.#assignment.length > 0) {
      await this.#listener.onRevoke?.(this.#assignment, { lost: false });
    }
    this.#assignment = [];
    await this.#consumer.disconnect();
  }
}
