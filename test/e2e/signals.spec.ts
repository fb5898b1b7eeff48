import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { readJournal, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder, readJson } from "../helpers/events.ts";
import { eventually, useNamespace } from "../helpers/kafka.ts";
import { useRawProducer } from "../helpers/records.ts";
import { denoBin, startWorker, type Worker } from "../helpers/workers.ts";

// Stopping a worker the way people do: Ctrl-C in a terminal reaches the whole process group, so
// the worker gets the signal from the terminal and again from its wrapper (node --watch,
// deno task). One graceful stop must come of it: leave the groups, finish what is in hand.
describe("stop signals", () => {
  const ns = useNamespace();
  const dir = tempDir("signals");
  const journal = join(dir, "journal.ndjson");
  const env = { KAFKA_NAMESPACE: ns.prefix, CONSUMER_HANDLERS: TEST_HANDLERS };

  const assigned = async (worker: Worker): Promise<number[]> =>
    (await readJson(await fetch(`${worker.url}/status`))).groups[0].assigned;
  const split = (a: Worker, b: Worker) =>
    eventually(
      async () => ((await assigned(a)).length > 0 && (await assigned(b)).length > 0 ? true : undefined),
      60_000,
      "partitions split between the two members",
    );
  const messages = (worker: Worker, prefix: string) => worker.logs.filter((l) => String(l.msg).startsWith(prefix));

  const produce = async (count: number, headers: Record<string, string>) => {
    const producer = await useRawProducer();
    const batch = Array.from({ length: count }, () => {
      const orderId = randomUUID();
      return { key: orderId, value: JSON.stringify(anOrder({ orderId })), headers };
    });
    return producer.send(ns.topic("orders"), batch);
  };

  const groupStop = async (command: [string, ...string[]], runtime: "node" | "deno") => {
    const stays = await startWorker("consumer", env);
    const leaves = await startWorker("consumer", env, { command, runtime });
    await split(stays, leaves);
    // Messages in hand when the signal comes: each takes 150 ms.
    const produced = await produce(60, { [TEST_HEADER.sleepMs]: "150" });
    await eventually(() => (messages(leaves, "handling").length > 0 ? true : undefined), 60_000, "work in hand");

    leaves.signalGroup("SIGINT");
    expect(await leaves.exited).toBe(0);
    expect(messages(leaves, "stopping")).toHaveLength(1);
    expect(messages(leaves, "second stop signal")).toEqual([]);
    expect(messages(leaves, "left the group")).toHaveLength(1);
    expect(messages(leaves, "consumer stopped")).toHaveLength(1);
    // The member that stays gets every partition from the group's rebalance, not from a
    // session timeout, and handles everything that was not finished and committed.
    await eventually(async () => ((await assigned(stays)).length === 3 ? true : undefined), 60_000, "hand-over");
    const handled = () =>
      new Set(
        [...stays.logs, ...leaves.logs].filter((l) => l.msg === "processed").map((l) => `${l.partition}/${l.offset}`),
      );
    await eventually(
      () => (produced.every((p) => handled().has(`${p.partition}/${p.offset}`)) ? true : undefined),
      60_000,
      "every event handled",
    );
    await stays.stop();
  };

  it(
    "node --watch (npm run dev): a group SIGINT is one graceful stop, and the partitions move on",
    {
      timeout: 180_000,
    },
    () =>
      groupStop(
        [process.execPath, "--watch", "--watch-preserve-output", "--import", "tsx", "consumer/src/main.ts"],
        "node",
      ),
  );

  it(
    "deno task start:consumer: a group SIGINT is one graceful stop, and the partitions move on",
    {
      timeout: 180_000,
    },
    () => groupStop([denoBin, "task", "start:consumer"], "deno"),
  );

  it("a second signal later forces the exit, non-zero, and what was in hand is handled again, not lost", {
    timeout: 180_000,
  }, async () => {
    const worker = await startWorker("consumer", env);
    const release = join(dir, "release");
    const [blocked] = await produce(1, { [TEST_HEADER.blockUntil]: release, [TEST_HEADER.journal]: journal });
    await eventually(() => (messages(worker, "blocked").length > 0 ? true : undefined), 60_000, "a message in hand");

    worker.process.kill("SIGTERM");
    await eventually(() => (messages(worker, "stopping").length > 0 ? true : undefined), 30_000, "draining");
    // Past the duplicate window: this is an operator insisting, not a wrapper relaying.
    await sleep(1_500);
    worker.process.kill("SIGTERM");
    expect(await worker.exited).toBe(143);
    expect(messages(worker, "second stop signal")).toHaveLength(1);
    expect(messages(worker, "consumer stopped")).toEqual([]);

    // Not committed, so the next member handles it.
    writeFileSync(release, "");
    const next = await startWorker("consumer", env);
    await eventually(
      () => (readJournal(journal).some((e) => e.offset === blocked?.offset) ? true : undefined),
      60_000,
      "the interrupted message handled by the next member",
    );
    await next.stop();
  });
});
