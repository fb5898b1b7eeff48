import { randomUUID } from "node:crypto";
import confluent from "@confluentinc/kafka-javascript";
import { inject } from "vitest";

export interface ReadRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a throwaway group until `until` says it has
 * seen enough (or the timeout passes), at the given isolation level.
 */
export async function readTopic(
  topic: string,
  options: {
    isolation: "read_committed" | "read_uncommitted";
    until: (records: ReadRecord[]) => boolean;
    timeoutMs?: number;
  },
): Promise<ReadRecord[]> {
  const kafka = new confluent.KafkaJS.Kafka({
    kafkaJS: { brokers: inject("bootstrapServers").split(","), logLevel: 0 },
  });
  const consumer = kafka.consumer({
    kafkaJS: {
      groupId: `reader-${randomUUID()}`,
      fromBeginning: true,
      autoCommit: false,
      readUncommitted: options.isolation === "read_uncommitted",
    },
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          const first = Array.isArray(value) ? value[0] : value;
          if (first !== undefined) headers[name] = first.toString();
        }
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? "",
          headers,
        });
        if (options.until(records)) done();
      },
    });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, options.timeoutMs ?? 30_000));
    await Promise.race([finished, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return records;
}
