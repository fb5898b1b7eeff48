import { KafkaPairError } from "../../errors.ts";
import type { CommitPosition } from "../consumer.ts";
import type { DeliveryReport, ProduceRecord, ProducerTransport, TransactionScope } from "../producer.ts";
import { failureError, type LogEntry, type MemoryCluster } from "./cluster.ts";
import type { MemoryGroupMetadata } from "./consumer.ts";
import { partitionForKey } from "./murmur2.ts";

export interface MemoryProducerOptions {
  /** Largest value accepted, in bytes (Kafka's message.max.bytes); larger gives PAYLOAD_TOO_LARGE. */
  maxMessageBytes?: number;
  /** Gives every record this timestamp when it names none (a fixed clock for tests). */
  now?: () => number;
}

/** A producer on the in-memory cluster: murmur2 partitioning, acks as soon as the record is in the log. */
export class MemoryProducer implements ProducerTransport {
  readonly #cluster: MemoryCluster;
  readonly #options: MemoryProducerOptions;
  #connected = false;
  #fatal = false;
  #roundRobin = 0;
  #inFlight = new Set<Promise<unknown>>();
  /** Transactions run one after another, as on one transactional.id. */
  #txQueue: Promise<unknown> = Promise.resolve();

  constructor(cluster: MemoryCluster, options: MemoryProducerOptions = {}) {
    this.#cluster = cluster;
    this.#options = options;
  }

  async connect(): Promise<void> {
    this.#cluster.check("connect");
    this.#connected = true;
    this.#fatal = false;
  }

  isReady(): boolean {
    return this.#connected && !this.#fatal && this.#cluster.reachable;
  }

  send(record: ProduceRecord): Promise<DeliveryReport> {
    return this.#track(this.#produce(record));
  }

  async #produce(record: ProduceRecord, transaction?: LogEntry["transaction"]): Promise<DeliveryReport> {
    // A delivery report never comes back in the same tick as the send, as with a real client.
    await Promise.resolve();
    if (!this.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected to the cluster");
    const failure = this.#cluster.takeFailure("send", record.topic);
    if (failure?.kind === "fatal") this.#fatal = true;
    if (failure && !(failure.kind === "delivery-timeout" && failure.persisted)) throw failureError(failure.kind);
    const log = this.#cluster.log(record.topic);
    const max = this.#options.maxMessageBytes ?? 1_048_588;
    if (record.value.byteLength > max) {
      throw new KafkaPairError("PAYLOAD_TOO_LARGE", "record is larger than the topic accepts");
    }
    const partition =
      record.key === null
        ? this.#roundRobin++ % log.partitions.length
        : partitionForKey(record.key, log.partitions.length);
    const timestamp = record.timestamp ?? this.#options.now?.() ?? Date.now();
    const entry = this.#cluster.append(
      { topic: record.topic, partition },
      { key: record.key, value: record.value, headers: { ...record.headers }, timestamp, transaction },
    );
    // Written, but the acknowledgement was lost: the caller hears a timeout.
    if (failure) throw failureError(failure.kind);
    return { topic: record.topic, partition, offset: String(entry.offset), timestamp };
  }

  transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const run = this.#txQueue.then(() => this.#runTransaction(work));
    this.#txQueue = run.catch(() => {});
    return this.#track(run);
  }

  async #runTransaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    if (!this.isReady()) throw new KafkaPairError("KAFKA_UNAVAILABLE", "producer is not connected to the cluster");
    const state: NonNullable<LogEntry["transaction"]> = { state: "open" };
    const touched = new Map<string, { topic: string; partition: number }>();
    const offsets: Array<{ group: MemoryGroupMetadata; positions: CommitPosition[] }> = [];
    const finish = (outcome: "committed" | "aborted") => {
      state.state = outcome;
      // The commit or abort marker takes an offset in every partition the transaction wrote to.
      for (const tp of touched.values()) this.#cluster.append(tp, { ...marker, transaction: state });
      this.#cluster.changed();
    };
    try {
      const result = await work({
        send: async (record) => {
          const report = await this.#produce(record, state);
          touched.set(`${report.topic}/${report.partition}`, { topic: report.topic, partition: report.partition });
          return report;
        },
        sendOffsets: async (positions, group) => {
          await Promise.resolve();
          if (!("generation" in group)) {
            throw new KafkaPairError("CONFIG_INVALID", "sendOffsets needs the group metadata of a memory consumer");
          }
          offsets.push({ group: group as MemoryGroupMetadata, positions });
        },
      });
      const failure = this.#cluster.takeFailure("transaction");
      if (failure) throw failureError(failure.kind);
      // KIP-447: offsets read in an older generation are refused, and the whole transaction with them.
      const stale = offsets.find(({ group }) => this.#cluster.generation(group.groupId) !== group.generation);
      if (stale) {
        throw new KafkaPairError(
          "TRANSACTION_ABORTED",
          `group ${stale.group.groupId} rebalanced since the offsets were read (generation ${stale.group.generation}): fenced`,
        );
      }
      for (const { group, positions } of offsets) {
        for (const p of positions) this.#cluster.commit(group.groupId, p, BigInt(p.offset));
      }
      finish("committed");
      return result;
    } catch (err) {
      finish("aborted");
      if (err instanceof KafkaPairError) throw err;
      throw new KafkaPairError("TRANSACTION_ABORTED", `transaction aborted: ${(err as Error).message}`, { cause: err });
    }
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async flush(_timeoutMs: number): Promise<void> {
    await Promise.allSettled([...this.#inFlight]);
  }

  async disconnect(): Promise<void> {
    await this.flush(0);
    this.#connected = false;
  }
}

const marker = { key: null, value: new Uint8Array(0), headers: {}, timestamp: 0, marker: true } as const;
