// The Node native layer: librdkafka through @confluentinc/kafka-javascript's binding (its
// callback API, not the KafkaJS-style wrapper). Calls only; every decision is the core's
// (../librdkafka/). The package is CommonJS: named ESM imports of its values fail at run time.
import { Buffer } from "node:buffer";
import type {
  Assignment,
  ConsumerTopicConfig,
  KafkaConsumer,
  LibrdKafkaError,
  MessageHeader,
  Producer,
  DeliveryReport as RdDeliveryReport,
  Message as RdMessage,
  TopicPartitionOffset,
} from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import pTimeout from "p-timeout";
import { KafkaPairError } from "../../errors.ts";
import type { CommitPosition, TopicPartition } from "../consumer.ts";
import type {
  ConsumerSink,
  NativeConsumer,
  NativeLayer,
  NativeMessage,
  NativeProducer,
  ProducerEvents,
  Properties,
} from "../librdkafka/native.ts";
import { NativeError } from "../librdkafka/native.ts";
import { ERR_FATAL, toDeliveryError } from "../librdkafka/reports.ts";
import type { DeliveryReport, ProduceRecord } from "../producer.ts";

const ERR_ASSIGN_PARTITIONS = -175;
const ERR_REVOKE_PARTITIONS = -174;
const ERR_NO_OFFSET = -168;
const COMMIT_TIMEOUT_MS = 30_000;

/** Members the binding has at run time but its typings omit. */
interface BindingConsumer extends KafkaConsumer {
  incrementalAssign(partitions: Assignment[]): void;
  incrementalUnassign(partitions: Assignment[]): void;
  rebalanceProtocol(): "COOPERATIVE" | "EAGER" | "NONE";
  assignmentLost(): boolean;
  setDefaultIsTimeoutOnlyForFirstMessage(value: boolean): void;
}

interface PendingDelivery {
  resolve: (report: DeliveryReport) => void;
  reject: (error: KafkaPairError) => void;
}

const info = (err: LibrdKafkaError): NativeError["rd"] => ({
  code: err.code,
  message: err.message,
  fatal: err.code === ERR_FATAL || Boolean(err.isFatal),
  retriable: Boolean(err.isRetriable),
  txnRequiresAbort: Boolean(err.isTxnRequiresAbort),
});

/** A binding call with a node-style callback, as a promise rejecting with a NativeError. */
function call(context: string, fn: (cb: (err: LibrdKafkaError | null | undefined) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(new NativeError(info(err), context)) : resolve())));
}

class BindingProducer implements NativeProducer<MessageHeader> {
  readonly #handle: Producer;
  #closed: Promise<void> | undefined;

  constructor(properties: Properties, events: ProducerEvents) {
    // librdkafka has enable.sparse.connections but leaves it out of its documented list, hence the typings.
    this.#handle = new confluent.Producer({ ...(properties as object), dr_cb: true });
    this.#handle.on("delivery-report", (err, report: RdDeliveryReport) => {
      const pending = report.opaque as PendingDelivery | undefined;
      if (!pending) return;
      if (err) pending.reject(toDeliveryError(err.code, err.message, err));
      else
        pending.resolve({
          topic: report.topic,
          partition: report.partition,
          offset: String(report.offset),
          timestamp: report.timestamp ?? Date.now(),
        });
    });
    this.#handle.on("event.stats", (event: { message: string }) => events.stats(event.message));
    this.#handle.on("event.error", (err: LibrdKafkaError) =>
      events.error({ code: err.code, message: err.message, fatal: info(err).fatal }),
    );
  }

  async connect(timeoutMs: number): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.#handle.connect({ timeout: timeoutMs }, (err) => (err ? reject(err) : resolve())),
    );
    // A librdkafka background thread serves delivery reports as they arrive, instead of a JS
    // timer that would add up to its interval to every answer.
    this.#handle.setPollInBackground(true);
  }

  produce(record: ProduceRecord, headers: MessageHeader[] | undefined): Promise<DeliveryReport> {
    return new Promise<DeliveryReport>((resolve, reject) => {
      const pending: PendingDelivery = { resolve, reject };
      try {
        this.#handle.produce(
          record.topic,
          null,
          Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
          record.key ?? undefined,
          record.timestamp ?? null,
          pending,
          headers,
        );
      } catch (err) {
        const e = err as LibrdKafkaError;
        reject(toDeliveryError(e.code, e.message, e));
      }
    });
  }

  flush(timeoutMs: number): Promise<void> {
    return call("flush", (cb) => this.#handle.flush(timeoutMs, cb));
  }

  initTransactions(timeoutMs: number): Promise<void> {
    return call("init_transactions", (cb) => this.#handle.initTransactions(timeoutMs, cb));
  }

  beginTransaction(): Promise<void> {
    return call("begin_transaction", (cb) => this.#handle.beginTransaction(cb));
  }

  commitTransaction(timeoutMs: number): Promise<void> {
    return call("commit_transaction", (cb) => this.#handle.commitTransaction(timeoutMs, cb));
  }

  abortTransaction(timeoutMs: number): Promise<void> {
    return call("abort_transaction", (cb) => this.#handle.abortTransaction(timeoutMs, cb));
  }

  sendOffsets(positions: CommitPosition[], consumer: NativeConsumer, timeoutMs: number): Promise<void> {
    if (!(consumer instanceof BindingConsumerLayer)) {
      return Promise.reject(new KafkaPairError("CONFIG_INVALID", "sendOffsets needs a consumer of the Node binding"));
    }
    const offsets = positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: Number(p.offset) }));
    // The binding reads the consumer's group metadata (rd_kafka_consumer_group_metadata) for the call.
    return call("send_offsets_to_transaction", (cb) =>
      this.#handle.sendOffsetsToTransaction(offsets, consumer.client(), timeoutMs, cb),
    );
  }

  close(flushMs: number): Promise<void> {
    this.#closed ??= (async () => {
      if (flushMs > 0) await this.flush(flushMs).catch(() => {});
      // Bounded: a handle that never connected may not answer its disconnect.
      await pTimeout(new Promise<void>((resolve) => this.#handle.disconnect(() => resolve())), {
        milliseconds: 5_000,
        message: false,
      });
    })();
    return this.#closed;
  }
}

function toHeaders(headers: MessageHeader[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  // Plain loops: Object.entries made an array per header, and headers come with every message.
  for (let i = 0; i < headers.length; i++) {
    const header = headers[i] as MessageHeader;
    for (const key in header) {
      // The first value wins.
      if (out[key] !== undefined) continue;
      const value = header[key];
      out[key] = typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    }
  }
  return out;
}

function toNative(message: RdMessage): NativeMessage {
  const key = message.key;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    key: key === undefined || key === null ? null : typeof key === "string" ? key : key.toString(),
    // A Buffer is a Uint8Array: no second view per message.
    value: message.value ?? null,
    headers: toHeaders(message.headers),
    timestamp: message.timestamp ?? 0,
  };
}

const plain = (partitions: TopicPartition[]): Assignment[] =>
  partitions.map(({ topic, partition }) => ({ topic, partition }));

class BindingConsumerLayer implements NativeConsumer {
  readonly #properties: Properties;
  readonly #sink: ConsumerSink;
  readonly #fetchBatch: number;
  #consumer: BindingConsumer | undefined;
  #stopping = false;
  #loop: Promise<void> | undefined;
  /** Commits sent and not yet answered, oldest first: librdkafka answers them in order. */
  readonly #commits: Array<{ resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout }> = [];

  constructor(properties: Properties, sink: ConsumerSink, fetchBatch: number) {
    this.#properties = properties;
    this.#sink = sink;
    this.#fetchBatch = fetchBatch;
  }

  #native(): BindingConsumer {
    if (!this.#consumer) throw new KafkaPairError("KAFKA_UNAVAILABLE", "consumer is not connected");
    return this.#consumer;
  }

  /** The binding's consumer, for a producer's sendOffsetsToTransaction. */
  client(): KafkaConsumer {
    return this.#native();
  }

  connect(topics: string[]): Promise<void> {
    // The binding always sets a default topic configuration of its own (its second argument),
    // which replaces a topic property given in the global one: auto.offset.reset goes there.
    const { "auto.offset.reset": offsetReset, ...global } = this.#properties;
    const consumer = new confluent.KafkaConsumer(
      {
        ...(global as object),
        rebalance_cb: (err: LibrdKafkaError, assignment: Assignment[]) => {
          const partitions = plain(assignment);
          void this.#sink.rebalance(
            err.code === ERR_ASSIGN_PARTITIONS
              ? { kind: "assign", partitions }
              : err.code === ERR_REVOKE_PARTITIONS
                ? { kind: "revoke", partitions }
                : { kind: "error", partitions, code: err.code, message: err.message },
          );
        },
        // The binding's commit callbacks fire once a commit is queued; this one, once the broker answered.
        offset_commit_cb: (err: LibrdKafkaError | null, offsets: TopicPartitionOffset[] | undefined) =>
          this.#onCommitResult(err, offsets),
      },
      (offsetReset === undefined ? {} : { "auto.offset.reset": offsetReset }) as ConsumerTopicConfig,
    ) as BindingConsumer;
    consumer.on("event.error", (err) => this.#sink.error({ code: err.code, message: err.message }));
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
        consumer.subscribe(topics);
        this.#loop = this.#fetchLoop(consumer);
        resolve();
      });
    });
  }

  async #fetchLoop(consumer: BindingConsumer): Promise<void> {
    while (!this.#stopping) {
      const messages = await new Promise<RdMessage[]>((resolve) => {
        consumer.consume(this.#fetchBatch, (err, batch) => {
          if (err) {
            this.#sink.error({ code: err.code, message: `fetch failed: ${err.message}` });
            // A failing fetch is retried by the loop; a short pause keeps it from spinning.
            setTimeout(() => resolve([]), 200);
          } else resolve(batch ?? []);
        });
      });
      for (const message of messages) this.#sink.message(toNative(message));
      this.#sink.turn();
    }
  }

  cooperative(): boolean {
    return this.#native().rebalanceProtocol() === "COOPERATIVE";
  }

  assignmentLost(): boolean {
    return this.#native().assignmentLost();
  }

  assign(partitions: TopicPartition[], incremental: boolean): void {
    if (incremental) this.#native().incrementalAssign(plain(partitions));
    else this.#native().assign(plain(partitions));
  }

  unassign(partitions: TopicPartition[], incremental: boolean): void {
    if (incremental) this.#native().incrementalUnassign(plain(partitions));
    else this.#native().unassign();
  }

  pause(tp: TopicPartition): void {
    this.#native().pause(plain([tp]));
  }

  resume(tp: TopicPartition): void {
    this.#native().resume(plain([tp]));
  }

  seek(tp: TopicPartition, offset: number): void {
    this.#native().seek({ topic: tp.topic, partition: tp.partition, offset }, 5_000, (err) => {
      if (err) this.#sink.error({ code: err.code, message: `seek to ${offset} failed: ${err.message}` });
    });
  }

  positions(partitions: TopicPartition[]): Array<TopicPartition & { offset: number | undefined }> {
    return this.#native()
      .position(plain(partitions))
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
  }

  commit(positions: CommitPosition[]): Promise<void> {
    const consumer = this.#native();
    const offsets = positions.map((p) => ({ topic: p.topic, partition: p.partition, offset: Number(p.offset) }));
    return new Promise((resolve, reject) => {
      consumer.commit(offsets);
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

  committed(partitions: TopicPartition[], timeoutMs: number): Promise<CommitPosition[]> {
    const consumer = this.#native();
    return new Promise((resolve, reject) => {
      consumer.committed(plain(partitions), timeoutMs, (err, offsets) => {
        if (err) reject(err);
        else
          resolve(
            offsets
              .filter((o) => o.offset !== undefined && o.offset >= 0)
              .map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
          );
      });
    });
  }

  highWatermark(tp: TopicPartition): number | undefined {
    return this.#consumer?.getWatermarkOffsets(tp.topic, tp.partition).highOffset;
  }

  async close(): Promise<void> {
    const consumer = this.#consumer;
    if (!consumer) return;
    this.#stopping = true;
    await this.#loop;
    // librdkafka's close revokes the partitions once more (rebalance_cb), with nothing left to do.
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** librdkafka through the Node binding. */
export const bindingLayer: NativeLayer<MessageHeader> = {
  name: "confluent",
  producer: (properties, events) => new BindingProducer(properties, events),
  consumer: (properties, sink, fetchBatch) => new BindingConsumerLayer(properties, sink, fetchBatch),
  // A repeated value goes over as a Buffer, which the binding copies instead of transcoding.
  header: (name, value, repeated) => ({ [name]: repeated ? Buffer.from(value) : value }),
};
