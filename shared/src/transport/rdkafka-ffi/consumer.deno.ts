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
import {
  connectionProperties,
  cstr,
  EventPump,
  errorName,
  logEvent,
  makePartitionList,
  newHandle,
  type Ptr,
  readCString,
  readPartitionList,
  takeError,
} from "./ffi.deno.ts";
import { CONST, LAYOUT } from "./layout.ts";
import type { RdKafka } from "./library.deno.ts";
import type { FfiOptions } from "./options.deno.ts";

const MSG = LAYOUT.message;
type EachMessage = (message: ConsumedMessage) => Promise<void>;

/** A fetched message, copied out of librdkafka's memory before its event is destroyed. */
interface Fetched {
  topic: string;
  partition: number;
  offset: bigint;
  key: string | null;
  value: Uint8Array | null;
  headers: Record<string, string>;
  timestamp: number;
}

class PartitionState {
  readonly queue: Fetched[] = [];
  readonly abort = new AbortController();
  /** Offset of the last message queued: a refetch after pause/resume must not repeat it. */
  lastQueued = -1n;
  /** librdkafka's position after the last turn whose messages are all queued here (past control records). */
  position: bigint | undefined;
  running: Promise<void> | undefined;
  paused = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

const decoder = new TextDecoder();

/**
 * librdkafka's KafkaConsumer through FFI, with the Node adapter's behaviour (confluent/consumer.ts):
 * one fetch loop, an ordered queue per partition, partitions handled side by side, a partition
 * paused while its queue is full. Rebalances arrive as REBALANCE events: revoked partitions
 * drain, the listener commits, and only then are they released (incremental_unassign).
 */
export class FfiConsumer implements ConsumerTransport {
  readonly #options: FfiOptions;
  readonly #consumerOptions: ConsumerOptions;
  readonly #logger: Logger;
  readonly #rd: RdKafka;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #revokeTimeoutMs: number;
  readonly #maxBuffered: number;
  #rk: NonNullable<Ptr> | undefined;
  #queue: NonNullable<Ptr> | undefined;
  #pump: EventPump | undefined;
  #listener: RebalanceListener = {};
  #eachMessage: EachMessage | undefined;
  #joined = false;
  #draining = false;
  #closed = false;
  #rebalances: Promise<void> = Promise.resolve();
  /** Nonblocking librdkafka calls running on a worker thread: the handle outlives them. */
  readonly #calls = new Set<Promise<unknown>>();

  constructor(options: FfiOptions, consumerOptions: ConsumerOptions) {
    this.#options = options;
    this.#consumerOptions = consumerOptions;
    this.#rd = options.lib.symbols;
    this.#logger = options.logger.child({ component: "consumer", groupId: consumerOptions.groupId });
    this.#revokeTimeoutMs = consumerOptions.revokeTimeoutMs ?? 10_000;
    this.#maxBuffered = consumerOptions.maxBufferedPerPartition ?? 500;
  }

  onRebalance(listener: RebalanceListener): void {
    this.#listener = listener;
  }

  async connect(): Promise<void> {
    const { groupId, fromBeginning, autoCommit = false } = this.#consumerOptions;
    const rd = this.#rd;
    // Ownership: the handle and its consumer queue are ours, destroyed in disconnect() (queue first).
    const rk = newHandle(
      this.#options.lib,
      CONST.RD_KAFKA_CONSUMER,
      {
        ...connectionProperties(this.#options.connection),
        "group.id": groupId,
        "isolation.level": "read_committed",
        // Incremental rebalances: partitions that stay with a member keep flowing.
        "partition.assignment.strategy": "cooperative-sticky",
        // Offsets are committed by the worker once handled, never on a timer (benchmarks aside).
        "enable.auto.commit": autoCommit,
        "enable.auto.offset.store": false,
        "auto.offset.reset": fromBeginning ? "earliest" : "latest",
      },
      CONST.EVENT_REBALANCE | CONST.EVENT_ERROR,
    );
    this.#rk = rk;
    // The main queue (errors) is forwarded to the consumer queue: one queue to serve.
    const err = rd.rd_kafka_poll_set_consumer(rk);
    if (err !== CONST.ERR_NO_ERROR) throw new Error(`poll_set_consumer: ${errorName(rd, err)}`);
    const queue = rd.rd_kafka_queue_get_consumer(rk);
    if (!queue) throw new Error("rd_kafka_queue_get_consumer returned NULL");
    this.#queue = queue;
    // Reachability before subscribing, as the Node adapter's connect does.
    const slot = new BigUint64Array(1);
    const metaErr = await rd.rd_kafka_metadata(rk, 0, null, slot, 30_000);
    if (metaErr !== CONST.ERR_NO_ERROR) {
      await this.#destroy();
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect consumer: ${errorName(rd, metaErr)}`);
    }
    rd.rd_kafka_metadata_destroy(Deno.UnsafePointer.create(slot[0] ?? 0n));
    const topics = makePartitionList(
      rd,
      this.#consumerOptions.topics.map((topic) => ({ topic, partition: CONST.RD_KAFKA_PARTITION_UA })),
    );
    const subErr = rd.rd_kafka_subscribe(rk, topics);
    rd.rd_kafka_topic_partition_list_destroy(topics);
    if (subErr !== CONST.ERR_NO_ERROR) throw new Error(`subscribe: ${errorName(rd, subErr)}`);
    // Turns of 200 events with a setImmediate between them (see EventPump): the per-partition queues
    // drain between turns instead of filling up to a pause (a pause drops librdkafka's prefetched
    // messages, which then have to be fetched again: 3-10x slower, measured).
    this.#pump = new EventPump(
      rd,
      queue,
      (event, type) => this.#onEvent(event, type),
      this.#logger,
      100,
      200,
      () => this.#notePositions(),
    );
  }

  async run(eachMessage: EachMessage): Promise<void> {
    if (!this.#rk) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    this.#eachMessage = eachMessage;
  }

  #onEvent(event: NonNullable<Ptr>, type: number): boolean {
    const rd = this.#rd;
    if (type === CONST.EVENT_FETCH) {
      const msg = rd.rd_kafka_event_message_next(event);
      if (msg) this.#onMessage(msg);
      return false;
    }
    if (type === CONST.EVENT_REBALANCE) {
      // Kept alive until handled: its partition list is the one handed back to librdkafka.
      this.#rebalances = this.#rebalances.then(() => this.#onRebalance(event));
      return true;
    }
    if (type === CONST.EVENT_LOG) logEvent(rd, event, this.#logger);
    if (type === CONST.EVENT_ERROR) {
      const code = rd.rd_kafka_event_error(event);
      this.#logger.error(
        { err: { code, message: readCString(rd.rd_kafka_event_error_string(event)) } },
        "kafka consumer error",
      );
    }
    return false;
  }

  /** Copies one rd_kafka_message_t (owned by its FETCH event) into JS memory. */
  #onMessage(msg: NonNullable<Ptr>): void {
    const rd = this.#rd;
    const view = new Deno.UnsafePointerView(msg);
    const err = view.getInt32(MSG.err);
    if (err !== CONST.ERR_NO_ERROR) {
      if (err !== CONST.ERR__PARTITION_EOF)
        this.#logger.warn({ err: { code: err, message: errorName(rd, err) } }, "fetch failed");
      return;
    }
    const topic = readCString(rd.rd_kafka_topic_name(view.getPointer(MSG.rkt)));
    const partition = view.getInt32(MSG.partition);
    const state = this.#partitions.get(keyOf({ topic, partition }));
    // Partitions being revoked, or not ours anymore: the next owner reads them from the committed offset.
    if (!state || state.abort.signal.aborted || this.#draining) return;
    const offset = view.getBigInt64(MSG.offset);
    if (offset <= state.lastQueued) return;
    const payload = view.getPointer(MSG.payload);
    const len = Number(view.getBigUint64(MSG.len));
    const keyPtr = view.getPointer(MSG.key);
    const keyLen = Number(view.getBigUint64(MSG.keyLen));
    const value = payload ? new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(payload, len).slice(0)) : null;
    const key = keyPtr ? decoder.decode(Deno.UnsafePointerView.getArrayBuffer(keyPtr, keyLen)) : null;
    state.lastQueued = offset;
    state.queue.push({
      topic,
      partition,
      offset,
      key,
      value,
      headers: this.#headers(msg),
      timestamp: Number(rd.rd_kafka_message_timestamp(msg, null)),
    });
    if (!state.paused && state.queue.length >= this.#maxBuffered) {
      state.paused = true;
      this.#pauseResume(state, true);
    }
    state.running ??= this.#drain(state);
  }

  /**
   * Snapshots librdkafka's positions after a turn of the pump, once every message it handed out
   * is queued here, so a position never runs ahead of what this adapter holds. librdkafka's
   * position steps over transaction markers as Kafka's Java consumer does.
   */
  #notePositions(): void {
    const rk = this.#rk;
    // Draining drops fetched messages: a position past them would commit what nobody handled.
    if (!rk || this.#closed || this.#draining || this.#partitions.size === 0) return;
    const rd = this.#rd;
    const list = makePartitionList(
      rd,
      [...this.#partitions.values()].map(({ topic, partition }) => ({ topic, partition })),
    );
    try {
      if (rd.rd_kafka_position(rk, list) !== CONST.ERR_NO_ERROR) return;
      for (const p of readPartitionList(list)) {
        const state = this.#partitions.get(keyOf(p));
        if (state) state.position = p.err === CONST.ERR_NO_ERROR && p.offset >= 0n ? p.offset : undefined;
      }
    } finally {
      rd.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  position(tp: TopicPartition): string | undefined {
    const state = this.#partitions.get(keyOf(tp));
    // Queued messages not yet handed out, a partition going away, or a drain dropping fetched ones:
    // the position would run ahead of what was handled.
    if (!state || this.#draining || state.queue.length > 0 || state.abort.signal.aborted) return undefined;
    return state.position === undefined ? undefined : String(state.position);
  }

  #headers(msg: NonNullable<Ptr>): Record<string, string> {
    const rd = this.#rd;
    const out: Record<string, string> = {};
    const hdrsSlot = new BigUint64Array(1);
    if (rd.rd_kafka_message_headers(msg, hdrsSlot) !== CONST.ERR_NO_ERROR) return out;
    // The headers list belongs to the message.
    const hdrs = Deno.UnsafePointer.create(hdrsSlot[0] ?? 0n);
    const name = new BigUint64Array(1);
    const val = new BigUint64Array(1);
    const size = new BigUint64Array(1);
    for (let i = 0; rd.rd_kafka_header_get_all(hdrs, BigInt(i), name, val, size) === CONST.ERR_NO_ERROR; i++) {
      const key = readCString(Deno.UnsafePointer.create(name[0] ?? 0n));
      const valPtr = Deno.UnsafePointer.create(val[0] ?? 0n);
      // The first value wins, as in the Node adapter.
      if (!(key in out))
        out[key] = valPtr ? decoder.decode(Deno.UnsafePointerView.getArrayBuffer(valPtr, Number(size[0]))) : "";
    }
    return out;
  }

  #pauseResume(state: PartitionState, pause: boolean): void {
    const rk = this.#rk;
    if (!rk || this.#closed) return;
    const list = makePartitionList(this.#rd, [{ topic: state.topic, partition: state.partition }]);
    if (pause) this.#rd.rd_kafka_pause_partitions(rk, list);
    else this.#rd.rd_kafka_resume_partitions(rk, list);
    this.#rd.rd_kafka_topic_partition_list_destroy(list);
  }

  #drain(state: PartitionState): Promise<void> {
    const eachMessage = this.#eachMessage;
    if (!eachMessage) return Promise.resolve();
    return drainPartition(state, {
      handle: async (message, signal) => {
        await eachMessage({
          topic: message.topic,
          partition: message.partition,
          offset: message.offset.toString(),
          key: message.key,
          value: message.value,
          headers: message.headers,
          timestamp: message.timestamp,
          signal,
        });
        if (this.#consumerOptions.autoCommit) this.#store(message);
      },
      describe: (message) => ({
        topic: message.topic,
        partition: message.partition,
        offset: message.offset.toString(),
      }),
      seek: (message) => this.#seek(state, message.offset),
      resume: () => this.#pauseResume(state, false),
      maxBuffered: this.#maxBuffered,
      logger: this.#logger,
    });
  }

  #seek(state: PartitionState, offset: bigint): void {
    const rk = this.#rk;
    if (!rk) return;
    state.lastQueued = offset - 1n;
    state.position = undefined;
    const list = makePartitionList(this.#rd, [{ topic: state.topic, partition: state.partition, offset }]);
    // timeout 0: the seek is queued, not awaited.
    const error = takeError(this.#rd, this.#rd.rd_kafka_seek_partitions(rk, list, 0));
    this.#rd.rd_kafka_topic_partition_list_destroy(list);
    if (error) this.#logger.error({ err: error, partition: state.partition }, "seek failed");
  }

  #store(message: Fetched): void {
    const rk = this.#rk;
    if (!rk) return;
    const list = makePartitionList(this.#rd, [
      { topic: message.topic, partition: message.partition, offset: message.offset + 1n },
    ]);
    this.#rd.rd_kafka_offsets_store(rk, list);
    this.#rd.rd_kafka_topic_partition_list_destroy(list);
  }

  async #onRebalance(event: NonNullable<Ptr>): Promise<void> {
    const rd = this.#rd;
    const rk = this.#rk;
    try {
      if (!rk) return;
      const code = rd.rd_kafka_event_error(event);
      const list = rd.rd_kafka_event_topic_partition_list(event);
      const partitions = readPartitionList(list).map(({ topic, partition }) => ({ topic, partition }));
      const cooperative = readCString(rd.rd_kafka_rebalance_protocol(rk)) === "COOPERATIVE";
      if (code === CONST.ERR__ASSIGN_PARTITIONS) {
        for (const tp of partitions) this.#partitions.set(keyOf(tp), new PartitionState(tp.topic, tp.partition));
        const error = cooperative ? takeError(rd, rd.rd_kafka_incremental_assign(rk, list)) : undefined;
        if (!cooperative) rd.rd_kafka_assign(rk, list);
        if (error) this.#logger.error({ err: error }, "incremental assign failed");
        this.#joined = true;
        this.#logger.info({ partitions: partitions.map((p) => p.partition) }, "partitions assigned");
        this.#listener.onAssign?.(partitions);
      } else if (code === CONST.ERR__REVOKE_PARTITIONS) {
        const lost = rd.rd_kafka_assignment_lost(rk) !== 0;
        await this.#release(partitions, lost);
        const error = cooperative ? takeError(rd, rd.rd_kafka_incremental_unassign(rk, list)) : undefined;
        if (!cooperative) rd.rd_kafka_assign(rk, null);
        if (error) this.#logger.error({ err: error }, "incremental unassign failed");
        for (const tp of partitions) this.#partitions.delete(keyOf(tp));
        this.#logger.info({ partitions: partitions.map((p) => p.partition), lost }, "partitions revoked");
      } else {
        this.#logger.error({ err: { code, message: errorName(rd, code) } }, "rebalance failed");
        if (!cooperative) rd.rd_kafka_assign(rk, null);
      }
    } catch (error) {
      this.#logger.warn({ err: error }, "rebalance step failed");
    } finally {
      rd.rd_kafka_event_destroy(event);
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

  /** Resolves once the group coordinator acknowledged the commit (rd_kafka_commit_queue, no queue: synchronous). */
  async commitMany(positions: CommitPosition[]): Promise<void> {
    const rk = this.#rk;
    if (!rk || this.#closed) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    if (positions.length === 0) return;
    const rd = this.#rd;
    const list = makePartitionList(
      rd,
      positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) })),
    );
    try {
      if (this.#consumerOptions.autoCommit) {
        rd.rd_kafka_offsets_store(rk, list);
        return;
      }
      const call = rd.commit_wait(rk, list, null, null, null);
      this.#calls.add(call);
      const err = await call.finally(() => this.#calls.delete(call));
      const failed = readPartitionList(list).find((p) => p.err !== CONST.ERR_NO_ERROR);
      const code = err !== CONST.ERR_NO_ERROR ? err : failed?.err;
      if (code !== undefined && code !== CONST.ERR__NO_OFFSET) {
        throw new KafkaPairError("KAFKA_UNAVAILABLE", `offset commit failed: ${errorName(rd, code)}`, {
          cause: { code },
        });
      }
    } finally {
      // Freed only after the awaited call returned: librdkafka read it on its own thread.
      rd.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  isJoined(): boolean {
    return this.#joined;
  }

  assignment(): TopicPartition[] {
    return activePartitions(this.#partitions.values());
  }

  highWatermark(partition: TopicPartition): string | undefined {
    const rk = this.#rk;
    if (!rk || this.#closed) return undefined;
    const low = new BigInt64Array(1);
    const high = new BigInt64Array(1);
    const err = this.#rd.rd_kafka_get_watermark_offsets(rk, cstr(partition.topic), partition.partition, low, high);
    return err === CONST.ERR_NO_ERROR && (high[0] ?? -1n) >= 0n ? String(high[0]) : undefined;
  }

  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    const rk = this.#rk;
    if (!rk || this.#closed || partitions.length === 0) return [];
    const rd = this.#rd;
    const list = makePartitionList(rd, partitions);
    try {
      const call = rd.rd_kafka_committed(rk, list, 10_000);
      this.#calls.add(call);
      const err = await call.finally(() => this.#calls.delete(call));
      if (err !== CONST.ERR_NO_ERROR) throw new Error(`committed: ${errorName(rd, err)}`);
      return readPartitionList(list)
        .filter((p) => p.offset >= 0n)
        .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset.toString() }));
    } finally {
      rd.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  /**
   * Finishes and commits what is in hand while the partitions are still ours, then leaves the
   * group with rd_kafka_consumer_close_queue (a LeaveGroup request), serving the queue until
   * librdkafka says the consumer is closed.
   */
  async disconnect(): Promise<void> {
    const rk = this.#rk;
    if (!rk || this.#draining) return;
    this.#draining = true;
    await this.#rebalances;
    await this.#release(this.assignment(), false);
    await this.#pump?.stop();
    const rd = this.#rd;
    const queue = this.#queue;
    if (queue) {
      const error = takeError(rd, rd.rd_kafka_consumer_close_queue(rk, queue));
      if (error) this.#logger.warn({ err: error }, "consumer close failed");
      const deadline = Date.now() + 30_000;
      while (!error && rd.rd_kafka_consumer_closed(rk) === 0 && Date.now() < deadline) {
        const event = await rd.queue_poll_wait(queue, 100);
        if (!event) continue;
        // During close: give back whatever librdkafka revokes; there is nothing left to finish.
        if (rd.rd_kafka_event_type(event) === CONST.EVENT_REBALANCE) {
          const list = rd.rd_kafka_event_topic_partition_list(event);
          if (readCString(rd.rd_kafka_rebalance_protocol(rk)) === "COOPERATIVE")
            takeError(rd, rd.rd_kafka_incremental_unassign(rk, list));
          else rd.rd_kafka_assign(rk, null);
        }
        rd.rd_kafka_event_destroy(event);
      }
    }
    this.#joined = false;
    this.#partitions.clear();
    await this.#destroy();
  }

  async #destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#calls]);
    const rk = this.#rk;
    if (this.#queue) this.#rd.rd_kafka_queue_destroy(this.#queue);
    this.#queue = undefined;
    // Cleared first: a late drain, seek or offset store must find no handle rather than a freed one.
    this.#rk = undefined;
    if (rk) await this.#rd.rd_kafka_destroy(rk);
  }
}
