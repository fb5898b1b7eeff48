import { randomBytes } from "node:crypto";
import type { KafkaJS } from "@confluentinc/kafka-javascript";
import confluent from "@confluentinc/kafka-javascript";
import { inject } from "vitest";
import { atFileEnd } from "./teardown.ts";

/** A record as the tests write it: raw bytes and headers, bypassing the producer worker. */
export interface RawRecord {
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** A client of the test cluster, or of `bootstrapServers` (the fault suite's own cluster). */
function kafka(bootstrapServers = inject("bootstrapServers")): KafkaJS.Kafka {
  return new confluent.KafkaJS.Kafka({
    kafkaJS: { brokers: bootstrapServers.split(","), logLevel: confluent.KafkaJS.logLevel.ERROR },
  });
}

/** A plain (non-transactional) producer for the file, disconnected after its tests. */
export async function useRawProducer(bootstrapServers?: string) {
  const producer = kafka(bootstrapServers).producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  atFileEnd(() => producer.disconnect());
  return {
    /** Sends the records and returns where each landed, in the same order. */
    async send(topic: string, records: RawRecord[]) {
      // One send per record: a batch's metadata gives one base offset per partition, not per record.
      return Promise.all(
        records.map(async (record) => {
          const [meta] = await producer.send({ topic, messages: [record] });
          if (!meta) throw new Error("no delivery report");
          return { partition: meta.partition, offset: String(meta.baseOffset) };
        }),
      );
    },
  };
}

/** Writes the records in one transaction, then commits or aborts it. */
export async function produceTransaction(topic: string, records: RawRecord[], outcome: "commit" | "abort") {
  const producer = kafka().producer({
    kafkaJS: { transactionalId: `test-tx-${randomBytes(4).toString("hex")}`, idempotent: true, maxInFlightRequests: 1 },
  });
  await producer.connect();
  try {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: records });
    if (outcome === "commit") await tx.commit();
    else await tx.abort();
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with a throwaway group, at the given isolation level,
 * until `until` says it has seen enough or the timeout passes.
 */
export async function readTopic(
  topic: string,
  options: {
    isolation: "read_committed" | "read_uncommitted";
    until: (records: ReadRecord[]) => boolean;
    timeoutMs?: number;
    bootstrapServers?: string;
  },
): Promise<ReadRecord[]> {
  const consumer = kafka(options.bootstrapServers).consumer({
    kafkaJS: {
      groupId: `test-reader-${randomBytes(4).toString("hex")}`,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: options.isolation === "read_uncommitted",
    },
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic });
    let enough: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      enough = resolve;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(v) ? v[0] : v;
          if (first !== undefined) headers[k] = first.toString();
        }
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? "",
          headers,
        });
        if (options.until(records)) enough();
      },
    });
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, options.timeoutMs ?? 30_000))]);
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** Reads a topic from the beginning (read_committed) until `count` records arrived or the time is up. */
export function readRecords(topic: string, count: number, timeoutMs = 30_000): Promise<ReadRecord[]> {
  return readTopic(topic, { isolation: "read_committed", until: (records) => records.length >= count, timeoutMs });
}
