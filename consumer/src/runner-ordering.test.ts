import { partitionForKey } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { anOrder, kafka, runner, until } from "./test-kit.ts";

type K = Awaited<ReturnType<typeof kafka>>;
const committedOf = (k: K, partition: number) => k.cluster.committed("orders_group", { topic: "orders", partition });

/** Writes `count` orders with keys drawn from those of `keys` that land on partition 0, in turn. */
async function onePartition(k: K, keys: string[], count: number) {
  const usable = keys.filter((key) => partitionForKey(key, 3) === 0);
  const written: Array<{ key: string; offset: string }> = [];
  for (let i = 0; i < count; i++) {
    const key = usable[i % usable.length] as string;
    const report = await k.write(anOrder(i + 1), key);
    written.push({ key, offset: report.offset });
  }
  return { partition: 0, keys: usable, written };
}

/** A handler that holds every event until the test releases it. */
function held() {
  const waiting = new Map<string, () => void>();
  const started: Array<{ key: string | null; offset: string }> = [];
  return {
    started,
    waiting,
    handle: async (_e: unknown, ctx: { key: string | null; offset: string; partition: number }) => {
      started.push({ key: ctx.key, offset: ctx.offset });
      await new Promise<void>((resolve) => waiting.set(`${ctx.partition}/${ctx.offset}`, resolve));
    },
    release(partition: number, offset: string) {
      waiting.get(`${partition}/${offset}`)?.();
      waiting.delete(`${partition}/${offset}`);
    },
  };
}

describe("ordering, on the in-memory cluster", () => {
  const keys = Array.from({ length: 40 }, (_, i) => `customer-${i}`);

  it("key: events of different keys of one partition run at once, a key's events one at a time in offset order", async () => {
    const k = await kafka();
    const { keys: usable, written } = await onePartition(k, keys.slice(0, 12), 12);
    expect(usable.length).toBeGreaterThan(2);
    const h = held();
    const r = runner(k, h.handle, { concurrency: 64 }, { subscription: { ordering: "key" } });
    await r.start();
    await until(() => h.started.length === usable.length, "one event per key running");
    expect(new Set(h.started.map((s) => s.key)).size).toBe(usable.length);
    expect(h.started.map((s) => s.offset)).toEqual(written.slice(0, usable.length).map((w) => w.offset));
    // Nothing is committed while the oldest event is unfinished, even if later ones are done.
    h.release(0, written[1]?.offset as string);
    await until(() => r.stats.processed === 1, "a later one done");
    expect(committedOf(k, 0)).toBeUndefined();
    while (r.stats.processed < written.length) {
      for (const key of [...h.waiting.keys()]) h.release(0, key.split("/")[1] as string);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => committedOf(k, 0) === BigInt(written.length), "all committed");
    const byKey = new Map<string, number[]>();
    for (const s of h.started) byKey.set(s.key ?? "", [...(byKey.get(s.key ?? "") ?? []), Number(s.offset)]);
    for (const offsets of byKey.values()) expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(h.started).toHaveLength(written.length);
    await r.stop();
  });

  it("partition: one event of a partition at a time, however many keys", async () => {
    const k = await kafka();
    const { written } = await onePartition(k, keys, 6);
    const h = held();
    const r = runner(k, h.handle, { concurrency: 64 }, { subscription: { ordering: "partition" } });
    await r.start();
    while (r.stats.processed < written.length) {
      await until(() => h.waiting.size === 1, "one running");
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(h.waiting.size).toBe(1);
      for (const key of [...h.waiting.keys()]) h.release(0, key.split("/")[1] as string);
      await until(() => h.waiting.size === 1 || r.stats.processed === written.length, "the next");
    }
    expect(h.started.map((s) => s.offset)).toEqual(written.map((w) => w.offset));
    await until(() => committedOf(k, 0) === BigInt(written.length), "all committed");
    await r.stop();
  });

  it("none: events of one key run at once, up to maxInFlight", async () => {
    const k = await kafka();
    for (let i = 0; i < 10; i++) await k.write(anOrder(i), "same");
    const h = held();
    const r = runner(k, h.handle, {}, { subscription: { ordering: "none", maxInFlight: 4 } });
    await r.start();
    await until(() => h.waiting.size === 4, "four at once");
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.waiting.size).toBe(4);
    for (const key of [...h.waiting.keys()]) {
      const [p, o] = key.split("/") as [string, string];
      h.release(Number(p), o);
    }
    await until(() => h.started.length === 8, "the next four");
    expect(h.waiting.size).toBe(4);
    for (const w of [...h.waiting.values()]) w();
    h.waiting.clear();
    await until(() => h.started.length === 10, "the rest");
    for (const w of [...h.waiting.values()]) w();
    await until(() => r.stats.processed === 10, "all processed");
    await r.stop();
  });

  it("back-pressure: a backlog is held to the in-flight bound, not read into memory", async () => {
    const k = await kafka();
    for (let i = 0; i < 300; i++) await k.write(anOrder(i), `key-${i}`);
    const h = held();
    const r = runner(
      k,
      h.handle,
      { concurrency: 9, maxBufferedPerPartition: 1 },
      { subscription: { ordering: "key" } },
    );
    await r.start();
    await until(() => h.waiting.size === 9, "the bound reached");
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.started).toHaveLength(9);
    // Handlers running: 9 for the subscription. Received and not finished, per partition: the 9
    // it may hold plus the one its fetch loop is offering, waiting for room.
    expect(r.partitions().map((p) => p.inFlight)).toEqual([10, 10, 10]);
    for (const w of [...h.waiting.values()]) w();
    h.waiting.clear();
    await until(() => h.started.length === 18, "the next ones");
    expect(h.waiting.size).toBe(9);
    expect(r.partitions().every((p) => p.inFlight <= 10)).toBe(true);
    for (const w of [...h.waiting.values()]) w();
    await r.stop();
  });
});
