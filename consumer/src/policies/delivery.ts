import { type EventOf, eventRecord, type TopicContract } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Logger, Namespace } from "@kafka-pair/shared/runtime";
import type {
  CommitPosition,
  ConsumerTransport,
  KafkaTransport,
  ProduceRecord,
  ProducerTransport,
  TopicPartition,
} from "@kafka-pair/shared/transport";
import { CommitCoalescer } from "../commits.ts";
import type { OffsetTracker } from "../offsets.ts";
import type { Clock } from "../runtime/clock.ts";
import type { Crash } from "../runtime/crash.ts";
import type { Instruments } from "../runtime/instruments.ts";
import { Outputs, type Source } from "../runtime/outputs.ts";
import { type TransactionBounds, TransactionCommitter } from "../runtime/transactions.ts";
import type { OffsetStore, StoreTransaction } from "../store/types.ts";
import { type DeadLetterHealth, type RecordWriter, ReliableWriter, type Written } from "./dead-letters.ts";
import type { Delivery, Emit } from "./options.ts";

const partitionKey = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** Moves committed offsets forward: notified per finished event, flushed on revocation and shutdown. */
export interface Committer {
  notify(): void;
  flush(): Promise<void>;
  close(): void;
}

/** One handler attempt's `context.emit` and what happens to its records once the handler resolved. */
interface Emission {
  emit: Emit;
  /** The handler resolved: the attempt succeeds only once this does. */
  settle(): Promise<void>;
}

/** What a handler call gets from the strategy. */
export type AttemptExtras = { emit: Emit; db?: StoreTransaction };

/** What an event being handled is, for the records it emits. */
export interface EmittingEvent {
  source: Source;
  /** The consumed event's trace context, carried on. */
  trace: { traceparent: string; tracestate?: string | undefined } | undefined;
}

export interface DeliveryDeps {
  groupId: string;
  namespace: Namespace;
  /** The contracts the subscription declared in `emits`: the only ones `emit` takes. */
  emits: readonly TopicContract[];
  consumer: ConsumerTransport;
  tracker: OffsetTracker;
  clock: Clock;
  instruments: Instruments;
  logger: Logger;
  backoff: { backoffMs: number; maxBackoffMs: number };
  /** Least time between two offset commits of an at-least-once subscription (CONSUMER_COMMIT_INTERVAL_MS). */
  commitIntervalMs?: number;
  /** Fault tests' kill points (a no-op otherwise). */
  crash?: Crash;
}

/**
 * A subscription's delivery guarantee, picked once (Spring's transaction manager / Karafka's
 * transactional consumer beside their listener containers): how `emit` sends, where dead letters
 * go, and what moves the committed offset.
 */
export interface DeliveryStrategy {
  readonly mode: Delivery;
  /** Runs one handler attempt of `event` (`call`) this strategy's way; resolves once its effects are placed. */
  attempt(event: EmittingEvent, call: (extras: AttemptExtras) => Promise<void>): Promise<void>;
  /** Newly assigned partitions: resolves once they may be handled (the store's recovery ran). */
  assigned(partitions: TopicPartition[]): Promise<void>;
  /** Dead letters (and retry-topic records) of this subscription. */
  readonly writer: RecordWriter;
  readonly committer: Committer;
  /** Records this subscription must still get to Kafka, and the last reason it could not. */
  health(): DeadLetterHealth;
  /** The partition went to another member: what it held of it is dropped. */
  forget(tp: TopicPartition): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const SOURCE_PREFIX = "/kafka-pair/consumer/";

/** Builds an emitted event's record: checked against its contract, with an id derived from what was consumed. */
function recordBuilder(deps: DeliveryDeps) {
  const declared = new Set(deps.emits);
  const source = `${SOURCE_PREFIX}${deps.groupId}`;
  return (event: EmittingEvent, index: number, contract: TopicContract, value: unknown): ProduceRecord => {
    if (!declared.has(contract)) {
      throw new KafkaPairError(
        "CONFIG_INVALID",
        `subscription ${deps.groupId} emits to ${contract.name} without declaring it in \`emits\` (its topic is provisioned from there)`,
      );
    }
    const { topic, partition, offset } = event.source;
    return eventRecord(contract, value as EventOf<typeof contract>, {
      namespace: deps.namespace,
      // The same for every attempt and every member: a downstream reader can tell a repeat (at-least-once) by its id.
      id: `${deps.groupId}/${topic}/${partition}/${offset}/${index}`,
      source,
      time: new Date(deps.clock.now()).toISOString(),
      trace: event.trace,
    });
  };
}

/**
 * Emits of one attempt: each checked and built when called, then handed to `send`. `settle`
 * waits for every one, awaited by the handler or not: one that failed (a record breaking its
 * contract, a send Kafka refused) fails the attempt.
 */
function emission(
  send: (record: ProduceRecord) => Promise<void>,
  build: (index: number, contract: TopicContract, value: unknown) => ProduceRecord,
): Emission {
  const pending: Promise<void>[] = [];
  return {
    emit: (contract, value) => {
      let sent: Promise<void>;
      try {
        sent = send(build(pending.length, contract, value));
      } catch (err) {
        sent = Promise.reject(err);
      }
      pending.push(sent);
      // Settled here too: a handler that never awaits its emit hears of a failure through settle().
      sent.catch(() => {});
      return sent;
    },
    settle() {
      // Most handlers emit nothing: no extra promises per event for them.
      if (pending.length === 0) return Promise.resolve();
      return Promise.allSettled(pending).then((results) => {
        const failed = results.find((r) => r.status === "rejected");
        if (failed) throw failed.reason;
      });
    },
  };
}

/**
 * At-least-once: `emit` produces at once (idempotent, acks=all) and the attempt succeeds only
 * once every emitted record has its delivery report; a failed or repeated attempt may emit again
 * (same ids). Offsets are committed by the consumer after the event finished.
 */
export function atLeastOnce(deps: DeliveryDeps & { producer: ProducerTransport }): DeliveryStrategy {
  const build = recordBuilder(deps);
  const writer = new ReliableWriter({
    producer: deps.producer,
    clock: deps.clock,
    backoff: deps.backoff,
    instruments: deps.instruments,
  });
  const committer = new CommitCoalescer(
    deps.tracker,
    (positions) => deps.consumer.commitMany(positions),
    {
      committed: (_positions, seconds) => deps.instruments.commitLatency(seconds),
      failed: (err) => {
        deps.instruments.commitFailed();
        deps.logger.warn({ err }, "offset commit failed; it will be retried");
      },
    },
    { intervalMs: deps.commitIntervalMs ?? 0 },
  );
  return {
    mode: "at-least-once",
    writer,
    committer,
    async attempt(event, call) {
      const sent = emission(
        (record) => deps.producer.send(record).then(() => {}),
        (index, contract, value) => build(event, index, contract, value),
      );
      await call({ emit: sent.emit });
      await sent.settle();
    },
    assigned: async () => {},
    health: () => writer.health(),
    forget: () => {},
    start: async () => {},
    stop: async () => {},
  };
}

/**
 * Exactly-once: `emit` checks and builds the record at once and holds it; a successful attempt's
 * records (and a dead letter) wait in `Outputs` for the transaction that commits the event's
 * offset (TransactionCommitter). A failed attempt's records are dropped. The subscription gets a
 * producer of its own: its transactions carry this member's group metadata.
 *
 * With a `store`, each attempt runs in a database transaction that also compare-and-sets the
 * partition's position and writes the emitted records to the outbox; only once it committed are
 * the records held for Kafka's transaction, which prunes the outbox after its own commit. On
 * assignment the store's position P is compared with the group's committed offset O: P > O means
 * a member died between the two commits, so the outbox is relayed with sendOffsets(P) first, and
 * events below P are skipped: the database decides what was handled.
 */
export function exactlyOnce(
  deps: DeliveryDeps & {
    transport: KafkaTransport;
    bounds: TransactionBounds;
    store?: OffsetStore;
    kafkaGroup: string;
  },
): DeliveryStrategy {
  const build = recordBuilder(deps);
  const outputs = new Outputs();
  const producer = deps.transport.producer();
  const { transaction } = producer;
  if (!transaction) {
    throw new KafkaPairError(
      "CONFIG_INVALID",
      `subscription ${deps.groupId}: delivery "exactly-once" needs a transport with transactions (${deps.transport.name} has none)`,
    );
  }
  const run = transaction.bind(producer);
  const { store, kafkaGroup, logger } = deps;
  /** A store subscription's stored position per partition: the claim's `expected`. */
  const positions = new Map<string, string | undefined>();
  const prune = (committed: CommitPosition[]) => {
    if (!store) return;
    for (const p of committed) {
      store
        .pruneOutbox(kafkaGroup, p, p.offset)
        .catch((err) => logger.warn({ err }, "outbox prune failed; retried next commit"));
    }
  };
  let lastError: string | undefined;
  const committer = new TransactionCommitter({
    tracker: deps.tracker,
    outputs,
    transaction: run,
    group: () => deps.consumer.groupMetadata(),
    clock: deps.clock,
    bounds: deps.bounds,
    ...(deps.crash ? { crash: deps.crash } : {}),
    hooks: {
      committed: (committed, _records, seconds) => {
        deps.instruments.commitLatency(seconds);
        prune(committed);
      },
      failed: (err) => {
        deps.instruments.commitFailed();
        lastError = err instanceof Error ? err.message : String(err);
        logger.warn({ err }, "transaction aborted; its records and offsets go again in the next one");
      },
    },
  });

  /** Store mode: one database transaction claiming the event's position, its records into the outbox. */
  async function applied(source: Source, work: (tx: StoreTransaction) => Promise<ProduceRecord[]>): Promise<void> {
    if (!store) throw new Error("no store");
    const key = partitionKey(source);
    const next = String(BigInt(source.offset) + 1n);
    const claim = {
      groupId: kafkaGroup,
      topic: source.topic,
      partition: source.partition,
      expected: positions.get(key),
      next,
    };
    const records = await store.apply(claim, async (tx, outbox) => {
      const out = await work(tx);
      for (const record of out) outbox.add(record);
      return out;
    });
    positions.set(key, next);
    deps.crash?.("after-store");
    outputs.add(source, records);
  }
  /** Store mode: the database already holds this event's effects (a previous owner applied it). */
  const alreadyApplied = (source: Source) => {
    const stored = positions.get(partitionKey(source));
    return stored !== undefined && BigInt(source.offset) < BigInt(stored);
  };

  const writer: RecordWriter = {
    write: async (record, _log, _signal, source): Promise<Written> => {
      if (store) await applied(source, async () => [record]);
      else outputs.add(source, [record]);
      return { topic: record.topic, inTransaction: true };
    },
  };
  return {
    mode: "exactly-once",
    writer,
    committer,
    async attempt(event, call) {
      if (store && alreadyApplied(event.source)) return;
      const handle = async (db?: StoreTransaction) => {
        const records: ProduceRecord[] = [];
        const held = emission(
          async (record) => {
            records.push(record);
          },
          (index, contract, value) => build(event, index, contract, value),
        );
        await call(db ? { emit: held.emit, db } : { emit: held.emit });
        await held.settle();
        deps.crash?.("handler");
        return records;
      };
      if (store) await applied(event.source, handle);
      else outputs.add(event.source, await handle());
    },
    async assigned(partitions) {
      if (!store || partitions.length === 0) return;
      const [stored, committed] = await Promise.all([
        store.positions(kafkaGroup, partitions),
        deps.consumer.committed(partitions),
      ]);
      for (const tp of partitions) positions.set(partitionKey(tp), undefined);
      for (const p of stored) positions.set(partitionKey(p), p.offset);
      const kafkaAt = new Map(committed.map((c) => [partitionKey(c), BigInt(c.offset)]));
      const ahead = stored.filter((p) => BigInt(p.offset) > (kafkaAt.get(partitionKey(p)) ?? -1n));
      if (ahead.length === 0) return;
      // The database is ahead of Kafka: a member died between the two commits. Its outbox goes out now.
      // Rows below O went out with an earlier Kafka commit (their prune was cut short): not again.
      const pending = await Promise.all(
        ahead.map(async (p) => {
          const from = kafkaAt.get(partitionKey(p)) ?? -1n;
          return (await store.pendingOutbox(kafkaGroup, p)).filter((row) => BigInt(row.sourceOffset) >= from);
        }),
      );
      const records = pending.flat().map((row) => row.record);
      await run(async (tx) => {
        await Promise.all(records.map((record) => tx.send(record)));
        await tx.sendOffsets(ahead, deps.consumer.groupMetadata());
      });
      deps.tracker.markCommitted(ahead);
      prune(ahead);
      logger.warn(
        {
          partitions: ahead.map((p) => ({
            partition: p.partition,
            position: p.offset,
            committed: kafkaAt.get(partitionKey(p))?.toString(),
          })),
          relayed: records.length,
        },
        "database ahead of the group's offsets: outbox relayed, offsets moved to the database's positions",
      );
    },
    health: () => ({ waiting: outputs.size, lastError: outputs.size > 0 ? lastError : undefined }),
    forget: (tp) => {
      outputs.forget(tp);
      positions.delete(partitionKey(tp));
    },
    start: () => producer.connect(),
    stop: () => producer.disconnect(),
  };
}

/** The strategy a subscription declared (default at-least-once). */
export function deliveryStrategy(
  mode: Delivery,
  deps: DeliveryDeps & {
    producer: ProducerTransport;
    transport: KafkaTransport;
    bounds: TransactionBounds;
    store?: OffsetStore;
    kafkaGroup: string;
  },
): DeliveryStrategy {
  return mode === "exactly-once" ? exactlyOnce(deps) : atLeastOnce(deps);
}
