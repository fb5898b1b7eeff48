import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { GROUP, readJournal, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { useRawProducer } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// Several processes in one group: the partitions are split, handed over cleanly, never shared.
describe("consumer group scaling", () => {
  const ns = useNamespace();
  const dir = tempDir("consumer-scaling");
  const journal = join(dir, "journal.ndjson");
  const headers = { [TEST_HEADER.journal]: journal, [TEST_HEADER.lockDir]: dir, [TEST_HEADER.sleepMs]: "10" };
  const env = { KAFKA_NAMESPACE: ns.prefix, CONSUMER_HANDLERS: TEST_HANDLERS };
  let admin: AdminTransport;
  let producer: Awaited<ReturnType<typeof useRawProducer>>;
  beforeAll(async () => {
    admin = await useAdmin();
  });

  const produce = async (count: number) => {
    const batch = Array.from({ length: count }, () => {
      const orderId = randomUUID();
      return { key: orderId, value: JSON.stringify(anOrder({ orderId })), headers };
    });
    return producer.send(ns.topic("orders"), batch);
  };
  const key = (e: { partition: number; offset: string }) => `${e.partition}/${e.offset}`;
  const allDone = (produced: { partition: number; offset: string }[]) => () => {
    const done = new Set(readJournal(journal).map(key));
    return produced.every((p) => done.has(key(p))) ? true : undefined;
  };
  const assigned = async (worker: Worker): Promise<number[]> =>
    (await readJson(await fetch(`${worker.url}/status`))).groups[0].assigned;

  it("splits the partitions between two members and hands them over without processing anything twice", {
    timeout: 180_000,
  }, async () => {
    const a = await startWorker("consumer", env);
    producer = await useRawProducer();
    const produced = await produce(1_200);
    await eventually(() => (readJournal(journal).length >= 30 ? true : undefined), 60_000, "a started");

    // B joins while A is most likely busy: A's revoked partitions finish and commit before B reads them.
    const b = await startWorker("consumer", env);
    const [fromA, fromB] = await eventually(
      async () => {
        const split = await Promise.all([assigned(a), assigned(b)]);
        return split.every((partitions) => partitions.length > 0) ? split : undefined;
      },
      60_000,
      "partitions split",
    );
    expect([...fromA, ...fromB].sort()).toEqual([0, 1, 2]);
    produced.push(...(await produce(300)));
    await eventually(allDone(produced), 120_000, "every event processed");

    const entries = readJournal(journal);
    expect(entries).toHaveLength(produced.length);
    expect(new Set(entries.map((e) => e.pid)).size).toBe(2);
    for (const worker of [a, b]) expect(worker.logs.filter((l) => String(l.msg).startsWith("overlap"))).toEqual([]);
    const committed = await admin.committedOffsets(ns.group(GROUP), ns.topic("orders"));
    const ends = await admin.endOffsets(ns.topic("orders"));
    expect(Object.fromEntries(committed)).toEqual(Object.fromEntries(ends));

    // B leaves: A takes every partition back, again without repeats.
    expect(await b.stop("SIGTERM")).toBe(0);
    await eventually(async () => ((await assigned(a)).length === 3 ? true : undefined), 60_000, "a takes over");
    const more = await produce(60);
    await eventually(allDone(more), 60_000, "events after the hand-back");
    const all = readJournal(journal);
    expect(new Set(all.map(key)).size).toBe(all.length);
  });
});
