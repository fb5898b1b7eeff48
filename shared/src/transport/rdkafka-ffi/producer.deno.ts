import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { DeliveryReport, ProduceRecord, ProducerStats, ProducerTransport, TransactionScope } from "../producer.ts";
import {
  connectionProperties,
  cstr,
  EventPump,
  errorName,
  logEvent,
  newHandle,
  type Ptr,
  RdKafkaError,
  readCString,
  takeError,
} from "./ffi.deno.ts";
import { CONST, LAYOUT, VTYPE } from "./layout.ts";
import type { RdKafka } from "./library.deno.ts";
import type { FfiOptions } from "./options.deno.ts";
import { parseStats, toDeliveryError, writableCluster } from "./stats.ts";

interface PendingDelivery {
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}

const VU = LAYOUT.vu;
const encoder = new TextEncoder();
const MSG = LAYOUT.message;

/**
 * One librdkafka producer handle (idempotent; transactional when given a transactional.id).
 * Ownership: the rd_kafka_t and its main queue are this object's, destroyed in `close()`
 * (queue first, then the handle). Delivery reports come back as DR events on the main queue;
 * each record's opaque is an integer id into `#pending`, never a pointer to JS memory.
 */
export class FfiProducerHandle {
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
  #closed: Promise<void> | undefined;
  ready = false;
  fatal = false;
  stats: ProducerStats | undefined;

  constructor(
    readonly options: FfiOptions,
    logger: Logger,
    transactionalId?: string,
  ) {
    const { lib, connection, deliveryTimeoutMs, lingerMs } = options;
    this.#rd = lib.symbols;
    this.#logger = logger;
    this.rk = newHandle(
      lib,
      CONST.RD_KAFKA_PRODUCER,
      {
        ...connectionProperties(connection),
        // No duplicates or reordering from internal retries; every record acknowledged by all in-sync replicas.
        "enable.idempotence": true,
        acks: -1,
        "delivery.timeout.ms": deliveryTimeoutMs,
        "linger.ms": lingerMs,
        // Java's key hashing: a key maps to the same partition from every client.
        partitioner: "murmur2_random",
        "queue.buffering.max.messages": options.maxQueuedMessages ?? 100_000,
        "statistics.interval.ms": 1000,
        // A connection to every broker, so the statistics' brokers-up count is the cluster's reachability.
        "enable.sparse.connections": false,
        ...(transactionalId ? { "transactional.id": transactionalId } : {}),
      },
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
      await this.close(0);
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${errorName(this.#rd, err)}`);
    }
    // The metadata object is ours: freed at once, only the answer mattered.
    this.#rd.rd_kafka_metadata_destroy(Deno.UnsafePointer.create(slot[0] ?? 0n));
    this.ready = true;
  }

  /**
   * One produceva call. The vus and every byte they point at (topic, key, value, headers) sit in
   * one buffer, alive for the synchronous call; librdkafka copies what it keeps (F_COPY).
   */
  produce(record: ProduceRecord): Promise<DeliveryReport> {
    // A closing handle is (or soon will be) freed: never hand it another record.
    if (this.#closed) return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "producer instance is closing"));
    return new Promise<DeliveryReport>((resolve, reject) => {
      const id = this.#nextId++;
      const headers = record.headers ? Object.entries(record.headers) : [];
      const count = 4 + (record.key === null ? 0 : 1) + (record.timestamp === undefined ? 0 : 1) + headers.length;
      const topic = this.#topicBytes(record.topic);
      // Upper bound of the data: UTF-8 needs at most 3 bytes per UTF-16 unit.
      let dataMax = topic.byteLength + record.value.byteLength + (record.key === null ? 0 : record.key.length * 3);
      for (const [name, text] of headers) dataMax += name.length * 3 + 1 + text.length * 3;
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
      for (const [name, value] of headers) {
        const [nameAddr] = text(name, true);
        const [valAddr, valLen] = text(value, false);
        put(VTYPE.HEADER, nameAddr, valAddr, valLen);
      }
      this.#pending.set(id, { resolve, reject });
      const error = takeError(this.#rd, this.#rd.rd_kafka_produceva(this.rk, arena, BigInt(count)));
      if (error) {
        this.#pending.delete(id);
        reject(toDeliveryError(error.code, error.message));
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
      this.stats = parseStats(readCString(rd.rd_kafka_event_stats(event)));
    } else if (type === CONST.EVENT_ERROR) {
      const code = rd.rd_kafka_event_error(event);
      let message = readCString(rd.rd_kafka_event_error_string(event));
      if (rd.rd_kafka_event_error_is_fatal(event)) {
        this.fatal = true;
        const errstr = new Uint8Array(512);
        const underlying = rd.rd_kafka_fatal_error(this.rk, errstr, BigInt(errstr.length));
        message = `${message} (underlying ${underlying}: ${new TextDecoder().decode(errstr.subarray(0, errstr.indexOf(0)))})`;
      }
      if (code === CONST.ERR__ALL_BROKERS_DOWN && this.stats) this.stats = { ...this.stats, brokersUp: 0 };
      this.#logger.error({ err: { code, message, fatal: this.fatal } }, "kafka producer error");
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
      pending.reject(toDeliveryError(err, errorName(this.#rd, err)));
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
    if (error) throw new RdKafkaError(error, "init_transactions");
  }

  beginTransaction(): void {
    const error = takeError(this.#rd, this.#rd.rd_kafka_begin_transaction(this.rk));
    if (error) throw new RdKafkaError(error, "begin_transaction");
  }

  async commitTransaction(timeoutMs: number): Promise<void> {
    const error = takeError(this.#rd, await this.#rd.rd_kafka_commit_transaction(this.rk, timeoutMs));
    if (error) throw new RdKafkaError(error, "commit_transaction");
  }

  async abortTransaction(timeoutMs: number): Promise<void> {
    const error = takeError(this.#rd, await this.#rd.rd_kafka_abort_transaction(this.rk, timeoutMs));
    if (error) throw new RdKafkaError(error, "abort_transaction");
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
      this.ready = false;
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

/** ProducerTransport over FfiProducerHandle: the Node adapter's behaviour (see confluent/producer.ts). */
export class FfiProducer implements ProducerTransport {
  readonly #options: FfiOptions;
  readonly #logger: Logger;
  #main: FfiProducerHandle | undefined;
  #tx: FfiProducerHandle | undefined;
  #txQueue: Promise<unknown> = Promise.resolve();
  #replacing: Promise<void> | undefined;

  constructor(options: FfiOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: "producer" });
  }

  async connect(): Promise<void> {
    const main = new FfiProducerHandle(this.#options, this.#logger);
    await main.connect(this.#options.deliveryTimeoutMs);
    this.#main = main;
    this.#watchFatal();
  }

  /** The handle in use (tests inject a fatal error into it). */
  get handle(): FfiProducerHandle | undefined {
    return this.#main;
  }

  /** Replaces the handle as soon as a fatal error is seen, not only on the next request. */
  #watchFatal(): void {
    const timer = setInterval(() => {
      if (!this.#main) clearInterval(timer);
      else this.#replaceIfFatal();
    }, 250);
    Deno.unrefTimer(timer);
  }

  /** A fatal error (e.g. an out-of-order sequence) leaves the handle unusable: build a new one. */
  #replaceIfFatal(): void {
    const old = this.#main;
    if (!old?.fatal || this.#replacing) return;
    this.#logger.error("producer hit a fatal error: replacing the instance");
    this.#replacing = (async () => {
      old.ready = false;
      // Records still queued in the old handle fail with a delivery error: no 2xx for an unknown outcome.
      await old.close(0);
      const fresh = new FfiProducerHandle(this.#options, this.#logger);
      await fresh.connect(this.#options.deliveryTimeoutMs);
      this.#main = fresh;
      this.#logger.info("producer instance replaced");
    })()
      .catch((err) => this.#logger.error({ err }, "producer replacement failed; retrying"))
      .finally(() => {
        this.#replacing = undefined;
      });
  }

  send(record: ProduceRecord): Promise<DeliveryReport> {
    this.#replaceIfFatal();
    const main = this.#main;
    if (!main || !this.isReady()) {
      return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected to the cluster"));
    }
    return main.produce(record);
  }

  transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const run = this.#txQueue.then(() => this.#runTransaction(work));
    this.#txQueue = run.catch(() => {});
    return run;
  }

  async #transactionalHandle(): Promise<FfiProducerHandle> {
    if (this.#tx && !this.#tx.fatal) return this.#tx;
    const timeout = this.#options.deliveryTimeoutMs;
    await this.#tx?.close(0);
    this.#tx = undefined;
    // Unique per producer instance: two instances never fence each other.
    const tx = new FfiProducerHandle(
      this.#options,
      this.#logger,
      `${this.#options.connection.clientId}-${crypto.randomUUID()}`,
    );
    try {
      await tx.connect(timeout);
      await tx.initTransactions(timeout);
    } catch (err) {
      await tx.close(0);
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot start transactions: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#tx = tx;
    return tx;
  }

  async #runTransaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    if (!this.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected to the cluster");
    const timeout = this.#options.deliveryTimeoutMs;
    const tx = await this.#transactionalHandle();
    try {
      tx.beginTransaction();
    } catch (err) {
      if (err instanceof RdKafkaError && err.rd.fatal) tx.fatal = true;
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot begin a transaction: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let result: T;
    try {
      result = await work({ send: (record) => tx.produce(record) });
      await this.#commit(tx, timeout);
    } catch (err) {
      await tx.abortTransaction(timeout).catch((abortErr) => {
        // An abort that fails leaves the handle unusable; the next transaction starts a new one.
        tx.fatal = true;
        this.#logger.error({ err: abortErr }, "transaction abort failed");
      });
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("TRANSACTION_ABORTED", `transaction aborted: ${(err as Error).message}`, { cause: err });
    }
    return result;
  }

  /**
   * librdkafka's commit rules: a retriable error may be retried (the outcome is still open),
   * an abortable one needs an abort (the caller's catch does it), a fatal one retires the handle.
   */
  async #commit(tx: FfiProducerHandle, timeout: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await tx.commitTransaction(timeout);
        return;
      } catch (err) {
        if (!(err instanceof RdKafkaError)) throw err;
        if (err.rd.fatal) tx.fatal = true;
        if (err.rd.retriable && attempt < 3) continue;
        throw err;
      }
    }
  }

  isReady(): boolean {
    const main = this.#main;
    if (!main?.ready || main.fatal || this.#replacing) return false;
    return main.stats === undefined || writableCluster(main.stats);
  }

  stats(): ProducerStats | undefined {
    return this.#main?.stats;
  }

  async flush(timeoutMs: number): Promise<void> {
    await Promise.all([this.#main?.flush(timeoutMs), this.#tx?.flush(timeoutMs)]);
  }

  async disconnect(): Promise<void> {
    await this.#txQueue;
    await this.#replacing;
    const main = this.#main;
    this.#main = undefined;
    await Promise.all([main?.close(this.#options.deliveryTimeoutMs), this.#tx?.close(this.#options.deliveryTimeoutMs)]);
  }
}
