// The console's cluster access on the Confluent binding (librdkafka): its KafkaJS-style admin for
// metadata, offsets and groups, and plain KafkaConsumer clients that read by assignment.
// The package is CommonJS: named ESM imports of its values fail at run time, types are fine.

import { connect as tcpConnect } from "node:net";
import type { KafkaConsumer, KafkaJS, Message } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import type { KafkaConnection, Logger } from "@kafka-pair/shared/runtime";
import type {
  BrokerInfo,
  ConsoleCluster,
  GroupInfo,
  GroupSummary,
  ReadRange,
  StoredRecord,
  Tail,
  TopicInfo,
} from "./types.ts";

const REQUEST_TIMEOUT_MS = 10_000;
/** Records asked of librdkafka per consume call while reading a range. */
const READ_BATCH = 500;
/** A range read gives up waiting for more records after this long without any. */
const READ_IDLE_MS = 2_000;
const REACHABLE_TIMEOUT_MS = 1_500;
const CONSUME_TIMEOUT_MS = 200;

/** librdkafka's consumer group states (the binding hands them over as numbers), as Kafka names them. */
const GROUP_STATES = ["Unknown", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead", "Empty"];
const stateName = (state: unknown) =>
  typeof state === "number" ? (GROUP_STATES[state] ?? "Unknown") : String(state ?? "Unknown");

const unknownTopic = (err: unknown) => (err as { type?: string }).type === "ERR_UNKNOWN_TOPIC_OR_PART";

function toHeaders(headers: Message["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of headers ?? []) {
    for (const name in header) {
      if (out[name] !== undefined) continue;
      const value = header[name];
      out[name] = typeof value === "string" ? value : Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
    }
  }
  return out;
}

function toStored(message: Message): StoredRecord {
  const { key, value } = message;
  return {
    topic: message.topic,
    partition: message.partition,
    offset: String(message.offset),
    timestamp: message.timestamp ?? 0,
    key: key === undefined || key === null ? null : typeof key === "string" ? Buffer.from(key) : new Uint8Array(key),
    value: value === null ? null : new Uint8Array(value),
    headers: toHeaders(message.headers),
  };
}

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port, timeout: REACHABLE_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}

/** The admin's log lines go to the console's logger, at debug (connects, disconnects). */
function kafkaJsLogger(logger: Logger): KafkaJS.Logger {
  const log: KafkaJS.Logger = {
    info: (message, extra) => logger.debug(extra ?? {}, message),
    warn: (message, extra) => logger.warn(extra ?? {}, message),
    error: (message, extra) => logger.error(extra ?? {}, message),
    debug: (message, extra) => logger.debug(extra ?? {}, message),
    namespace: () => log,
    setLogLevel: () => {},
  };
  return log;
}

/** Runs one task at a time: the range reader is a single client, assigned to one partition per read. */
class Serial {
  #last: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.#last.then(task, task);
    this.#last = next.catch(() => {});
    return next;
  }
}

export interface ConfluentClusterOptions {
  connection: KafkaConnection;
  logger: Logger;
}

/** The console's view of a real cluster. `connect` first; `close` releases every client. */
export class ConfluentCluster implements ConsoleCluster {
  readonly #connection: KafkaConnection;
  readonly #logger: Logger;
  readonly #admin: KafkaJS.Admin;
  #reader: KafkaConsumer | undefined;
  readonly #serial = new Serial();
  readonly #tails = new Set<KafkaConsumer>();
  /** End-of-partition events the reader saw, as topic/partition/offset. */
  readonly #eof = new Set<string>();

  constructor(options: ConfluentClusterOptions) {
    this.#connection = options.connection;
    this.#logger = options.logger.child({ component: "cluster" });
    const kafka = new confluent.KafkaJS.Kafka({
      "client.id": `${options.connection.clientId}-admin`,
      ...options.connection.security,
      kafkaJS: { brokers: options.connection.bootstrapServers.split(","), logger: kafkaJsLogger(this.#logger) },
    });
    this.#admin = kafka.admin();
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
    this.#reader = await this.#newConsumer("reader");
  }

  /**
   * A consumer that never joins its group: it only ever `assign`s, and commits nothing
   * (librdkafka wants a group.id on every consumer; this one names the console and is never used).
   */
  #newConsumer(purpose: "reader" | "tail"): Promise<KafkaConsumer> {
    const consumer = new confluent.KafkaConsumer(
      {
        "bootstrap.servers": this.#connection.bootstrapServers,
        "client.id": `${this.#connection.clientId}-${purpose}`,
        ...this.#connection.security,
        "group.id": `${this.#connection.clientId}-${purpose}-unused`,
        "enable.auto.commit": false,
        "enable.auto.offset.store": false,
        "isolation.level": "read_committed",
        "enable.partition.eof": true,
        // The reader hops from partition to partition: a fetch left long-polling at the end of the
        // last one (500 ms by default) would hold up the next assignment that long. The tail
        // long-polls as usual: the broker answers as soon as a record arrives.
        ...(purpose === "reader" ? { "fetch.wait.max.ms": 10 } : {}),
      },
      { "auto.offset.reset": "latest" },
    );
    // A consume call returns as soon as it has something, instead of waiting for a full batch.
    (
      consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }
    ).setDefaultIsTimeoutOnlyForFirstMessage(true);
    consumer.setDefaultConsumeTimeout(CONSUME_TIMEOUT_MS);
    consumer.on("partition.eof", (eof) => {
      this.#eof.add(`${eof.topic}/${eof.partition}/${eof.offset}`);
    });
    return new Promise((resolve, reject) => {
      consumer.connect({ timeout: REQUEST_TIMEOUT_MS }, (err) => (err ? reject(err) : resolve(consumer)));
    });
  }

  get #connectedReader(): KafkaConsumer {
    if (!this.#reader) throw new Error("cluster not connected");
    return this.#reader;
  }

  async brokers(): Promise<BrokerInfo[]> {
    const reader = this.#connectedReader;
    return new Promise((resolve, reject) => {
      reader.getMetadata({ timeout: REQUEST_TIMEOUT_MS, allTopics: false }, async (err, metadata) => {
        if (err) return reject(err);
        const brokers = [...metadata.brokers].sort((a, b) => a.id - b.id);
        resolve(await Promise.all(brokers.map(async (b) => ({ ...b, reachable: await reachable(b.host, b.port) }))));
      });
    });
  }

  async topics(): Promise<TopicInfo[]> {
    const names = (await this.#admin.listTopics()).filter((name) => !name.startsWith("__")).sort();
    const infos = await Promise.all(names.map((name) => this.topic(name)));
    return infos.filter((info): info is TopicInfo => info !== undefined);
  }

  async topic(name: string): Promise<TopicInfo | undefined> {
    try {
      const [metadata] = await this.#admin.fetchTopicMetadata({ topics: [name] });
      if (!metadata) return undefined;
      const offsets = await this.#admin.fetchTopicOffsets(name, {
        isolationLevel: confluent.KafkaJS.IsolationLevel.READ_COMMITTED,
      });
      const byPartition = new Map(offsets.map((o) => [o.partition, o]));
      return {
        name,
        partitions: metadata.partitions
          .map((p) => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            low: byPartition.get(p.partitionId)?.low ?? "0",
            high: byPartition.get(p.partitionId)?.offset ?? "0",
          }))
          .sort((a, b) => a.partition - b.partition),
      };
    } catch (err) {
      if (unknownTopic(err)) return undefined;
      throw err;
    }
  }

  async offsetsForTime(topic: string, timestamp: number): Promise<Map<number, bigint>> {
    const offsets = await this.#admin.fetchTopicOffsetsByTimestamp(topic, timestamp, {
      isolationLevel: confluent.KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return new Map(offsets.map((o) => [o.partition, BigInt(o.offset)]));
  }

  async groups(): Promise<GroupSummary[]> {
    const { groups } = await this.#admin.listGroups();
    return groups
      .map((g) => ({ groupId: g.groupId, state: stateName(g.state), protocolType: g.protocolType }))
      .sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  async group(groupId: string): Promise<GroupInfo | undefined> {
    const { groups } = await this.#admin.describeGroups([groupId]);
    const described = groups[0];
    // An unknown group describes as Dead with no members; one with committed offsets is still shown.
    const offsets = await this.#admin.fetchOffsets({ groupId });
    const committed = offsets.flatMap((t) =>
      t.partitions
        .filter((p) => Number(p.offset) >= 0)
        .map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
    );
    if (!described || (described.error && committed.length === 0)) return undefined;
    const state = stateName(described.state);
    if (state === "Dead" && committed.length === 0 && described.members.length === 0) return undefined;
    return {
      groupId,
      state,
      protocolType: described.protocolType,
      assignor: described.partitionAssignor,
      coordinator: described.coordinator?.id,
      members: described.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        assignment:
          (
            m as { assignment?: { topicPartitions?: Array<{ topic: string; partition: number }> } }
          ).assignment?.topicPartitions?.map((tp) => ({ topic: tp.topic, partition: tp.partition })) ?? [],
      })),
      offsets: committed.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
    };
  }

  async committed(groupId: string, topic: string): Promise<Map<number, bigint>> {
    const result = await this.#admin.fetchOffsets({ groupId, topics: [topic] });
    const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
    return new Map(partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, BigInt(p.offset)]));
  }

  read(range: ReadRange): Promise<StoredRecord[]> {
    return this.#serial.run(() => this.#read(range));
  }

  async #read({ topic, partition, from, to }: ReadRange): Promise<StoredRecord[]> {
    const reader = this.#connectedReader;
    const out: StoredRecord[] = [];
    if (to <= from) return out;
    this.#eof.clear();
    reader.assign([{ topic, partition, offset: Number(from) }]);
    try {
      let idleSince = Date.now();
      let next = from;
      for (;;) {
        const wanted = Number(to - next < BigInt(READ_BATCH) ? to - next : BigInt(READ_BATCH));
        const batch = await new Promise<Message[]>((resolve, reject) =>
          reader.consume(Math.max(wanted, 1), (err, messages) => (err ? reject(err) : resolve(messages))),
        );
        for (const message of batch) {
          if (BigInt(message.offset) >= to) return out;
          out.push(toStored(message));
          next = BigInt(message.offset) + 1n;
        }
        if (batch.length > 0) idleSince = Date.now();
        if (next >= to) return out;
        // The position moves past transaction markers and aborted records, which are never delivered.
        const position = reader.position([{ topic, partition }])[0]?.offset;
        if (position !== undefined && position >= 0 && BigInt(position) >= to) return out;
        if (batch.length === 0 && [...this.#eof].some((e) => e.startsWith(`${topic}/${partition}/`))) return out;
        if (batch.length === 0 && Date.now() - idleSince > READ_IDLE_MS) return out;
      }
    } finally {
      reader.unassign();
    }
  }

  async tail(topic: string, onRecord: (record: StoredRecord) => void): Promise<Tail> {
    const info = await this.topic(topic);
    if (!info) throw new Error(`no topic ${topic}`);
    const consumer = await this.#newConsumer("tail");
    this.#tails.add(consumer);
    consumer.on("data", (message) => onRecord(toStored(message)));
    consumer.on("event.error", (err) => this.#logger.warn({ err, topic }, "tail client error"));
    consumer.assign(info.partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.high) })));
    consumer.consume();
    return {
      close: async () => {
        if (!this.#tails.delete(consumer)) return;
        await disconnect(consumer);
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#tails].map((c) => disconnect(c)));
    this.#tails.clear();
    if (this.#reader) await this.#serial.run(() => disconnect(this.#reader as KafkaConsumer));
    await this.#admin.disconnect();
  }
}

function disconnect(consumer: KafkaConsumer): Promise<void> {
  return new Promise((resolve) => {
    if (!consumer.isConnected()) return resolve();
    consumer.disconnect(() => resolve());
  });
}
