import { Buffer } from "node:buffer";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { DeliveryReport, ProduceRecord, ProducerTransport } from "@kafka-pair/shared/transport";
import type { Kafka, Message, PartitionerArgs, Producer, RecordMetadata } from "kafkajs";
import kafkajs from "kafkajs";
import { toDeliveryError } from "./errors.ts";
import type { KafkaJsOptions } from "./options.ts";

const { Partitioners } = kafkajs;

/** One request's worth: well under the brokers' default 1 MiB per record batch. */
const MAX_BATCH_RECORDS = 1000;
const MAX_BATCH_BYTES = 900 * 1024;

interface Pending {
  record: ProduceRecord;
  message: Message;
  bytes: number;
  enqueuedAt: number;
  settled: boolean;
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}

/**
 * The Java-compatible murmur2 partitioner, pinned: the partition chosen the first time is
 * written onto the message, so a retried request keeps every record where it was counted.
 */
function pinnedPartitioner() {
  const choose = Partitioners.DefaultPartitioner();
  return (args: PartitionerArgs): number => {
    const message = args.message as Message & { partition?: number };
    if (message.partition === undefined) message.partition = choose(args);
    return message.partition;
  };
}

/**
 * KafkaJS sends one request per `send()` call and, when idempotent, holds one request in flight
 * per broker. Records that arrive while a request is out are coalesced into the next
 * `sendBatch` (librdkafka batches by linger.ms instead): without it, KafkaJS would be
 * measured on a call pattern rather than as a client.
 */
export class KafkaJsProducer implements ProducerTransport {
  readonly #producer: Producer;
  readonly #deliveryTimeoutMs: number;
  #queue: Pending[] = [];
  #inFlight: Pending[] = [];
  #sending = false;
  #ready = false;
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(kafka: Kafka, options: KafkaJsOptions) {
    this.#deliveryTimeoutMs = options.deliveryTimeoutMs;
    this.#producer = kafka.producer({
      idempotent: true,
      allowAutoTopicCreation: false,
      createPartitioner: pinnedPartitioner,
    });
    this.#producer.on(this.#producer.events.DISCONNECT, () => {
      this.#ready = false;
    });
  }

  async connect(): Promise<void> {
    try {
      await this.#producer.connect();
    } catch (err) {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${(err as Error).message}`, {
        cause: err,
      });
    }
    // Idempotent KafkaJS retries forever; records still queued past the delivery timeout fail instead.
    this.#sweeper = setInterval(() => this.#expireQueued(), 250);
    (this.#sweeper as { unref?: () => void }).unref?.();
    this.#ready = true;
  }

  send(record: ProduceRecord): Promise<DeliveryReport> {
    if (!this.#ready) return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected"));
    return new Promise((resolve, reject) => {
      const value = Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength);
      const message: Message = {
        key: record.key,
        value,
        headers: record.headers,
        timestamp: record.timestamp === undefined ? undefined : String(record.timestamp),
      };
      this.#queue.push({
        record,
        message,
        bytes: value.byteLength + (record.key?.length ?? 0),
        enqueuedAt: Date.now(),
        settled: false,
        resolve,
        reject,
      });
      if (!this.#sending) this.#flush();
    });
  }

  #take(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.#queue.length && count < MAX_BATCH_RECORDS) {
      const next = this.#queue[count] as Pending;
      if (count > 0 && bytes + next.bytes > MAX_BATCH_BYTES) break;
      bytes += next.bytes;
      count++;
    }
    return this.#queue.splice(0, count).filter((p) => !p.settled);
  }

  #flush(): void {
    const batch = this.#take();
    if (batch.length === 0) return;
    this.#sending = true;
    this.#inFlight = batch;
    const byTopic = new Map<string, Pending[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.record.topic);
      if (list) list.push(pending);
      else byTopic.set(pending.record.topic, [pending]);
    }
    this.#producer
      .sendBatch({
        acks: -1,
        timeout: this.#deliveryTimeoutMs,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list.map((p) => p.message) })),
      })
      .then((results) => this.#settle(byTopic, results))
      .catch((err) => {
        const error = toDeliveryError(err);
        for (const pending of batch) this.#finish(pending, error);
      })
      .finally(() => {
        this.#sending = false;
        this.#inFlight = [];
        if (this.#queue.length > 0) this.#flush();
      });
  }

  /** Each record's offset is its partition's base offset plus its place among that partition's records. */
  #settle(byTopic: Map<string, Pending[]>, results: RecordMetadata[]): void {
    const base = new Map(results.map((r) => [`${r.topicName}\u0000${r.partition}`, r]));
    for (const [topic, list] of byTopic) {
      const seen = new Map<number, bigint>();
      for (const pending of list) {
        const partition = (pending.message as { partition?: number }).partition ?? -1;
        const meta = base.get(`${topic}\u0000${partition}`);
        if (!meta?.baseOffset || meta.errorCode !== 0) {
          this.#finish(pending, new KafkaPairError("DELIVERY_FAILED", `no delivery report for ${topic}/${partition}`));
          continue;
        }
        const index = seen.get(partition) ?? 0n;
        seen.set(partition, index + 1n);
        const appended = Number(meta.logAppendTime);
        this.#finish(pending, {
          topic,
          partition,
          offset: (BigInt(meta.baseOffset) + index).toString(),
          timestamp: appended > 0 ? appended : (pending.record.timestamp ?? Date.now()),
        });
      }
    }
  }

  #finish(pending: Pending, outcome: DeliveryReport | KafkaPairError): void {
    if (pending.settled) return;
    pending.settled = true;
    if (outcome instanceof KafkaPairError) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  #expireQueued(): void {
    const cutoff = Date.now() - this.#deliveryTimeoutMs;
    for (const pending of this.#inFlight) {
      if (pending.enqueuedAt >= cutoff) break;
      this.#finish(
        pending,
        new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written"),
      );
    }
    for (const pending of this.#queue) {
      if (pending.enqueuedAt >= cutoff) break;
      this.#finish(pending, new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out before the record was sent"));
    }
  }

  isReady(): boolean {
    return this.#ready;
  }

  async flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.#sending || this.#queue.length > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async disconnect(): Promise<void> {
    this.#ready = false;
    clearInterval(this.#sweeper);
    await this.#producer.disconnect();
  }
}
