import type { Namespace } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, expect } from "vitest";
import { anOrder, postJson, readJson } from "./events.ts";
import { eventually, useAdmin, useNamespace } from "./kafka.ts";
import { type Runtime, startWorker, type Worker } from "./workers.ts";

export interface Produced {
  topic: string;
  partition: number;
  offset: string;
}

/** The consumer logged "processed" for exactly this record. */
export const processed = (consumer: Worker, { topic, partition, offset }: Produced) =>
  consumer.logs.some(
    (l) => l.msg === "processed" && l.topic === topic && l.partition === partition && l.offset === offset,
  );

/** The group's committed offset is the next one to read: past the record once it is done. */
export async function committedPast(admin: AdminTransport, ns: Namespace, groupId: string, record: Produced) {
  const committed = await admin.committedOffsets(ns.group(groupId), ns.topic(record.topic));
  const next = committed.get(record.partition);
  return next !== undefined && BigInt(next) > BigInt(record.offset) ? BigInt(next) : undefined;
}

/**
 * Posts `count` orders to the producer and waits until the consumer processed each one and
 * its group committed past it: the pair's round trip, whatever runtime each worker is on.
 */
export async function expectOrdersConsumed(
  pair: { producer: Worker; consumer: Worker; admin: AdminTransport; ns: Namespace },
  count = 10,
): Promise<Produced[]> {
  const produced: Produced[] = [];
  for (let i = 0; i < count; i++) {
    const res = await postJson(pair.producer.url, "/topics/orders", anOrder());
    expect(res.status).toBe(201);
    produced.push(await readJson(res));
  }
  for (const record of produced) {
    await eventually(() => (processed(pair.consumer, record) ? true : undefined), 30_000, `order at ${record.offset}`);
    const next = await eventually(
      () => committedPast(pair.admin, pair.ns, "orders_group", record),
      30_000,
      "commit",
    ).catch((err: Error) => {
      // Say why: the consumer's own warnings and errors are the first thing to read.
      const trouble = pair.consumer.logs.filter((l) => l.level >= 40).slice(-10);
      throw new Error(`${err.message}; consumer warnings: ${JSON.stringify(trouble)}`);
    });
    expect(next).toBeGreaterThan(BigInt(record.offset));
  }
  return produced;
}

export interface Pair {
  producer: Worker;
  consumer: Worker;
  admin: AdminTransport;
  ns: Namespace;
}

/**
 * The file's worker pair, each on the runtime asked for, in the file's own namespace: `ns` is
 * there at once, the workers and the admin client once the file's tests start.
 */
export function usePair(runtimes: { producer: Runtime; consumer: Runtime }): Pair {
  const pair = { ns: useNamespace() } as Pair;
  beforeAll(async () => {
    pair.admin = await useAdmin();
    const env = { KAFKA_NAMESPACE: pair.ns.prefix };
    [pair.producer, pair.consumer] = await Promise.all([
      startWorker("producer", env, { runtime: runtimes.producer }),
      startWorker("consumer", env, { runtime: runtimes.consumer }),
    ]);
  });
  return pair;
}
