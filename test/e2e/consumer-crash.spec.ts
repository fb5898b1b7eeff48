import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { GROUP, readJournal, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { useRawProducer } from "../helpers/records.ts";
import { startWorker } from "../helpers/workers.ts";

const EVENTS = 400;

// kill -9 in the middle of a stream: at-least-once, and duplicates only from the uncommitted window.
// On both runtimes: Node's binding and Deno's FFI adapter share librdkafka, not the code around it.
describe.each(["node", "deno"] as const)("consumer crash and restart (%s)", (runtime) => {
  const ns = useNamespace();
  const journal = join(tempDir("consumer-crash"), "journal.ndjson");
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
  });

  it("processes every event at least once; only events past the committed offsets run twice", {
    timeout: 240_000,
  }, async () => {
    // The test handler journals to a file: on Deno that needs --allow-write.
    const env = { KAFKA_NAMESPACE: ns.prefix, CONSUMER_HANDLERS: TEST_HANDLERS, CONSUMER_CONCURRENCY: "3" };
    const first = await startWorker("consumer", env, { runtime, denoAllow: ["--allow-write"] });
    const producer = await useRawProducer();
    // 25 ms an event at 3 in flight: the stream takes seconds, so the kill below lands while most of
    // it is still to do (at 5 ms a fast member finished all 400 between two polls of the journal).
    const headers = { [TEST_HEADER.journal]: journal, [TEST_HEADER.sleepMs]: "25" };
    const produced: { partition: number; offset: string }[] = [];
    for (let i = 0; i < EVENTS; i += 50) {
      const batch = Array.from({ length: 50 }, () => {
        const orderId = randomUUID();
        return { key: orderId, value: JSON.stringify(anOrder({ orderId })), headers };
      });
      produced.push(...(await producer.send(ns.topic("orders"), batch)));
    }
    // Some done, most not: kill without warning.
    await eventually(() => (readJournal(journal).length >= EVENTS / 4 ? true : undefined), 60_000, "first events");
    await first.stop("SIGKILL");
    const beforeRestart = readJournal(journal);
    // A commit already on the wire when the process died may still land: read until two reads agree.
    const readCommitted = () => admin.committedOffsets(ns.group(GROUP), ns.topic("orders"));
    const same = (a: Map<number, string>, b: Map<number, string>) =>
      a.size === b.size && [...a].every(([partition, offset]) => b.get(partition) === offset);
    let committed = await readCommitted();
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const again = await readCommitted();
      if (same(committed, again)) break;
      committed = again;
    }
    expect(beforeRestart.length).toBeLessThan(EVENTS);

    const second = await startWorker("consumer", env, { runtime, denoAllow: ["--allow-write"] });
    const key = (e: { partition: number; offset: string }) => `${e.partition}/${e.offset}`;
    await eventually(
      () => {
        const done = new Set(readJournal(journal).map(key));
        return produced.every((p) => done.has(key(p))) ? true : undefined;
      },
      120_000,
      "every event processed",
    );
    const entries = readJournal(journal);
    const byRecord = new Map<string, number>();
    for (const e of entries) byRecord.set(key(e), (byRecord.get(key(e)) ?? 0) + 1);
    const duplicates = [...byRecord].filter(([, n]) => n > 1).map(([k]) => k);
    // A duplicate is an event the first process finished but had not committed when it died.
    const uncommittedWindow = beforeRestart.filter(
      (e) => BigInt(e.offset) >= BigInt(committed.get(e.partition) ?? "0"),
    );
    expect(duplicates.sort()).toEqual(uncommittedWindow.map(key).sort());
    expect([...byRecord.values()].every((n) => n <= 2)).toBe(true);
    // Nothing below a committed offset was left undone by the first process.
    const firstDone = new Set(beforeRestart.map(key));
    for (const p of produced) {
      if (BigInt(p.offset) < BigInt(committed.get(p.partition) ?? "0")) expect(firstDone.has(key(p))).toBe(true);
    }
    console.log(
      `[consumer-crash ${runtime}] ${beforeRestart.length} done before kill -9, ${duplicates.length} processed twice`,
    );
    expect(await second.stop("SIGTERM")).toBe(0);
  });
});
