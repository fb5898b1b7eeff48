import type { Buffer } from "node:buffer";
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  type Group,
  type Message,
  type MessagesStream,
  stringDeserializer,
} from "@platformatic/kafka";
import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  TopicPartition,
} from "../consumer.ts";
import { baseOptions, type PlatformaticOptions } from "./options.ts";

/** The only assignor @platformatic/kafka's consumer offers (its default protocols). */
const PLATFORMATIC_ASSIGNOR = "roundrobin";

// Keys and header values are strings once deserialized; a record without a key has none at run time.
type Record = Message<string, Buffer | undefined, string, string>;
type EachMessage = (message: ConsumedMessage) => Promise<void>;

/** What this member holds of one partition: an ordered queue, worked through by one loop. */
class PartitionState {
  readonly queue: Record[] = [];
  readonly abort = new AbortController();
  /** Highest offset queued: a refetch after a rebalance must not queue it twice. */
  lastQueued = -1n;
  leaderEpoch = -1;
  running: Promise<void> | undefined;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

const keyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const RETRY_BACKOFF_MS = 1000;

function toConsumed(record: Record, signal: AbortSignal): ConsumedMessage {
  const headers: { [name: string]: string } = {};
  for (const [name, value] of record.headerEntries) {
    // The first value wins, as in the other adapters.
    if (!(name in headers)) headers[name] = value ?? "";
  }
  const value = record.value;
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset.toString(),
    key: record.key ?? null,
    value: value ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength) : null,
    headers,
    timestamp: Number(record.timestamp),
    signal,
  };
}

/**
 * A read_committed group member that commits only what it is told to. One fetch stream feeds
 * one queue per partition; partitions are worked on side by side, each in order. A message
 * whose handler throws is handed over again (after a pause) until it succeeds or the
 * partition leaves this member, so nothing is skipped.
 */
export class PlatformaticConsumer implements ConsumerTransport {
  readonly #options: ConsumerOptions;
  readonly #logger: Logger;
  readonly #consumer: Consumer<string, Buffer | undefined, string, string>;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #maxBuffered: number;
  #stream: MessagesStream<string, Buffer | undefined, string, string> | undefined;
  #eachMessage: EachMessage | undefined;
  #buffered = 0;
  #stopping = false;
  readonly #groupId: string;
  readonly #base: ReturnType<typeof baseOptions>;

  constructor(options: PlatformaticOptions, consumerOptions: ConsumerOptions) {
    if (consumerOptions.autoCommit) {
      // Refused rather than quietly committing on every fetch.
      throw new KafkaPairError("FEATURE_UNAVAILABLE", "the platformatic transport does not offer autoCommit");
    }
    this.#options = consumerOptions;
    this.#groupId = consumerOptions.groupId;
    this.#base = baseOptions(options);
    this.#logger = options.logger.child({ component: "consumer", groupId: consumerOptions.groupId });
    this.#maxBuffered = consumerOptions.maxBufferedPerPartition ?? 500;
    this.#consumer = new Consumer({
      ...baseOptions(options),
      groupId: consumerOptions.groupId,
      // librdkafka's defaults: a crashed member's partitions move on within 45 s.
      sessionTimeout: 45_000,
      heartbeatInterval: 3_000,
      maxWaitTime: 500,
      deserializers: { key: stringDeserializer, headerKey: stringDeserializer, headerValue: stringDeserializer },
    });
    this.#consumer.on("consumer:group:join", () => this.#dropRevoked());
  }

  async connect(): Promise<void> {
    try {
      await this.#consumer.metadata({ topics: this.#options.topics });
    } catch (err) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect consumer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    await this.#refuseForeignGroup();
  }

  /**
   * @platformatic/kafka joins with the eager `roundrobin` assignor only; librdkafka members (Node,
   * Deno on FFI) and Java ones here speak `cooperative-sticky`. A member whose assignors share no
   * name with the group's makes the coordinator answer "Inconsistent group protocol", so this
   * one refuses to start instead of joining a group that already speaks another protocol.
   */
  async #refuseForeignGroup(): Promise<void> {
    const groupId = this.#groupId;
    const admin = new Admin(this.#base);
    let group: Group | undefined;
    try {
      group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
    } catch (err) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot describe group ${groupId}: ${(err as Error).message}`, {
        cause: err,
      });
    } finally {
      await admin.close().catch(() => {});
    }
    if (!group || group.members.size === 0) return;
    if (group.protocolType === "consumer" && group.protocol === PLATFORMATIC_ASSIGNOR) return;
    throw new KafkaPairError(
      "FEATURE_UNAVAILABLE",
      `consumer group ${groupId} already speaks ${group.protocolType || "?"}/${group.protocol || "?"} with ${group.members.size} member(s); ` +
        `the platformatic transport can only join with the eager '${PLATFORMATIC_ASSIGNOR}' assignor and would break the group ` +
        `("Inconsistent group protocol"). Run this worker on librdkafka (TRANSPORT=confluent; on Deno with --allow-ffi) or stop the other members first.`,
    );
  }

  async run(eachMessage: EachMessage): Promise<void> {
    this.#eachMessage = eachMessage;
    const stream = await this.#consumer.consume({
      topics: this.#options.topics,
      mode: "committed",
      fallbackMode: this.#options.fromBeginning ? "earliest" : "latest",
      // Offsets are committed by the worker once handled, never on a timer.
      autocommit: false,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    stream.on("data", (record: Record) => this.#enqueue(record));
    stream.on("error", (err: Error) => this.#logger.error({ err }, "kafka consumer error"));
    this.#stream = stream;
  }

  #enqueue(record: Record): void {
    if (this.#stopping) return;
    const key = keyOf(record.topic, record.partition);
    let state = this.#partitions.get(key);
    if (!state) {
      state = new PartitionState(record.topic, record.partition);
      this.#partitions.set(key, state);
    }
    if (record.offset <= state.lastQueued) return;
    state.lastQueued = record.offset;
    state.leaderEpoch = record.leaderEpoch;
    state.queue.push(record);
    this.#buffered++;
    // One stream feeds every partition: pausing it is the only brake there is.
    if (state.queue.length >= this.#maxBuffered) this.#stream?.pause();
    state.running ??= this.#drain(state).finally(() => {
      if (state) state.running = undefined;
    });
  }

  async #drain(state: PartitionState): Promise<void> {
    const eachMessage = this.#eachMessage;
    if (!eachMessage) return;
    while (state.queue.length > 0 && !this.#stopping && !state.abort.signal.aborted) {
      const record = state.queue[0] as Record;
      try {
        await eachMessage(toConsumed(record, state.abort.signal));
      } catch (err) {
        this.#logger.warn(
          { err, topic: state.topic, partition: state.partition, offset: record.offset.toString() },
          "message not done; handing it over again",
        );
        await new Promise((resolve) => setTimeout(resolve, RETRY_BACKOFF_MS));
        continue;
      }
      state.queue.shift();
      this.#buffered--;
      if (this.#stream?.isPaused() && state.queue.length < this.#maxBuffered / 2) this.#stream.resume();
    }
  }

  /** After a rebalance, queued messages of partitions this member lost belong to their new owner. */
  #dropRevoked(): void {
    const assigned = new Set(this.assignment().map((tp) => keyOf(tp.topic, tp.partition)));
    for (const [key, state] of this.#partitions) {
      if (assigned.has(key)) continue;
      state.abort.abort();
      this.#buffered -= state.queue.length;
      state.queue.length = 0;
      this.#partitions.delete(key);
    }
    this.#stream?.resume();
  }

  async commit(position: CommitPosition): Promise<void> {
    await this.commitMany([position]);
  }

  async commitMany(positions: CommitPosition[]): Promise<void> {
    await this.#consumer.commit({
      offsets: positions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        offset: BigInt(p.offset),
        leaderEpoch: this.#partitions.get(keyOf(p.topic, p.partition))?.leaderEpoch ?? -1,
      })),
    });
  }

  assignment(): TopicPartition[] {
    return (this.#consumer.assignments ?? []).flatMap(({ topic, partitions }) =>
      partitions.map((partition) => ({ topic, partition })),
    );
  }

  isJoined(): boolean {
    return this.#consumer.memberId !== null && this.#consumer.assignments !== null;
  }

  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    const offsets = await this.#consumer.listCommittedOffsets({
      topics: [...byTopic].map(([topic, list]) => ({ topic, partitions: list })),
    });
    const out: CommitPosition[] = [];
    for (const { topic, partition } of partitions) {
      const offset = offsets.get(topic)?.[partition];
      if (offset !== undefined && offset >= 0n) out.push({ topic, partition, offset: offset.toString() });
    }
    return out;
  }

  async disconnect(): Promise<void> {
    this.#stopping = true;
    this.#stream?.pause();
    // The message in hand finishes (and commits); queued ones stay for the next owner.
    await Promise.all([...this.#partitions.values()].map((state) => state.running));
    await this.#stream?.close();
    await this.#consumer.close();
  }
}
