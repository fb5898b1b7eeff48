import { createLogger } from "@kafka-pair/shared/runtime";
import { describe, expect, it } from "vitest";
import { anOrder, kafka } from "../test-kit.ts";
import { replayDeadLetters } from "./replay.ts";

const logger = createLogger("test", "silent");
const run = { source: "orders", deadLetterTopic: "orders.dlq", groupId: "orders.dlq.replay", idleTimeoutMs: 5_000 };

/** Writes `n` dead letters of orders, as the dead-letter policy does (a `dlq_*` header on each). */
async function letters(k: Awaited<ReturnType<typeof kafka>>, n: number) {
  for (let i = 1; i <= n; i++) {
    await k.producer.send({
      topic: "orders.dlq",
      key: `k${i}`,
      value: new TextEncoder().encode(JSON.stringify(anOrder(i))),
      headers: { dlq_reason: "handler failed", ce_id: `id-${i}` },
    });
  }
}

const replayed = (k: Awaited<ReturnType<typeof kafka>>) =>
  (k.cluster.topics.get("orders")?.partitions.flat() ?? []).filter((r) => r.headers.replayed_from !== undefined);

describe("replayDeadLetters", () => {
  it("sends every letter back to its topic, as first written, and commits past it: a second run sends nothing", async () => {
    const k = await kafka();
    await letters(k, 3);
    expect(await replayDeadLetters(k.transport, logger, run)).toEqual({ replayed: 3, dryRun: false, complete: true });
    const back = replayed(k);
    expect(back.map((r) => r.key).sort()).toEqual(["k1", "k2", "k3"]);
    for (const record of back) {
      expect(record.headers.dlq_reason).toBeUndefined();
      expect(record.headers.ce_id).toMatch(/^id-/);
      expect(record.headers.replayed_from).toMatch(/^orders\.dlq\/\d+\/\d+$/);
    }
    expect(await replayDeadLetters(k.transport, logger, run)).toEqual({ replayed: 0, dryRun: false, complete: true });
    expect(replayed(k)).toHaveLength(3);
  });

  it("stops at --limit, and the next run goes on from there", async () => {
    const k = await kafka();
    await letters(k, 3);
    expect(await replayDeadLetters(k.transport, logger, { ...run, limit: 1 })).toMatchObject({ replayed: 1 });
    expect(replayed(k)).toHaveLength(1);
    expect(await replayDeadLetters(k.transport, logger, run)).toMatchObject({ replayed: 2, complete: true });
    expect(replayed(k)).toHaveLength(3);
  });

  it("on a dry run prints the letters, sends nothing and commits nothing", async () => {
    const k = await kafka();
    await letters(k, 2);
    const lines: string[] = [];
    const result = await replayDeadLetters(k.transport, logger, { ...run, dryRun: true, print: (l) => lines.push(l) });
    expect(result).toEqual({ replayed: 2, dryRun: true, complete: true });
    expect(lines.map((l) => JSON.parse(l).key).sort()).toEqual(["k1", "k2"]);
    expect(replayed(k)).toEqual([]);
    expect(await replayDeadLetters(k.transport, logger, run)).toMatchObject({ replayed: 2 });
  });
});
