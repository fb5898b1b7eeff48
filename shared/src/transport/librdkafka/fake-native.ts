// An in-process native layer for the core's unit tests: it records the calls the core makes and
// lets a test play librdkafka's part (deliver messages, end a poll turn, rebalance, fail a call,
// raise a fatal error). No timers, no sockets.
import type { CommitPosition, TopicPartition } from "../consumer.ts";
import type { DeliveryReport, ProduceRecord } from "../producer.ts";
import {
  type ConsumerSink,
  type NativeConsumer,
  NativeError,
  type NativeErrorInfo,
  type NativeLayer,
  type NativeMessage,
  type NativeProducer,
  type ProducerEvents,
  type Properties,
} from "./native.ts";

const key = (tp: TopicPartition) => `${tp.topic}:${tp.partition}`;

export type FakeHeader = { name: string; value: string; repeated: boolean };

export function nativeError(flags: Partial<NativeErrorInfo>, context = "call"): NativeError {
  return new NativeError(
    { code: -1, message: "injected", fatal: false, retriable: false, txnRequiresAbort: false, ...flags },
    context,
  );
}

export class FakeProducer implements NativeProducer<FakeHeader> {
  readonly calls: string[] = [];
  readonly produced: Array<{ record: ProduceRecord; headers: FakeHeader[] | undefined }> = [];
  /** Offsets sent into transactions, with the consumer handle whose group metadata went along. */
  readonly sentOffsets: Array<{ positions: CommitPosition[]; consumer: NativeConsumer }> = [];
  /** Failures the next calls of that name throw, in order. */
  readonly failures = new Map<string, Error[]>();
  closed = false;
  #offset = 0;

  constructor(
    readonly properties: Properties,
    readonly events: ProducerEvents,
  ) {}

  #call(name: string): Promise<void> {
    this.calls.push(name);
    const failure = this.failures.get(name)?.shift();
    return failure ? Promise.reject(failure) : Promise.resolve();
  }

  connect(): Promise<void> {
    return this.#call("connect");
  }

  async produce(record: ProduceRecord, headers: FakeHeader[] | undefined): Promise<DeliveryReport> {
    await this.#call("produce");
    this.produced.push({ record, headers });
    return { topic: record.topic, partition: 0, offset: String(this.#offset++), timestamp: 0 };
  }

  flush(): Promise<void> {
    return this.#call("flush");
  }
  initTransactions(): Promise<void> {
    return this.#call("initTransactions");
  }
  beginTransaction(): Promise<void> {
    return this.#call("beginTransaction");
  }
  commitTransaction(): Promise<void> {
    return this.#call("commitTransaction");
  }
  abortTransaction(): Promise<void> {
    return this.#call("abortTransaction");
  }
  async sendOffsets(positions: CommitPosition[], consumer: NativeConsumer): Promise<void> {
    await this.#call("sendOffsets");
    this.sentOffsets.push({ positions, consumer });
  }
  async close(): Promise<void> {
    this.calls.push("close");
    this.closed = true;
  }
}

export class FakeConsumer implements NativeConsumer {
  readonly calls: Array<[string, ...unknown[]]> = [];
  readonly paused = new Set<string>();
  /** What rd_kafka_position would answer per partition. */
  readonly positionOf = new Map<string, number>();
  readonly committedOffsets: CommitPosition[] = [];
  cooperativeProtocol = true;
  lost = false;
  topics: string[] = [];

  constructor(
    readonly properties: Properties,
    readonly sink: ConsumerSink,
    readonly fetchBatch: number,
  ) {}

  async connect(topics: string[]): Promise<void> {
    this.topics = topics;
    this.calls.push(["connect", topics]);
  }
  cooperative(): boolean {
    return this.cooperativeProtocol;
  }
  assignmentLost(): boolean {
    return this.lost;
  }
  assign(partitions: TopicPartition[], incremental: boolean): void {
    this.calls.push(["assign", partitions.map(key), incremental]);
  }
  unassign(partitions: TopicPartition[], incremental: boolean): void {
    this.calls.push(["unassign", partitions.map(key), incremental]);
  }
  pause(tp: TopicPartition): void {
    this.paused.add(key(tp));
    this.calls.push(["pause", key(tp)]);
  }
  resume(tp: TopicPartition): void {
    this.paused.delete(key(tp));
    this.calls.push(["resume", key(tp)]);
  }
  seek(tp: TopicPartition, offset: number): void {
    this.calls.push(["seek", key(tp), offset]);
  }
  positions(partitions: TopicPartition[]): Array<TopicPartition & { offset: number | undefined }> {
    return partitions.map((tp) => ({ ...tp, offset: this.positionOf.get(key(tp)) }));
  }
  async commit(positions: CommitPosition[]): Promise<void> {
    this.calls.push(["commit", positions.map((p) => `${key(p)}@${p.offset}`)]);
    this.committedOffsets.push(...positions);
  }
  async committed(partitions: TopicPartition[]): Promise<CommitPosition[]> {
    return this.committedOffsets.filter((c) => partitions.some((tp) => key(tp) === key(c)));
  }
  highWatermark(): number | undefined {
    return 42;
  }
  async close(): Promise<void> {
    this.calls.push(["close"]);
  }

  /** librdkafka hands out messages of one partition, then ends the poll turn. */
  deliver(tp: TopicPartition, offsets: number[], value = "v"): void {
    for (const offset of offsets) this.sink.message(message(tp, offset, value));
    this.sink.turn();
  }
}

export function message(tp: TopicPartition, offset: number, value = "v"): NativeMessage {
  return {
    topic: tp.topic,
    partition: tp.partition,
    offset,
    key: null,
    value: new TextEncoder().encode(value),
    headers: {},
    timestamp: 0,
  };
}

/**
 * A native layer whose handles the test reads back: `producers[0]` is the first one opened.
 * `onProducer` sees each new producer before the core uses it (to make its first calls fail).
 */
export function fakeLayer(onProducer: (producer: FakeProducer) => void = () => {}) {
  const producers: FakeProducer[] = [];
  const consumers: FakeConsumer[] = [];
  const layer: NativeLayer<FakeHeader> = {
    name: "fake",
    producer: (properties, events) => {
      const producer = new FakeProducer(properties, events);
      producers.push(producer);
      onProducer(producer);
      return producer;
    },
    consumer: (properties, sink, fetchBatch) => {
      const consumer = new FakeConsumer(properties, sink, fetchBatch);
      consumers.push(consumer);
      return consumer;
    },
    header: (name, value, repeated) => ({ name, value, repeated }),
  };
  return { layer, producers, consumers };
}
