import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { CommitPosition, GroupMetadata } from "../consumer.ts";
import type { DeliveryReport, ProduceRecord, ProducerStats, ProducerTransport, TransactionScope } from "../producer.ts";
import { producerProperties } from "./config.ts";
import { HeaderCache } from "./headers.ts";
import { NativeError, NativeGroupMetadata, type NativeLayer, type NativeProducer } from "./native.ts";
import type { LibrdkafkaOptions } from "./options.ts";
import { ERR_ALL_BROKERS_DOWN, parseStats, writableCluster } from "./reports.ts";

/** Attempts at a transaction commit whose error librdkafka calls retriable (the outcome is still open). */
const COMMIT_ATTEMPTS = 3;

/** One producer handle and what the core knows of it. */
class Handle<H> {
  native!: NativeProducer<H>;
  ready = false;
  fatal = false;
  stats: ProducerStats | undefined;
  readonly headers: HeaderCache<H>;
  constructor(layer: NativeLayer<H>) {
    this.headers = new HeaderCache(layer.header);
  }
}

/**
 * The producer supervisor: an idempotent handle for single records, replaced as soon as it
 * reports a fatal error; a transactional one (its own transactional.id) for atomic batches,
 * retired on a fatal error; readiness from librdkafka's statistics.
 */
export class LibrdkafkaProducer<H> implements ProducerTransport {
  readonly #layer: NativeLayer<H>;
  readonly #options: LibrdkafkaOptions;
  readonly #logger: Logger;
  #main: Handle<H> | undefined;
  #tx: Handle<H> | undefined;
  /** Transactions on one transactional.id run one after another. */
  #txQueue: Promise<unknown> = Promise.resolve();
  #replacing: Promise<void> | undefined;
  #stopped = false;

  constructor(layer: NativeLayer<H>, options: LibrdkafkaOptions) {
    this.#layer = layer;
    this.#options = options;
    this.#logger = options.logger.child({ component: "producer" });
  }

  /** The native handle in use (tests reach into it to inject a fatal error). */
  get handle(): NativeProducer<H> | undefined {
    return this.#main?.native;
  }

  #open(transactionalId?: string): Handle<H> {
    const handle = new Handle(this.#layer);
    handle.native = this.#layer.producer(producerProperties(this.#options, transactionalId), {
      stats: (json) => {
        handle.stats = parseStats(json);
      },
      error: ({ code, message, fatal }) => {
        if (fatal) handle.fatal = true;
        if (code === ERR_ALL_BROKERS_DOWN && handle.stats) handle.stats = { ...handle.stats, brokersUp: 0 };
        this.#logger.error({ err: { code, message, fatal: handle.fatal } }, "kafka producer error");
        // Replaced at once, not on the next request: /ready says so in the meantime.
        if (fatal && handle === this.#main) queueMicrotask(() => this.#replaceIfFatal());
      },
    });
    return handle;
  }

  async #connect(handle: Handle<H>): Promise<void> {
    try {
      await handle.native.connect(this.#options.deliveryTimeoutMs);
    } catch (err) {
      // A failed connect still owns librdkafka threads; a caller that retries must not pile them up.
      await handle.native.close(0).catch(() => {});
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    handle.ready = true;
  }

  async connect(): Promise<void> {
    const main = this.#open();
    await this.#connect(main);
    this.#main = main;
  }

  /** A fatal error (e.g. an out-of-order sequence) leaves the handle unusable: build a new one. */
  #replaceIfFatal(): void {
    const old = this.#main;
    if (!old?.fatal || this.#replacing || this.#stopped) return;
    this.#logger.error("producer hit a fatal error: replacing the instance");
    this.#replacing = (async () => {
      old.ready = false;
      // Records still queued in the old handle fail with a delivery error: no 2xx for an unknown outcome.
      await old.native.close(0);
      const fresh = this.#open();
      await this.#connect(fresh);
      this.#main = fresh;
      this.#logger.info("producer instance replaced");
    })()
      .catch((err) => this.#logger.error({ err }, "producer replacement failed; retrying on the next request"))
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
    return main.native.produce(record, record.headers ? main.headers.of(record.headers) : undefined);
  }

  transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const run = this.#txQueue.then(() => this.#runTransaction(work));
    this.#txQueue = run.catch(() => {});
    return run;
  }

  async #transactionalHandle(): Promise<Handle<H>> {
    if (this.#tx && !this.#tx.fatal) return this.#tx;
    await this.#tx?.native.close(0);
    this.#tx = undefined;
    // Unique per producer instance: two instances never fence each other.
    const tx = this.#open(`${this.#options.connection.clientId}-${crypto.randomUUID()}`);
    try {
      await this.#connect(tx);
      await tx.native.initTransactions(this.#options.deliveryTimeoutMs);
    } catch (err) {
      await tx.native.close(0);
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
      await tx.native.beginTransaction();
    } catch (err) {
      if (err instanceof NativeError && err.rd.fatal) tx.fatal = true;
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot begin a transaction: ${(err as Error).message}`, {
        cause: err,
      });
    }
    let result: T;
    try {
      result = await work({
        send: (record) => tx.native.produce(record, record.headers && tx.headers.of(record.headers)),
        sendOffsets: (positions, group) => this.#sendOffsets(tx, positions, group, timeout),
      });
      await this.#commit(tx, timeout);
    } catch (err) {
      await tx.native.abortTransaction(timeout).catch((abortErr) => {
        // An abort that fails leaves the handle unusable; the next transaction starts a new one.
        tx.fatal = true;
        this.#logger.error({ err: abortErr }, "transaction abort failed");
      });
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("TRANSACTION_ABORTED", `transaction aborted: ${(err as Error).message}`, { cause: err });
    }
    return result;
  }

  /** Consumed offsets into the open transaction, under the same rules as its commit. */
  async #sendOffsets(tx: Handle<H>, positions: CommitPosition[], group: GroupMetadata, timeout: number): Promise<void> {
    if (!(group instanceof NativeGroupMetadata)) {
      throw new KafkaPairError("CONFIG_INVALID", "sendOffsets needs the group metadata of a librdkafka consumer");
    }
    if (positions.length === 0) return;
    await this.#retrying(tx, () => tx.native.sendOffsets(positions, group.consumer, timeout));
  }

  /**
   * librdkafka's commit rules: a retriable error may be retried (the outcome is still open), an
   * abortable one needs an abort (the caller's catch does it), a fatal one retires the handle.
   */
  #commit(tx: Handle<H>, timeout: number): Promise<void> {
    return this.#retrying(tx, () => tx.native.commitTransaction(timeout));
  }

  async #retrying(tx: Handle<H>, call: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await call();
        return;
      } catch (err) {
        if (!(err instanceof NativeError)) throw err;
        if (err.rd.fatal) tx.fatal = true;
        if (err.rd.retriable && !err.rd.fatal && attempt < COMMIT_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  isReady(): boolean {
    const main = this.#main;
    if (!main?.ready || main.fatal || this.#replacing) return false;
    // Before the first statistics arrive, trust the successful connect.
    return main.stats === undefined || writableCluster(main.stats);
  }

  stats(): ProducerStats | undefined {
    return this.#main?.stats;
  }

  async flush(timeoutMs: number): Promise<void> {
    await Promise.all([this.#main?.native.flush(timeoutMs), this.#tx?.native.flush(timeoutMs)]);
  }

  async disconnect(): Promise<void> {
    this.#stopped = true;
    await this.#txQueue;
    await this.#replacing;
    const [main, tx] = [this.#main, this.#tx];
    this.#main = undefined;
    this.#tx = undefined;
    for (const handle of [main, tx]) if (handle) handle.ready = false;
    const flushMs = this.#options.deliveryTimeoutMs;
    await Promise.all([main?.native.close(flushMs), tx?.native.close(flushMs)]);
  }
}
