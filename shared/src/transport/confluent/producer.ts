// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.
import { randomUUID } from "node:crypto";
import type { LibrdKafkaError, Producer, DeliveryReport as RdDeliveryReport } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { DeliveryReport, ProduceRecord, ProducerStats, ProducerTransport, TransactionScope } from "../producer.ts";
import { HeaderCache } from "./headers.ts";
import type { ConfluentOptions } from "./options.ts";
import { ERR_ALL_BROKERS_DOWN, ERR_FATAL, parseStats, toDeliveryError, writableCluster } from "./reports.ts";

interface PendingDelivery {
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}

function call(fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/** One librdkafka producer handle, idempotent; transactional when given a transactional.id. */
class RdProducer {
  readonly handle: Producer;
  readonly #headers = new HeaderCache();
  ready = false;
  fatal = false;
  stats: ProducerStats | undefined;

  constructor(options: ConfluentOptions, logger: Logger, transactionalId?: string) {
    const { connection, deliveryTimeoutMs, lingerMs } = options;
    this.handle = new confluent.Producer({
      "bootstrap.servers": connection.bootstrapServers,
      "client.id": connection.clientId,
      ...connection.security,
      // No duplicates or reordering from internal retries; every record acknowledged by all in-sync replicas.
      "enable.idempotence": true,
      acks: -1,
      "delivery.timeout.ms": deliveryTimeoutMs,
      "linger.ms": lingerMs,
      // Java's key hashing: a key maps to the same partition from every client (Deno's, Java services').
      partitioner: "murmur2_random",
      "queue.buffering.max.messages": options.maxQueuedMessages ?? 100_000,
      ...(options.maxInFlight ? { "max.in.flight.requests.per.connection": options.maxInFlight } : {}),
      "statistics.interval.ms": 1000,
      // A connection to every broker, not just the leaders in use, so the statistics'
      // brokers-up count is the cluster's reachability (writableCluster needs it). librdkafka
      // has the property but leaves it out of its documented list, hence out of the typings.
      ...({ "enable.sparse.connections": false } as object),
      ...(transactionalId ? { "transactional.id": transactionalId } : {}),
      dr_cb: true,
    });
    this.handle.on("delivery-report", (err, report: RdDeliveryReport) => {
      const pending = report.opaque as PendingDelivery | undefined;
      if (!pending) return;
      if (err) pending.reject(toDeliveryError(err));
      else
        pending.resolve({
          topic: report.topic,
          partition: report.partition,
          offset: String(report.offset),
          timestamp: report.timestamp ?? Date.now(),
        });
    });
    this.handle.on("event.stats", (event: { message: string }) => {
      this.stats = parseStats(event.message);
    });
    this.handle.on("event.error", (err: LibrdKafkaError) => {
      if (err.code === ERR_FATAL || err.isFatal) this.fatal = true;
      if (err.code === ERR_ALL_BROKERS_DOWN && this.stats) this.stats = { ...this.stats, brokersUp: 0 };
      logger.error({ err: { code: err.code, message: err.message, fatal: this.fatal } }, "kafka producer error");
    });
  }

  async connect(timeoutMs: number): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) =>
        this.handle.connect({ timeout: timeoutMs }, (err) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      // A failed connect still owns librdkafka threads; a caller that retries must not pile them up.
      await Promise.race([this.disconnect(), new Promise((r) => setTimeout(r, 5_000))]).catch(() => {});
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // A librdkafka background thread serves delivery reports as they arrive, instead of
    // a JS timer that would add up to its interval to every answer.
    this.handle.setPollInBackground(true);
    this.ready = true;
  }

  produce(record: ProduceRecord): Promise<DeliveryReport> {
    return new Promise<DeliveryReport>((resolve, reject) => {
      const pending: PendingDelivery = { resolve, reject };
      const headers = record.headers ? this.#headers.of(record.headers) : undefined;
      try {
        this.handle.produce(
          record.topic,
          null,
          Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
          record.key ?? undefined,
          record.timestamp ?? null,
          pending,
          headers,
        );
      } catch (err) {
        reject(toDeliveryError(err as LibrdKafkaError));
      }
    });
  }

  flush(timeoutMs: number): Promise<void> {
    return call((cb) => this.handle.flush(timeoutMs, cb));
  }

  disconnect(): Promise<void> {
    this.ready = false;
    return new Promise((resolve) => this.handle.disconnect(() => resolve()));
  }
}

export class ConfluentProducer implements ProducerTransport {
  readonly #options: ConfluentOptions;
  readonly #logger: Logger;
  #main: RdProducer | undefined;
  #tx: RdProducer | undefined;
  /** Transactions on one transactional.id run one after another. */
  #txQueue: Promise<unknown> = Promise.resolve();
  #replacing: Promise<void> | undefined;

  constructor(options: ConfluentOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: "producer" });
  }

  async connect(): Promise<void> {
    const main = new RdProducer(this.#options, this.#logger);
    await main.connect(this.#options.deliveryTimeoutMs);
    this.#main = main;
  }

  /** A fatal error (e.g. an out-of-order sequence) leaves the handle unusable: build a new one. */
  #replaceIfFatal(): void {
    const old = this.#main;
    if (!old?.fatal || this.#replacing) return;
    this.#logger.error("producer hit a fatal error: replacing the instance");
    this.#replacing = (async () => {
      old.ready = false;
      await old.disconnect().catch(() => {});
      const fresh = new RdProducer(this.#options, this.#logger);
      await fresh.connect(this.#options.deliveryTimeoutMs);
      this.#main = fresh;
      this.#logger.info("producer instance replaced");
    })()
      .catch((err) => this.#logger.error({ err }, "producer replacement failed; retrying on next request"))
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

  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const run = this.#txQueue.then(() => this.#runTransaction(work));
    this.#txQueue = run.catch(() => {});
    return run;
  }

  async #runTransaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    if (!this.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected to the cluster");
    const timeout = this.#options.deliveryTimeoutMs;
    if (!this.#tx || this.#tx.fatal) {
      await this.#tx?.disconnect().catch(() => {});
      // Unique per producer instance: two instances never fence each other.
      const tx = new RdProducer(this.#options, this.#logger, `${this.#options.connection.clientId}-${randomUUID()}`);
      await tx.connect(timeout);
      await call((cb) => tx.handle.initTransactions(timeout, cb));
      this.#tx = tx;
    }
    const tx = this.#tx;
    await call((cb) => tx.handle.beginTransaction(cb));
    let result: T;
    try {
      result = await work({ send: (record) => tx.produce(record) });
      await call((cb) => tx.handle.commitTransaction(timeout, cb));
    } catch (err) {
      await call((cb) => tx.handle.abortTransaction(timeout, cb)).catch((abortErr) => {
        // An abort that fails leaves the handle unusable; the next transaction starts a new one.
        tx.fatal = true;
        this.#logger.error({ err: abortErr }, "transaction abort failed");
      });
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("TRANSACTION_ABORTED", `transaction aborted: ${(err as Error).message}`, { cause: err });
    }
    return result;
  }

  isReady(): boolean {
    const main = this.#main;
    if (!main?.ready || main.fatal) return false;
    // Before the first statistics arrive, trust the successful connect.
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
    await Promise.all([this.#main?.disconnect(), this.#tx?.disconnect()]);
  }
}
