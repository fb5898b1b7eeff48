import type { Logger } from "@kafka-pair/shared/runtime";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  GroupMetadata,
  RebalanceListener,
  TopicPartition,
} from "@kafka-pair/shared/transport";
import type { Consumer, IHeaders, Kafka } from "kafkajs";

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

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * KafkaJS's consumer behind the port. It never tells its fetch position, so `position()` always
 * answers "not known" (said at construction): commits stop at the last record + 1, and a
 * partition whose last write was a transaction keeps a lag of 1 (its commit marker).
 */
export class KafkaJsConsumer implements ConsumerTransport {
  readonly #kafka: Kafka;
  readonly #consumer: Consumer;
  /** End offsets as the last fetched batch of each partition reported them. */
  readonly #highWatermarks = new Map<string, string>();
  readonly #options: ConsumerOptions;
  #assignment: TopicPartition[] = [];
  #joined = false;
  #stopping = false;
  #listener: RebalanceListener = {};
  readonly #inHand = new Set<Promise<void>>();

  constructor(kafka: Kafka, options: ConsumerOptions, logger: Logger) {
    this.#kafka = kafka;
    this.#options = options;
    logger.warn(
      { component: "consumer", groupId: options.groupId },
      "the kafkajs transport does not know its fetch position: commits stop short of transaction markers",
    );
    // KafkaJS reads read_committed unless told otherwise, like the Confluent adapter.
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
    });
    this.#consumer.on(this.#consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.#highWatermarks.set(keyOf(payload.topic, payload.partition), payload.highWatermark);
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
      // Offsets are committed by us, after the handler succeeded (the bench's timer commits wrap the port).
      autoCommit: false,
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

  /** KafkaJS sends transactional offsets by group id alone (no KIP-447 generation): its producer has no transactions here anyway. */
  groupMetadata(): GroupMetadata {
    return { groupId: this.#options.groupId };
  }

  async commit(position: TopicPartition & { offset: string }): Promise<void> {
    await this.#consumer.commitOffsets([position]);
  }

  async commitMany(positions: CommitPosition[]): Promise<void> {
    if (positions.length === 0) return;
    await this.#consumer.commitOffsets(positions);
  }

  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    if (partitions.length === 0) return [];
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const topics = [...new Set(partitions.map((tp) => tp.topic))];
      const answer = await admin.fetchOffsets({ groupId: this.#options.groupId, topics });
      const wanted = new Set(partitions.map((tp) => keyOf(tp.topic, tp.partition)));
      return answer.flatMap(({ topic, partitions: offsets }) =>
        offsets
          .filter((o) => wanted.has(keyOf(topic, o.partition)) && BigInt(o.offset) >= 0n)
          .map((o) => ({ topic, partition: o.partition, offset: o.offset })),
      );
    } finally {
      await admin.disconnect();
    }
  }

  highWatermark(tp: TopicPartition): string | undefined {
    return this.#highWatermarks.get(keyOf(tp.topic, tp.partition));
  }

  /** Not known: KafkaJS keeps its fetch position to itself. */
  position(_tp: TopicPartition): string | undefined {
    return undefined;
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
