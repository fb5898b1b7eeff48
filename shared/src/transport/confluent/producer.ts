// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import type { LibrdKafkaError, Producer, DeliveryReport as RdDeliveryReport } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import { KafkaPairError } from "../../errors.ts";
import type { DeliveryReport, ProduceRecord, ProducerTransport } from "../producer.ts";
import type { ConfluentOptions } from "./index.ts";

// librdkafka error codes we map to HTTP-meaningful errors.
const ERR_QUEUE_FULL = -184;
const ERR_MSG_TIMED_OUT = -192;
const ERR_FATAL = -150;
const ERR_MSG_SIZE_TOO_LARGE = 10;

/** Maps a failed delivery report or produce() throw to the error the HTTP edge answers with. */
function toDeliveryError(err: LibrdKafkaError): KafkaPairError {
  switch (err.code) {
    case ERR_QUEUE_FULL:
      return new KafkaPairError("KAFKA_UNAVAILABLE", "local produce queue is full", { cause: err });
    case ERR_MSG_TIMED_OUT:
      return new KafkaPairError("DELIVERY_TIMEOUT", "delivery timed out; the record may or may not have been written", {
        cause: err,
      });
    case ERR_MSG_SIZE_TOO_LARGE:
      return new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts", { cause: err });
    default:
      return new KafkaPairError("DELIVERY_FAILED", `delivery failed: ${err.message}`, { cause: err });
  }
}

export class ConfluentProducer implements ProducerTransport {
  readonly #options: ConfluentOptions;
  #producer: Producer | undefined;
  #ready = false;

  constructor(options: ConfluentOptions) {
    this.#options = options;
  }

  connect(): Promise<void> {
    const { connection, logger, deliveryTimeoutMs, lingerMs } = this.#options;
    const producer = new confluent.Producer({
      "bootstrap.servers": connection.bootstrapServers,
      "client.id": connection.clientId,
      ...connection.security,
      // Exactly-once per partition from the producer's side: no duplicates from internal retries.
      "enable.idempotence": true,
      acks: -1,
      "delivery.timeout.ms": deliveryTimeoutMs,
      "linger.ms": lingerMs,
      dr_cb: true,
    });
    producer.on("delivery-report", (err, report) => this.#onDelivery(err, report));
    producer.on("event.error", (err) => {
      if (err.code === ERR_FATAL) this.#ready = false;
      logger.error({ err: { code: err.code, message: err.message } }, "kafka producer error");
    });
    this.#producer = producer;
    return new Promise((resolve, reject) => {
      producer.connect({ timeout: deliveryTimeoutMs }, (err) => {
        if (err) {
          reject(new KafkaPairError("KAFKA_UNAVAILABLE", `cannot connect producer: ${err.message}`, { cause: err }));
          return;
        }
        // A librdkafka background thread serves delivery reports as they arrive, instead of
        // a JS timer that would add up to its interval to every answer.
        producer.setPollInBackground(true);
        this.#ready = true;
        resolve();
      });
    });
  }

  #onDelivery(err: LibrdKafkaError | null, report: RdDeliveryReport): void {
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
  }

  send(record: ProduceRecord): Promise<DeliveryReport> {
    const producer = this.#producer;
    if (!producer || !this.#ready) {
      return Promise.reject(new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected"));
    }
    return new Promise<DeliveryReport>((resolve, reject) => {
      const pending: PendingDelivery = { resolve, reject };
      const headers = record.headers ? Object.entries(record.headers).map(([k, val]) => ({ [k]: val })) : undefined;
      try {
        producer.produce(
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

  isReady(): boolean {
    return this.#ready;
  }

  flush(timeoutMs: number): Promise<void> {
    const producer = this.#producer;
    if (!producer) return Promise.resolve();
    return new Promise((resolve, reject) => {
      producer.flush(timeoutMs, (err) => (err ? reject(err) : resolve()));
    });
  }

  disconnect(): Promise<void> {
    const producer = this.#producer;
    this.#ready = false;
    if (!producer) return Promise.resolve();
    return new Promise((resolve) => producer.disconnect(() => resolve()));
  }
}

interface PendingDelivery {
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}
