import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type {
  CommitPosition,
  ConsumedMessage,
  ConsumerOptions,
  ConsumerTransport,
  GroupMetadata,
  RebalanceListener,
  TopicPartition,
} from "../consumer.ts";
import { consumerProperties } from "./config.ts";
import {
  type NativeConsumer,
  NativeGroupMetadata,
  type NativeLayer,
  type NativeMessage,
  type RebalanceEvent,
} from "./native.ts";
import type { LibrdkafkaOptions } from "./options.ts";
import { activePartitions, drainPartition, partitionKey as keyOf, releasePartitions } from "./partitions.ts";

type EachMessage = (message: ConsumedMessage) => Promise<void>;

/** What this member holds of one assigned partition. */
class PartitionState {
  readonly queue: NativeMessage[] = [];
  readonly abort = new AbortController();
  /** Offset of the last message queued: a refetch after pause/resume must not repeat it. */
  lastQueued = -1;
  /** librdkafka's position after the last turn whose messages are all queued here (past control records). */
  position: number | undefined;
  running: Promise<void> | undefined;
  paused = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

/**
 * librdkafka's KafkaConsumer, on whichever native layer: one fetch loop, an ordered queue per
 * partition, partitions handled side by side, a partition paused while its queue is full.
 * Rebalances arrive one after the other: revoked partitions drain, the listener commits, and
 * only then does librdkafka get them back.
 */
export class LibrdkafkaConsumer implements ConsumerTransport {
  readonly #consumerOptions: ConsumerOptions;
  readonly #logger: Logger;
  readonly #native: NativeConsumer;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #revokeTimeoutMs: number;
  readonly #maxBuffered: number;
  #listener: RebalanceListener = {};
  #eachMessage: EachMessage | undefined;
  #connected = false;
  #joined = false;
  /** Shutting down: fetched messages are dropped, but polling goes on so commit results arrive. */
  #draining = false;
  /** Leaving the group: what librdkafka revokes now was released already. */
  #closing = false;
  #closed = false;
  /** Rebalance events are handled one after the other, in the order librdkafka sent them. */
  #rebalances: Promise<void> = Promise.resolve();

  constructor(layer: NativeLayer, options: LibrdkafkaOptions, consumerOptions: ConsumerOptions) {
    this.#consumerOptions = consumerOptions;
    this.#logger = options.logger.child({ component: "consumer", groupId: consumerOptions.groupId });
    this.#revokeTimeoutMs = consumerOptions.revokeTimeoutMs ?? 10_000;
    this.#maxBuffered = consumerOptions.maxBufferedPerPartition ?? 500;
    this.#native = layer.consumer(
      consumerProperties(options.connection, consumerOptions, options.group),
      {
        message: (message) => this.#enqueue(message),
        turn: () => this.#notePositions(),
        rebalance: (event) => {
          const handled = this.#rebalances.then(() => this.#onRebalance(event));
          this.#rebalances = handled;
          return handled;
        },
        error: (err) => this.#logger.error({ err }, "kafka consumer error"),
      },
      this.#maxBuffered,
    );
  }

  onRebalance(listener: RebalanceListener): void {
    this.#listener = listener;
  }

  async connect(): Promise<void> {
    try {
      await this.#native.connect(this.#consumerOptions.topics);
    } catch (err) {
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect consumer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#connected = true;
  }

  async run(eachMessage: EachMessage): Promise<void> {
    if (!this.#connected) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    this.#eachMessage = eachMessage;
    // Messages that arrived before run() wait in their queues: start handing them out.
    for (const state of this.#partitions.values()) if (state.queue.length > 0) state.running ??= this.#drain(state);
  }

  #enqueue(message: NativeMessage): void {
    const state = this.#partitions.get(keyOf(message));
    // Partitions being revoked, or not ours anymore: the next owner reads them from the committed offset.
    if (!state || state.abort.signal.aborted || this.#draining) return;
    if (message.offset <= state.lastQueued) return;
    state.lastQueued = message.offset;
    state.queue.push(message);
    if (!state.paused && state.queue.length >= this.#maxBuffered) {
      state.paused = true;
      this.#native.pause(state);
    }
    if (this.#eachMessage) state.running ??= this.#drain(state);
  }

  /**
   * Snapshots librdkafka's positions after a turn, once every message it handed out is queued
   * here, so a position never runs ahead of what this adapter holds. librdkafka's position steps
   * over transaction markers as Kafka's Java consumer does.
   */
  #notePositions(): void {
    // Draining drops fetched messages: a position past them would commit what nobody handled.
    if (this.#partitions.size === 0 || this.#draining || this.#closed) return;
    try {
      for (const p of this.#native.positions([...this.#partitions.values()])) {
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
    return state.position === undefined ? undefined : String(state.position);
  }

  #drain(state: PartitionState): Promise<void> {
    const eachMessage = this.#eachMessage;
    if (!eachMessage) return Promise.resolve();
    const handle = (message: NativeMessage, signal: AbortSignal) =>
      eachMessage({
        topic: message.topic,
        partition: message.partition,
        offset: String(message.offset),
        key: message.key,
        value: message.value,
        headers: message.headers,
        timestamp: message.timestamp,
        signal,
      });
    return drainPartition(state, {
      handle,
      describe: (message) => ({ topic: message.topic, partition: message.partition, offset: message.offset }),
      seek: (message) => {
        state.lastQueued = message.offset - 1;
        state.position = undefined;
        this.#native.seek(state, message.offset);
      },
      resume: () => this.#native.resume(state),
      maxBuffered: this.#maxBuffered,
      logger: this.#logger,
    });
  }

  async #onRebalance(event: RebalanceEvent): Promise<void> {
    const native = this.#native;
    const { partitions } = event;
    try {
      const cooperative = native.cooperative();
      if (event.kind === "assign") {
        for (const tp of partitions) this.#partitions.set(keyOf(tp), new PartitionState(tp.topic, tp.partition));
        native.assign(partitions, cooperative);
        this.#joined = true;
        this.#logger.info({ partitions: partitions.map((p) => p.partition) }, "partitions assigned");
        this.#listener.onAssign?.(partitions);
      } else if (event.kind === "revoke") {
        const lost = native.assignmentLost();
        if (!this.#closing) await this.#release(partitions, lost);
        native.unassign(partitions, cooperative);
        for (const tp of partitions) this.#partitions.delete(keyOf(tp));
        this.#logger.info({ partitions: partitions.map((p) => p.partition), lost }, "partitions revoked");
      } else {
        this.#logger.error({ err: { code: event.code, message: event.message } }, "rebalance failed");
        if (!cooperative) native.unassign(partitions, false);
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
  }

  commit(position: CommitPosition): Promise<void> {
    return this.commitMany([position]);
  }

  async commitMany(positions: CommitPosition[]): Promise<void> {
    if (!this.#connected || this.#closed) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    if (positions.length === 0) return;
    try {
      await this.#native.commit(positions);
    } catch (err) {
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `offset commit failed: ${(err as Error).message}`, { cause: err });
    }
  }

  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    if (!this.#connected || this.#closed || partitions.length === 0) return [];
    try {
      return await this.#native.committed(partitions, 10_000);
    } catch (err) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot read committed offsets: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  highWatermark(tp: TopicPartition): string | undefined {
    if (!this.#connected || this.#closed) return undefined;
    try {
      const high = this.#native.highWatermark(tp);
      return high === undefined || high < 0 ? undefined : String(high);
    } catch {
      return undefined;
    }
  }

  isJoined(): boolean {
    return this.#joined;
  }

  groupMetadata(): GroupMetadata {
    if (!this.#connected || this.#closed) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    // librdkafka reads generation and member id when the offsets are sent, not now.
    return new NativeGroupMetadata(this.#consumerOptions.groupId, this.#native);
  }

  assignment(): TopicPartition[] {
    return activePartitions(this.#partitions.values());
  }

  /**
   * Finishes and commits what is in hand while the partitions are still ours (polling goes on,
   * which is how commit results arrive), then leaves: the native close revokes the partitions
   * again, with nothing left to do.
   */
  async disconnect(): Promise<void> {
    if (!this.#connected || this.#draining) return;
    this.#draining = true;
    await this.#rebalances;
    await this.#release(this.assignment(), false);
    this.#closing = true;
    await this.#native.close();
    this.#closed = true;
    this.#joined = false;
    this.#partitions.clear();
  }
}
