// The Deno native layer: librdkafka's C library through Deno FFI (`--allow-ffi`), the library the
// Node binding wraps. Calls, memory and ownership only; every decision is the core's
// (../librdkafka/). Each rd_kafka_t and queue here is owned by one object and freed in its close().
import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { CommitPosition, TopicPartition } from "../consumer.ts";
import {
  type ConsumerSink,
  type NativeConsumer,
  NativeError,
  type NativeLayer,
  type NativeProducer,
  type ProducerEvents,
  type Properties,
  type RebalanceEvent,
} from "../librdkafka/native.ts";
import { toDeliveryError } from "../librdkafka/reports.ts";
import type { DeliveryReport, ProduceRecord } from "../producer.ts";
import {
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
import { CONST, LAYOUT, VTYPE } from "./layout.ts";
import type { LoadedLibrary, RdKafka } from "./library.deno.ts";

/** One header as produceva takes it: its name NUL-terminated, its value as bytes. */
export interface FfiHeader {
  name: Uint8Array;
  value: Uint8Array;
}

interface PendingDelivery {
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}

const VU = LAYOUT.vu;
const MSG = LAYOUT.message;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One librdkafka producer handle (idempotent; transactional when given a transactional.id).
 * Ownership: the rd_kafka_t and its main queue are this object's, destroyed in `close()`
 * (queue first, then the handle). Delivery reports come back as DR events on the main queue;
 * each record's opaque is an integer id into `#pending`, never a pointer to JS memory.
 */
export class FfiProducerHandle implements NativeProducer<FfiHeader> {
  readonly rk: NonNullable<Ptr>;
  readonly #rd: RdKafka;
  readonly #queue: NonNullable<Ptr>;
  readonly #pump: EventPump;
  readonly #logger: Logger;
  readonly #pending = new Map<number, PendingDelivery>();
  readonly #topicNames = new Map<bigint, string>();
  readonly #topicCStrings = new Map<string, Uint8Array>();
  #arena: { arena: Uint8Array; view: DataView; base: bigint } | undefined;
  #nextId = 1;
  readonly #events: ProducerEvents;
  #closed: Promise<void> | undefined;

  constructor(lib: LoadedLibrary, logger: Logger, properties: Properties, events: ProducerEvents) {
    this.#rd = lib.symbols;
    this.#logger = logger;
    this.#events = events;
    this.rk = newHandle(
      lib,
      CONST.RD_KAFKA_PRODUCER,
      properties,
      CONST.EVENT_DR | CONST.EVENT_STATS | CONST.EVENT_ERROR,
    );
    // Ours until close(): rd_kafka_queue_destroy before rd_kafka_destroy.
    const queue = this.#rd.rd_kafka_queue_get_main(this.rk);
    if (!queue) throw new Error("rd_kafka_queue_get_main returned NULL");
    this.#queue = queue;
    this.#pump = new EventPump(this.#rd, queue, (event, type) => this.#onEvent(event, type), logger);
  }

  /** Resolves once the cluster answered a metadata request. */
  async connect(timeoutMs: number): Promise<void> {
    const slot = new BigUint64Array(1);
    const err = await this.#rd.rd_kafka_metadata(this.rk, 1, null, slot, timeoutMs);
    if (err !== CONST.ERR_NO_ERROR) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${errorName(this.#rd, err)}`);
    }
    // The metadata object is ours: freed at once, only the answer mattered.
    this.#rd.rd_kafka_metadata_destroy(Deno.UnsafePointer.create(slot[0] ?? 0n));
  }

  /**
   * One produceva call. The vus and every byte they point at (topic, key, value, headers) sit in
   * one buffer, alive for the synchronous call; librdkafka copies what it keeps (F_COPY).
   */
  produce(record: ProduceRecord, headers: FfiHeader[] | undefined): Promise<DeliveryReport> {
    // A closing handle is (or soon will be) freed: never hand it another record.
    if (this.#closed) return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "producer instance is closing"));
    return new Promise<DeliveryReport>((resolve, reject) => {
      const id = this.#nextId++;
      const count =
        4 + (record.key === null ? 0 : 1) + (record.timestamp === undefined ? 0 : 1) + (headers?.length ?? 0);
      const topic = this.#topicBytes(record.topic);
      // Upper bound of the data: UTF-8 needs at most 3 bytes per UTF-16 unit.
      let dataMax = topic.byteLength + record.value.byteLength + (record.key === null ? 0 : record.key.length * 3);
      for (const header of headers ?? []) dataMax += header.name.byteLength + header.value.byteLength;
      const { arena, view, base } = this.#arenaFor(count * VU.size + dataMax);
      let at = 0;
      let data = count * VU.size;
      const put = (vtype: number, a: bigint, size?: bigint, size2?: bigint) => {
        view.setInt32(at + VU.vtype, vtype, true);
        view.setBigUint64(at + VU.u, a, true);
        if (size !== undefined) view.setBigUint64(at + VU.memSize, size, true);
        if (size2 !== undefined) view.setBigInt64(at + VU.headerSize, size2, true);
        at += VU.size;
      };
      /** Copies bytes into the arena; returns their address and length. */
      const bytes = (source: Uint8Array): [bigint, bigint] => {
        arena.set(source, data);
        const out: [bigint, bigint] = [base + BigInt(data), BigInt(source.byteLength)];
        data += source.byteLength;
        return out;
      };
      const text = (value: string, nul: boolean): [bigint, bigint] => {
        const { written } = encoder.encodeInto(value, arena.subarray(data));
        const out: [bigint, bigint] = [base + BigInt(data), BigInt(written)];
        if (nul) arena[data + written] = 0;
        data += written + (nul ? 1 : 0);
        return out;
      };
      put(VTYPE.TOPIC, bytes(topic)[0]);
      const [valueAddr, valueLen] = bytes(record.value);
      put(VTYPE.VALUE, valueLen === 0n ? 0n : valueAddr, valueLen);
      if (record.key !== null) put(VTYPE.KEY, ...text(record.key, false));
      put(VTYPE.OPAQUE, BigInt(id));
      put(VTYPE.MSGFLAGS, BigInt(CONST.RD_KAFKA_MSG_F_COPY));
      if (record.timestamp !== undefined) put(VTYPE.TIMESTAMP, BigInt(record.timestamp));
      for (const header of headers ?? []) {
        const [nameAddr] = bytes(header.name);
        const [valAddr, valLen] = bytes(header.value);
        put(VTYPE.HEADER, nameAddr, valAddr, valLen);
      }
      this.#pending.set(id, { resolve, reject });
      const error = takeError(this.#rd, this.#rd.rd_kafka_produceva(this.rk, arena, BigInt(count)));
      if (error) {
        this.#pending.delete(id);
        reject(toDeliveryError(error.code, error.message, error));
      }
    });
  }

  /**
   * The buffer produceva reads from, reused: the call is synchronous and copies everything, so
   * one buffer (grown when a record needs more) serves every record. Its address is taken once;
   * an ArrayBuffer's backing store does not move.
   */
  #arenaFor(size: number): { arena: Uint8Array; view: DataView; base: bigint } {
    if (!this.#arena || this.#arena.arena.byteLength < size) {
      const arena = new Uint8Array(Math.max(size, 2 * (this.#arena?.arena.byteLength ?? 4096)));
      this.#arena = {
        arena,
        view: new DataView(arena.buffer),
        base: BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(arena))),
      };
    }
    return this.#arena;
  }

  /** A topic's name as a C string, encoded once. */
  #topicBytes(topic: string): Uint8Array {
    let bytes = this.#topicCStrings.get(topic);
    if (!bytes) {
      bytes = cstr(topic);
      this.#topicCStrings.set(topic, bytes);
    }
    return bytes;
  }

  #onEvent(event: NonNullable<Ptr>, type: number): boolean {
    const rd = this.#rd;
    if (type === CONST.EVENT_DR) {
      for (let msg = rd.rd_kafka_event_message_next(event); msg; msg = rd.rd_kafka_event_message_next(event)) {
        this.#onDelivery(msg);
      }
    } else if (type === CONST.EVENT_LOG) {
      logEvent(rd, event, this.#logger);
    } else if (type === CONST.EVENT_STATS) {
      this.#events.stats(readCString(rd.rd_kafka_event_stats(event)));
    } else if (type === CONST.EVENT_ERROR) {
      const code = rd.rd_kafka_event_error(event);
      let message = readCString(rd.rd_kafka_event_error_string(event));
      const fatal = rd.rd_kafka_event_error_is_fatal(event) !== 0;
      if (fatal) {
        const errstr = new Uint8Array(512);
        const underlying = rd.rd_kafka_fatal_error(this.rk, errstr, BigInt(errstr.length));
        message = `${message} (underlying ${underlying}: ${new TextDecoder().decode(errstr.subarray(0, errstr.indexOf(0)))})`;
      }
      this.#events.error({ code, message, fatal });
    }
    return false;
  }

  /** One rd_kafka_message_t of a DR event (owned by the event). */
  #onDelivery(msg: NonNullable<Ptr>): void {
    // One ArrayBuffer over the struct (no copy; read before the event is destroyed), then plain DataView reads.
    const view = new DataView(Deno.UnsafePointerView.getArrayBuffer(msg, MSG.size));
    const id = Number(view.getBigUint64(MSG.private, true));
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    const err = view.getInt32(MSG.err, true);
    if (err !== CONST.ERR_NO_ERROR) {
      pending.reject(toDeliveryError(err, errorName(this.#rd, err), { code: err }));
      return;
    }
    const rktKey = view.getBigUint64(MSG.rkt, true);
    let topic = this.#topicNames.get(rktKey);
    if (topic === undefined) {
      topic = readCString(this.#rd.rd_kafka_topic_name(Deno.UnsafePointer.create(rktKey)));
      this.#topicNames.set(rktKey, topic);
    }
    pending.resolve({
      topic,
      partition: view.getInt32(MSG.partition, true),
      offset: view.getBigInt64(MSG.offset, true).toString(),
      timestamp: Number(this.#rd.rd_kafka_message_timestamp(msg, null)),
    });
  }

  async flush(timeoutMs: number): Promise<void> {
    const err = await this.#rd.rd_kafka_flush(this.rk, timeoutMs);
    if (err !== CONST.ERR_NO_ERROR) throw new Error(`flush: ${errorName(this.#rd, err)}`);
  }

  /** Transactional API calls: each returns an rd_kafka_error_t* (ours to destroy) or NULL. */
  async initTransactions(timeoutMs: number): Promise<void> {
    const error = takeError(this.#rd, await this.#rd.rd_kafka_init_transactions(this.rk, timeoutMs));
    if (error) throw new NativeError(error, "init_transactions");
  }

  async beginTransaction(): Promise<void> {
    const error = takeError(this.#rd, this.#rd.rd_kafka_begin_transaction(this.rk));
    if (error) throw new NativeError(error, "begin_transaction");
  }

  async commitTransaction(timeoutMs: number): Promise<void> {
    const error = takeError(this.#rd, await this.#rd.rd_kafka_commit_transaction(this.rk, timeoutMs));
    if (error) throw new NativeError(error, "commit_transaction");
  }

  async abortTransaction(timeoutMs: number): Promise<void> {
    const error = takeError(this.#rd, await this.#rd.rd_kafka_abort_transaction(this.rk, timeoutMs));
    if (error) throw new NativeError(error, "abort_transaction");
  }

  /**
   * Ownership: the partition list and the group metadata copy are ours, freed once the awaited
   * call returned (librdkafka read them on its own thread meanwhile).
   */
  async sendOffsets(positions: CommitPosition[], consumer: NativeConsumer, timeoutMs: number): Promise<void> {
    if (!(consumer instanceof FfiConsumer)) {
      throw new KafkaPairError("CONFIG_INVALID", "sendOffsets needs a consumer of the FFI layer");
    }
    const rd = this.#rd;
    const metadata = consumer.groupMetadata();
    const list = makePartitionList(
      rd,
      positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) })),
    );
    try {
      const error = takeError(rd, await rd.rd_kafka_send_offsets_to_transaction(this.rk, list, metadata, timeoutMs));
      if (error) throw new NativeError(error, "send_offsets_to_transaction");
    } finally {
      rd.rd_kafka_topic_partition_list_destroy(list);
      rd.rd_kafka_consumer_group_metadata_destroy(metadata);
    }
  }

  /** Records handed to librdkafka that have no delivery report yet. */
  get inFlight(): number {
    return this.#pending.size;
  }

  /** Test hook: librdkafka raises a fatal error on this handle as if the broker had caused it. */
  injectFatalError(code: number, reason: string): number {
    return this.#rd.rd_kafka_test_fatal_error(this.rk, code, cstr(reason));
  }

  /** Flushes (bounded), stops serving events, frees the queue and the handle. Idempotent. */
  close(flushMs: number): Promise<void> {
    this.#closed ??= (async () => {
      if (flushMs > 0) await this.flush(flushMs).catch(() => {});
      await this.#pump.stop();
      this.#rd.rd_kafka_queue_destroy(this.#queue);
      await this.#rd.rd_kafka_destroy(this.rk);
      // Whatever never got a delivery report has an unknown outcome: never a success answer.
      for (const pending of this.#pending.values()) {
        pending.reject(new KafkaPairError("DELIVERY_FAILED", "producer closed before the delivery report"));
      }
      this.#pending.clear();
    })();
    return this.#closed;
  }
}

const plain = (partitions: TopicPartition[]) => partitions.map(({ topic, partition }) => ({ topic, partition }));

/**
 * One rd_kafka_t of type consumer and its consumer queue (the main queue forwarded to it), served
 * by an EventPump. Ownership: both are this object's, destroyed in close() (queue first).
 */
class FfiConsumer implements NativeConsumer {
  readonly #lib: LoadedLibrary;
  readonly #rd: RdKafka;
  readonly #logger: Logger;
  readonly #properties: Properties;
  readonly #sink: ConsumerSink;
  #rk: NonNullable<Ptr> | undefined;
  #queue: NonNullable<Ptr> | undefined;
  #pump: EventPump | undefined;
  #closed = false;
  /** Nonblocking librdkafka calls running on a worker thread: the handle outlives them. */
  readonly #calls = new Set<Promise<unknown>>();

  constructor(lib: LoadedLibrary, logger: Logger, properties: Properties, sink: ConsumerSink) {
    this.#lib = lib;
    this.#rd = lib.symbols;
    this.#logger = logger;
    this.#properties = properties;
    this.#sink = sink;
  }

  #handle(): NonNullable<Ptr> {
    if (!this.#rk || this.#closed) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    return this.#rk;
  }

  async connect(topics: string[]): Promise<void> {
    const rd = this.#rd;
    const rk = newHandle(
      this.#lib,
      CONST.RD_KAFKA_CONSUMER,
      this.#properties,
      CONST.EVENT_REBALANCE | CONST.EVENT_ERROR,
    );
    this.#rk = rk;
    // The main queue (errors) is forwarded to the consumer queue: one queue to serve.
    const err = rd.rd_kafka_poll_set_consumer(rk);
    if (err !== CONST.ERR_NO_ERROR) throw new Error(`poll_set_consumer: ${errorName(rd, err)}`);
    const queue = rd.rd_kafka_queue_get_consumer(rk);
    if (!queue) throw new Error("rd_kafka_queue_get_consumer returned NULL");
    this.#queue = queue;
    // Reachability before subscribing, as the Node layer's connect does.
    const slot = new BigUint64Array(1);
    const metaErr = await rd.rd_kafka_metadata(rk, 0, null, slot, 30_000);
    if (metaErr !== CONST.ERR_NO_ERROR) {
      await this.#destroy();
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect consumer: ${errorName(rd, metaErr)}`);
    }
    rd.rd_kafka_metadata_destroy(Deno.UnsafePointer.create(slot[0] ?? 0n));
    const list = makePartitionList(
      rd,
      topics.map((topic) => ({ topic, partition: CONST.RD_KAFKA_PARTITION_UA })),
    );
    const subErr = rd.rd_kafka_subscribe(rk, list);
    rd.rd_kafka_topic_partition_list_destroy(list);
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
      () => this.#sink.turn(),
    );
  }

  #onEvent(event: NonNullable<Ptr>, type: number): boolean {
    const rd = this.#rd;
    if (type === CONST.EVENT_FETCH) {
      const msg = rd.rd_kafka_event_message_next(event);
      if (msg) this.#onMessage(msg);
      return false;
    }
    if (type === CONST.EVENT_REBALANCE) {
      // Kept alive until the core has handled it.
      void this.#sink.rebalance(this.#rebalanceOf(event)).finally(() => rd.rd_kafka_event_destroy(event));
      return true;
    }
    if (type === CONST.EVENT_LOG) logEvent(rd, event, this.#logger);
    if (type === CONST.EVENT_ERROR) {
      this.#sink.error({
        code: rd.rd_kafka_event_error(event),
        message: readCString(rd.rd_kafka_event_error_string(event)),
      });
    }
    return false;
  }

  #rebalanceOf(event: NonNullable<Ptr>): RebalanceEvent {
    const rd = this.#rd;
    const code = rd.rd_kafka_event_error(event);
    const partitions = plain(readPartitionList(rd.rd_kafka_event_topic_partition_list(event)));
    if (code === CONST.ERR__ASSIGN_PARTITIONS) return { kind: "assign", partitions };
    if (code === CONST.ERR__REVOKE_PARTITIONS) return { kind: "revoke", partitions };
    return { kind: "error", partitions, code, message: errorName(rd, code) };
  }

  /** Copies one rd_kafka_message_t (owned by its FETCH event) into JS memory. */
  #onMessage(msg: NonNullable<Ptr>): void {
    const rd = this.#rd;
    const view = new Deno.UnsafePointerView(msg);
    const err = view.getInt32(MSG.err);
    if (err !== CONST.ERR_NO_ERROR) {
      if (err !== CONST.ERR__PARTITION_EOF)
        this.#sink.error({ code: err, message: `fetch failed: ${errorName(rd, err)}` });
      return;
    }
    const payload = view.getPointer(MSG.payload);
    const len = Number(view.getBigUint64(MSG.len));
    const keyPtr = view.getPointer(MSG.key);
    const keyLen = Number(view.getBigUint64(MSG.keyLen));
    this.#sink.message({
      topic: readCString(rd.rd_kafka_topic_name(view.getPointer(MSG.rkt))),
      partition: view.getInt32(MSG.partition),
      offset: Number(view.getBigInt64(MSG.offset)),
      key: keyPtr ? decoder.decode(Deno.UnsafePointerView.getArrayBuffer(keyPtr, keyLen)) : null,
      value: payload ? new Uint8Array(Deno.UnsafePointerView.getArrayBuffer(payload, len).slice(0)) : null,
      headers: this.#headers(msg),
      timestamp: Number(rd.rd_kafka_message_timestamp(msg, null)),
    });
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
      // The first value wins, as on the Node layer.
      if (!(key in out))
        out[key] = valPtr ? decoder.decode(Deno.UnsafePointerView.getArrayBuffer(valPtr, Number(size[0]))) : "";
    }
    return out;
  }

  /** Runs `call` over a fresh partition list, freed afterwards. */
  #withList<T>(entries: Array<TopicPartition & { offset?: bigint }>, call: (list: NonNullable<Ptr>) => T): T {
    const list = makePartitionList(this.#rd, entries);
    try {
      return call(list);
    } finally {
      this.#rd.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  /** rd_kafka_consumer_group_metadata: a copy of group id, generation and member id, the caller's to destroy. */
  groupMetadata(): NonNullable<Ptr> {
    const metadata = this.#rd.rd_kafka_consumer_group_metadata(this.#handle());
    if (!metadata) throw new KafkaPairError("KAFKA_UNAVAILABLE", "rd_kafka_consumer_group_metadata returned NULL");
    return metadata;
  }

  cooperative(): boolean {
    return readCString(this.#rd.rd_kafka_rebalance_protocol(this.#handle())) === "COOPERATIVE";
  }

  assignmentLost(): boolean {
    return this.#rd.rd_kafka_assignment_lost(this.#handle()) !== 0;
  }

  assign(partitions: TopicPartition[], incremental: boolean): void {
    const rk = this.#handle();
    const error = this.#withList(partitions, (list) =>
      incremental
        ? takeError(this.#rd, this.#rd.rd_kafka_incremental_assign(rk, list))
        : void this.#rd.rd_kafka_assign(rk, list),
    );
    if (error) throw new NativeError(error, "incremental_assign");
  }

  unassign(partitions: TopicPartition[], incremental: boolean): void {
    const rk = this.#handle();
    if (!incremental) {
      this.#rd.rd_kafka_assign(rk, null);
      return;
    }
    const error = this.#withList(partitions, (list) =>
      takeError(this.#rd, this.#rd.rd_kafka_incremental_unassign(rk, list)),
    );
    if (error) throw new NativeError(error, "incremental_unassign");
  }

  pause(tp: TopicPartition): void {
    const rk = this.#handle();
    this.#withList([tp], (list) => this.#rd.rd_kafka_pause_partitions(rk, list));
  }

  resume(tp: TopicPartition): void {
    const rk = this.#handle();
    this.#withList([tp], (list) => this.#rd.rd_kafka_resume_partitions(rk, list));
  }

  seek(tp: TopicPartition, offset: number): void {
    const rk = this.#handle();
    // timeout 0: the seek is queued, not awaited.
    const error = this.#withList([{ ...tp, offset: BigInt(offset) }], (list) =>
      takeError(this.#rd, this.#rd.rd_kafka_seek_partitions(rk, list, 0)),
    );
    if (error) this.#sink.error({ code: error.code, message: `seek to ${offset} failed: ${error.message}` });
  }

  positions(partitions: TopicPartition[]): Array<TopicPartition & { offset: number | undefined }> {
    const rk = this.#handle();
    return this.#withList(partitions, (list) => {
      if (this.#rd.rd_kafka_position(rk, list) !== CONST.ERR_NO_ERROR) return [];
      return readPartitionList(list).map((p) => ({
        topic: p.topic,
        partition: p.partition,
        offset: p.err === CONST.ERR_NO_ERROR && p.offset >= 0n ? Number(p.offset) : undefined,
      }));
    });
  }

  /** Resolves once the group coordinator acknowledged the commit (rd_kafka_commit_queue, no queue: synchronous). */
  async commit(positions: CommitPosition[]): Promise<void> {
    const rk = this.#handle();
    const rd = this.#rd;
    const list = makePartitionList(
      rd,
      positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) })),
    );
    try {
      const err = await this.#track(rd.commit_wait(rk, list, null, null, null));
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

  async committed(partitions: TopicPartition[], timeoutMs: number): Promise<CommitPosition[]> {
    const rk = this.#handle();
    const rd = this.#rd;
    const list = makePartitionList(rd, partitions);
    try {
      const err = await this.#track(rd.rd_kafka_committed(rk, list, timeoutMs));
      if (err !== CONST.ERR_NO_ERROR) throw new Error(`committed: ${errorName(rd, err)}`);
      return readPartitionList(list)
        .filter((p) => p.offset >= 0n)
        .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset.toString() }));
    } finally {
      rd.rd_kafka_topic_partition_list_destroy(list);
    }
  }

  #track<T>(call: Promise<T>): Promise<T> {
    this.#calls.add(call);
    return call.finally(() => this.#calls.delete(call));
  }

  highWatermark(tp: TopicPartition): number | undefined {
    const low = new BigInt64Array(1);
    const high = new BigInt64Array(1);
    const err = this.#rd.rd_kafka_get_watermark_offsets(this.#handle(), cstr(tp.topic), tp.partition, low, high);
    return err === CONST.ERR_NO_ERROR ? Number(high[0] ?? -1n) : undefined;
  }

  /**
   * Leaves the group with rd_kafka_consumer_close_queue (a LeaveGroup request), serving the queue
   * until librdkafka says the consumer is closed; what it revokes meanwhile is given back at once.
   */
  async close(): Promise<void> {
    const rk = this.#rk;
    if (!rk || this.#closed) return;
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
        if (rd.rd_kafka_event_type(event) === CONST.EVENT_REBALANCE) {
          const list = rd.rd_kafka_event_topic_partition_list(event);
          if (readCString(rd.rd_kafka_rebalance_protocol(rk)) === "COOPERATIVE")
            takeError(rd, rd.rd_kafka_incremental_unassign(rk, list));
          else rd.rd_kafka_assign(rk, null);
        }
        rd.rd_kafka_event_destroy(event);
      }
    }
    await this.#destroy();
  }

  async #destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#calls]);
    const rk = this.#rk;
    if (this.#queue) this.#rd.rd_kafka_queue_destroy(this.#queue);
    this.#queue = undefined;
    // Cleared first: a late call must find no handle rather than a freed one.
    this.#rk = undefined;
    if (rk) await this.#rd.rd_kafka_destroy(rk);
  }
}

/** librdkafka through Deno FFI; librdkafka's own log lines go to `logger`. */
export function ffiLayer(lib: LoadedLibrary, logger: Logger): NativeLayer<FfiHeader> {
  return {
    name: "rdkafka-ffi",
    producer: (properties, events) =>
      new FfiProducerHandle(lib, logger.child({ component: "producer" }), properties, events),
    consumer: (properties, sink) => new FfiConsumer(lib, logger.child({ component: "consumer" }), properties, sink),
    header: (name, value) => ({ name: encoder.encode(`${name}\0`), value: encoder.encode(value) }),
  };
}
