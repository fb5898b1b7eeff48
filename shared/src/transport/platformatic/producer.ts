import { Buffer } from "node:buffer";
import { randomUUID } from "node:crypto";
import {
  compatibilityPartitioner,
  type MessageToProduce,
  ProduceAcks,
  type ProduceResult,
  Producer,
  stringSerializer,
} from "@platformatic/kafka";
import pTimeout from "p-timeout";
import { KafkaPairError } from "../../errors.ts";
import type { Logger } from "../../runtime/log.ts";
import type { DeliveryReport, ProduceRecord, ProducerTransport, TransactionScope } from "../producer.ts";
import { toDeliveryError } from "./errors.ts";
import { baseOptions, type PlatformaticOptions } from "./options.ts";

type Message = MessageToProduce<string, Buffer, string, string>;
type Client = Producer<string, Buffer, string, string>;

function roundRobin() {
  let next = 0;
  // Keyed records go where the Java client (and KafkaJS) put them: murmur2 of the key.
  // Records without a key are spread evenly.
  return (message: Message, key: Buffer | undefined) => {
    if (key) return compatibilityPartitioner(message, key);
    next = (next + 1) % 0x7fffffff;
    return next;
  };
}

function toMessage(record: ProduceRecord, timestamp: number): Message {
  return {
    topic: record.topic,
    ...(record.key === null ? {} : { key: record.key }),
    value: Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
    ...(record.headers ? { headers: record.headers } : {}),
    timestamp: BigInt(timestamp),
  };
}

function toReport(result: ProduceResult, topic: string, timestamp: number): DeliveryReport {
  const acked = result.offsets?.[0];
  if (!acked) throw new KafkaPairError("DELIVERY_FAILED", `no acknowledgement for a record to ${topic}`);
  return { topic: acked.topic, partition: acked.partition, offset: acked.offset.toString(), timestamp };
}

/**
 * An idempotent, acks=all producer; each `send` resolves with that record's own offset.
 * Transactions run on a second producer with a transactional id unique to this instance,
 * so that two workers never fence each other, one transaction at a time.
 */
export class PlatformaticProducer implements ProducerTransport {
  readonly #options: PlatformaticOptions;
  readonly #logger: Logger;
  #main: Client | undefined;
  #tx: Client | undefined;
  #txQueue: Promise<unknown> = Promise.resolve();
  #ready = false;
  #inFlight = 0;

  constructor(options: PlatformaticOptions) {
    this.#options = options;
    this.#logger = options.logger.child({ component: "producer" });
  }

  #client(transactionalId?: string): Client {
    const client: Client = new Producer({
      ...baseOptions(this.#options),
      idempotent: true,
      acks: ProduceAcks.ALL,
      timeout: this.#options.deliveryTimeoutMs,
      partitioner: roundRobin(),
      serializers: { key: stringSerializer, headerKey: stringSerializer, headerValue: stringSerializer },
      ...(transactionalId ? { transactionalId } : {}),
    });
    client.on("client:broker:failed", (event: unknown) =>
      this.#logger.warn({ event }, "kafka broker connection failed"),
    );
    return client;
  }

  async connect(): Promise<void> {
    const main = this.#client();
    try {
      await main.metadata({ topics: [] });
      // Fails here, at start-up, if the cluster refuses idempotence, instead of on the first request.
      await main.initIdempotentProducer({});
    } catch (err) {
      await main.close(true).catch(() => {});
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    this.#main = main;
    this.#ready = true;
  }

  async send(record: ProduceRecord): Promise<DeliveryReport> {
    const main = this.#main;
    if (!main || !this.#ready) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected");
    const timestamp = record.timestamp ?? Date.now();
    this.#inFlight++;
    try {
      return toReport(
        await this.#withDeadline(main.send({ messages: [toMessage(record, timestamp)] })),
        record.topic,
        timestamp,
      );
    } catch (err) {
      throw toDeliveryError(err);
    } finally {
      this.#inFlight--;
    }
  }

  /** The client retries on its own; past the delivery timeout the caller gets an answer anyway. */
  #withDeadline<T>(work: Promise<T>): Promise<T> {
    return pTimeout(work, {
      milliseconds: this.#options.deliveryTimeoutMs,
      // Thrown from the fallback: the error (and its stack) is built only when the deadline passes.
      fallback: () => {
        throw new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written");
      },
    });
  }

  transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const run = this.#txQueue.then(() => this.#runTransaction(work));
    this.#txQueue = run.catch(() => {});
    return run;
  }

  async #runTransaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    if (!this.#ready) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected");
    this.#tx ??= this.#client(`${this.#options.connection.clientId}-${randomUUID()}`);
    const client = this.#tx;
    let transaction: Awaited<ReturnType<Client["beginTransaction"]>>;
    try {
      transaction = await client.beginTransaction();
    } catch (err) {
      await this.#dropTransactional();
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot begin a transaction: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // Records of one transaction go out one after the other: concurrent sends would race to
    // add the same partition to the transaction.
    let chain: Promise<unknown> = Promise.resolve();
    const scope: TransactionScope = {
      send: (record) => {
        const timestamp = record.timestamp ?? Date.now();
        const sent = chain.then(() => transaction.send({ messages: [toMessage(record, timestamp)] }));
        chain = sent.catch(() => {});
        return sent.then(
          (result) => toReport(result, record.topic, timestamp),
          (err) => Promise.reject(toDeliveryError(err)),
        );
      },
      // This transport is Deno's producer-only fallback: no consumer of it has offsets to send.
      sendOffsets: () =>
        Promise.reject(
          new KafkaPairError(
            "CONFIG_INVALID",
            "the platformatic transport has no consumer: exactly-once runs on librdkafka",
          ),
        ),
    };
    try {
      const result = await work(scope);
      await chain;
      await transaction.commit();
      return result;
    } catch (err) {
      await chain;
      await transaction.abort().catch(async (abortErr: unknown) => {
        // An abort that fails leaves the transactional producer unusable: the next one starts afresh.
        this.#logger.error({ err: abortErr }, "transaction abort failed");
        await this.#dropTransactional();
      });
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("TRANSACTION_ABORTED", `transaction aborted: ${(err as Error).message}`, { cause: err });
    }
  }

  async #dropTransactional(): Promise<void> {
    const tx = this.#tx;
    this.#tx = undefined;
    await tx?.close(true).catch(() => {});
  }

  isReady(): boolean {
    return this.#ready && (this.#main?.isActive() ?? false);
  }

  async flush(timeoutMs: number): Promise<void> {
    // No local queue: each send is its own request. Wait for those still out.
    const deadline = Date.now() + timeoutMs;
    while (this.#inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  async disconnect(): Promise<void> {
    this.#ready = false;
    await this.#txQueue;
    await Promise.all([this.#main?.close(), this.#tx?.close()]);
  }
}
