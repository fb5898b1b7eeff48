// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import type {
  Assignment,
  KafkaConsumer,
  LibrdKafkaError,
  MessageHeader,
  Message as RdMessage,
  TopicPartitionOffset,
} from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  RebalanceListener,
  TopicPartition,
} from "../consumer.ts";
import { activePartitions, drainPartition, partitionKey as keyOf, releasePartitions } from "../partitions.ts";
import type { ConfluentOptions } from "./options.ts";

// librdkafka rebalance event codes.
const ERR_ASSIGN_PARTITIONS = -175;
const ERR_REVOKE_PARTITIONS = -174;
const OFFSET_INVALID = -1001;
const ERR_NO_OFFSET = -168;
const COMMIT_TIMEOUT_MS = 30_000;

/** Members the binding has at run time but its typings omit. */
interface NativeConsumer extends KafkaConsumer {
  incrementalAssign(partitions: Assignment[]): void;
  incrementalUnassign(partitions: Assignment[]): void;
  rebalanceProtocol(): "COOPERATIVE" | "EAGER" | "NONE";
  assignmentLost(): boolean;
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
}

type EachMessage = (message: ConsumedMessage) => Promise<void>;

/** What this member holds of one assigned partition. */
class PartitionState {
  readonly queue: RdMessage[] = [];
  readonly abort = new AbortController();
  /** Offset of the last message handed to the queue: a refetch after pause/resume must not repeat it. */
  lastQueued = -1;
  /** librdkafka's position after the last fetch whose messages are all queued here (past control records). */
  position: number | undefined;
  running: Promise<void> | undefined;
  paused = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

function toHeaders(headers: MessageHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  // Plain loops: Object.entries made an array per header, and headers come with every message.
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i] as MessageHeader;
    for (const key in header) {
      // The first value wins, as in the KafkaJS-style API.
      if (out[key] !== undefined) continue;
      const value = header[key];
      out[key] = typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    }
  }
  return out;
}

function toConsumed(message: RdMessage, signal: AbortSignal): ConsumedMessage {
  const key = message.key;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    key: key === undefined || key === null ? null : typeof key === "string" ? key : key.toString(),
    // A Buffer is a Uint8Array: no second view per message.
    value: message.value ?? null,
    headers: toHeaders(message.headers),
    timestamp: message.timestamp ?? 0,
    signal,
  };
}

/**
 * librdkafka's own consumer (not the KafkaJS-style wrapper, whose fetcher waits for the
 * slowest partition in hand before fetching again): one fetch loop, one ordered queue per
 * partition, partitions handled side by side, a partition paused while its queue is full.
 * Rebalances go through `rebalance_cb`: revoked partitions drain, the listener commits,
 * and only then does librdkafka get them back.
 */
export class ConfluentConsumer implements ConsumerTransport {
  readonly #options: ConfluentOptions;
  readonly #consumerOptions: ConsumerOptions;
  readonly #logger: Logger;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #revokeTimeoutMs: number;
  readonly #maxBuffered: number;
  #consumer: NativeConsumer | undefined;
  #listener: RebalanceListener = {};
  #eachMessage: EachMessage | undefined;
  #joined = false;
  /** Shutting down: fetched messages are dropped, but polling goes on so commit results arrive. */
  #draining = false;
  #stopping = false;
  /** Commits sent and not yet answered, oldest first: librdkafka answers them in order. */
  readonly #commits: Array<{ resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }> = [];
  #loop: Promise<void> | undefined;
  /** Rebalance events are handled one after the other, in the order librdkafka sent them. */
  #rebalances: Promise<void> = Promise.resolve();

  constructor(options: ConfluentOptions, consumerOptions: ConsumerOptions) {
    this.#options = options;
    this.#consumerOptions = consumerOptions;
    this.#logger = options.logger.child({ component: "consumer", groupId: consumerOptions.groupId });
    this.#revokeTimeoutMs = consumerOptions.revokeTimeoutMs ?? 10_000;
    this.#maxBuffered = consumerOptions.maxBufferedPerPartition ?? 500;
  }

  onRebalance(listener: RebalanceListener): void {
    this.#listener = listener;
  }

  connect(): Promise<void> {
    const { connection } = this.#options;
    const { groupId, fromBeginning, autoCommit = false } = this.#consumerOptions;
    const consumer = new confluent.KafkaConsumer(
      {
        "bootstrap.servers": connection.bootstrapServers,
        "client.id": connection.clientId,
        ...connection.security,
        "group.id": groupId,
        "isolation.level": "read_committed",
        // Incremental rebalances: partitions that stay with a member keep flowing.
        "partition.assignment.strategy": "cooperative-sticky",
        // Offsets are committed by the worker once handled, never on a timer (benchmarks aside).
        "enable.auto.commit": autoCommit,
        "enable.auto.offset.store": false,
        rebalance_cb: (err: LibrdKafkaError, assignment: Assignment[]) => {
          this.#rebalances = this.#rebalances.then(() => this.#onRebalance(err, assignment));
        },
        // The binding's commit callbacks fire once a commit is queued; this one, once the broker answered.
        offset_commit_cb: (err: LibrdKafkaError | null, offsets: TopicPartitionOffset[] | undefined) =>
          this.#onCommitResult(err, offsets),
      },
      { "auto.offset.reset": fromBeginning ? "earliest" : "latest" },
    ) as NativeConsumer;
    consumer.on("event.error", (err) =>
      this.#logger.error({ err: { code: err.code, message: err.message } }, "kafka consumer error"),
    );
    this.#consumer = consumer;
    return new Promise((resolve, reject) => {
      consumer.connect({ timeout: 30_000 }, (err) => {
        if (err) {
          reject(new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect consumer: ${err.message}`, { cause: err }));
          return;
        }
        // Return as soon as one message is there, rather than waiting to fill the batch.
        consumer.setDefaultConsumeTimeout(250);
        consumer.setDefaultIsTimeoutOnlyForFirstMessage(true);
        consumer.subscribe(this.#consumerOptions.topics);
        resolve();
      });
    });
  }

  async run(eachMessage: EachMessage): Promise<void> {
    if (!this.#consumer) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    this.#eachMessage = eachMessage;
    this.#loop = this.#fetchLoop(this.#consumer);
  }

  async #fetchLoop(consumer: NativeConsumer): Promise<void> {
    while (!this.#stopping) {
      const messages = await new Promise<RdMessage[]>((resolve) => {
        consumer.consume(this.#maxBuffered, (err, batch) => {
          if (err) {
            this.#logger.warn({ err: { code: err.code, message: err.message } }, "fetch failed");
            // A failing fetch is retried by the loop; a short pause keeps it from spinning.
            setTimeout(() => resolve([]), 200);
          } else resolve(batch ?? []);
        });
      });
      for (const message of messages) this.#enqueue(message);
      this.#notePositions(consumer);
    }
  }

  /**
   * Snapshots librdkafka's positions right after a fetch's messages were queued (same tick), so a
   * position never runs ahead of what this adapter holds. librdkafka's position steps over
   * transaction markers as Kafka's Java consumer does.
   */
  #notePositions(consumer: NativeConsumer): void {
    // Draining drops fetched messages: a position past them would commit what nobody handled.
    if (this.#partitions.size === 0 || this.#draining) return;
    try {
      const positions = consumer.position(
        [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition })),
      );
      for (const p of positions) {
        const state = this.#partitions.get(keyOf(p));
        if (state) state.position = p.offset !== undefined && p.offset >= 0 ? p.offset : undefined;
      }
    } catch {
      // Not assigned yet or going away: no position is as good as an old one.
    }
  }

  position(tp: TopicPartition): string | undefined {
    const state = this.#partitions.get(keyOf(tp));
    // Queued messages not yet handed out, a partition going away, or a drain dropping fetched ones:
    // the position would run ahead of what was handled.
    if (!state || this.#draining || state.queue.length > 0 || state.abort.signal.aborted) return undefined;
    if (state.position === undefined) return undefined;
    return String(state.position);
  }

  #enqueue(message: RdMessage): void {
    const state = this.#partitions.get(keyOf(message));
    // Partitions being revoked, or not ours anymore: the next owner reads them from the committed offset.
    if (!state || state.abort.signal.aborted || this.#draining) return;
    if (message.offset <= state.lastQueued) return;
    state.lastQueued = message.offset;
    state.queue.push(message);
    if (!state.paused && state.queue.length >= this.#maxBuffered) {
      state.paused = true;
      this.#consumer?.pause([{ topic: state.topic, partition: state.partition }]);
    }
    state.running ??= this.#drain(state);
  }

  #drain(state: PartitionState): Promise<void> {
    const eachMessage = this.#eachMessage;
    const consumer = this.#consumer;
    if (!eachMessage || !consumer) return Promise.resolve();
    return drainPartition(state, {
      // No async frame of its own unless offsets are stored here (auto-commit, benchmarks only).
      handle: this.#consumerOptions.autoCommit
        ? async (message, signal) => {
            await eachMessage(toConsumed(message, signal));
            this.#store(consumer, message);
          }
        : (message, signal) => eachMessage(toConsumed(message, signal)),
      describe: (message) => ({ topic: message.topic, partition: message.partition, offset: message.offset }),
      seek: (message) => this.#seek(consumer, state, message.offset),
      resume: () => consumer.resume([{ topic: state.topic, partition: state.partition }]),
      maxBuffered: this.#maxBuffered,
      logger: this.#logger,
    });
  }

  #seek(consumer: NativeConsumer, state: PartitionState, offset: number): void {
    state.lastQueued = offset - 1;
    state.position = undefined;
    consumer.seek({ topic: state.topic, partition: state.partition, offset }, 5_000, (err) => {
      if (err) this.#logger.error({ err, partition: state.partition, offset }, "seek failed");
    });
  }

  #store(consumer: NativeConsumer, message: RdMessage): void {
    consumer.offsetsStore([{ topic: message.topic, partition: message.partition, offset: message.offset + 1 }]);
  }

  async #onRebalance(err: LibrdKafkaError, assignment: Assignment[]): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer) return;
    const cooperative = consumer.rebalanceProtocol() === "COOPERATIVE";
    const partitions = assignment.map(({ topic, partition }) => ({ topic, partition }));
    try {
      if (err.code === ERR_ASSIGN_PARTITIONS) {
        for (const tp of partitions) this.#partitions.set(keyOf(tp), new PartitionState(tp.topic, tp.partition));
        if (cooperative) consumer.incrementalAssign(assignment);
        else consumer.assign(assignment);
        this.#joined = true;
        this.#logger.info({ partitions: partitions.map((p) => p.partition) }, "partitions assigned");
        this.#listener.onAssign?.(partitions);
      } else if (err.code === ERR_REVOKE_PARTITIONS) {
        const lost = consumer.assignmentLost();
        await this.#release(partitions, lost);
        if (cooperative) consumer.incrementalUnassign(assignment);
        else consumer.unassign();
        this.#logger.info({ partitions: partitions.map((p) => p.partition), lost }, "partitions revoked");
      } else {
        this.#logger.error({ err: { code: err.code, message: err.message } }, "rebalance failed");
      }
    } catch (error) {
      // Only expected while disconnecting: librdkafka then takes the partitions back itself.
      this.#logger.warn({ err: error }, "rebalance step failed");
    }
  }

  /** Drops queued messages, waits (bounded) for those in hand, lets the listener commit. */
  async #release(partitions: TopicPartition[], lost: boolean): Promise<void> {
    const states = partitions.flatMap((tp) => this.#partitions.get(keyOf(tp)) ?? []);
    await releasePartitions(states, partitions, lost, {
      listener: this.#listener,
      revokeTimeoutMs: this.#revokeTimeoutMs,
      logger: this.#logger,
    });
    for (const state of states) this.#partitions.delete(keyOf(state));
  }

  commit(position: CommitPosition): Promise<void> {
    return this.commitMany([position]);
  }

  commitMany(positions: CommitPosition[]): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer) return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected"));
    const offsets = positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: Number(p.offset) }));
    if (this.#consumerOptions.autoCommit) {
      consumer.offsetsStore(offsets);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      try {
        consumer.commit(offsets);
      } catch (err) {
        reject(new KafkaPairError("KAFKA_UNAVAILABLE", `commit failed: ${(err as Error).message}`, { cause: err }));
        return;
      }
      const timer = setTimeout(() => {
        const at = this.#commits.findIndex((c) => c.timer === timer);
        if (at >= 0) this.#commits.splice(at, 1);
        reject(new KafkaPairError("KAFKA_UNAVAILABLE", "no answer to the offset commit"));
      }, COMMIT_TIMEOUT_MS);
      this.#commits.push({ resolve, reject, timer });
    });
  }

  #onCommitResult(err: LibrdKafkaError | null, offsets: TopicPartitionOffset[] | undefined): void {
    // Auto-commits (benchmark mode) have nobody waiting.
    const waiter = this.#commits.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    const failed = offsets?.find((o) => (o as { error?: LibrdKafkaError }).error);
    const error = err && err.code !== ERR_NO_OFFSET ? err : (failed as { error?: LibrdKafkaError } | undefined)?.error;
    if (error)
      waiter.reject(new KafkaPairError("KAFKA_UNAVAILABLE", `commit failed: ${error.message}`, { cause: error }));
    else waiter.resolve();
  }

  committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    const consumer = this.#consumer;
    if (!consumer || partitions.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      consumer.committed(partitions, 10_000, (err, offsets) => {
        if (err) reject(new KafkaPairError("KAFKA_UNAVAILABLE", `cannot read committed offsets: ${err.message}`));
        else
          resolve(
            offsets
              .filter((o) => o.offset !== undefined && o.offset >= 0)
              .map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
          );
      });
    });
  }

  highWatermark(tp: TopicPartition): string | undefined {
    try {
      const high = this.#consumer?.getWatermarkOffsets(tp.topic, tp.partition).highOffset;
      return high === undefined || high === OFFSET_INVALID || high < 0 ? undefined : String(high);
    } catch {
      return undefined;
    }
  }

  isJoined(): boolean {
    return this.#joined;
  }

  assignment(): TopicPartition[] {
    return activePartitions(this.#partitions.values());
  }

  async disconnect(): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer || this.#draining) return;
    this.#draining = true;
    // Finish what is in hand and commit it while the partitions are still ours (the fetch loop
    // keeps polling, which is how commit results arrive), then leave: librdkafka's close
    // revokes the partitions again, with nothing left to do.
    await this.#rebalances;
    await this.#release(this.assignment(), false);
    this.#stopping = true;
    await this.#loop;
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
    this.#joined = false;
  }
}
