import { describe, expect, it } from "vitest";
import { anOrder, kafka, manualClock, runner, until } from "./test-kit.ts";

type K = Awaited<ReturnType<typeof kafka>>;
const committed = (k: K, partition: number) => k.cluster.committed("orders_group", { topic: "orders", partition });

describe("rebalances with events in flight, on the in-memory cluster", () => {
  it("the revocation waits for the runtime's own in-flight events, commits them, and the next owner goes on from there", async () => {
    const k = await kafka();
    const releases: Array<() => void> = [];
    let holding = true;
    const byA: string[] = [];
    const byB: string[] = [];
    const a = runner(
      k,
      async (_e, ctx) => {
        if (holding) await new Promise<void>((resolve) => releases.push(resolve));
        byA.push(`${ctx.partition}/${ctx.offset}`);
      },
      { concurrency: 16 },
      { clock: manualClock() },
    );
    const b = runner(k, async (_e, ctx) => {
      byB.push(`${ctx.partition}/${ctx.offset}`);
    });
    for (let i = 0; i < 9; i++) await k.write(anOrder(i), `key-${i}`);
    await a.start();
    await until(() => releases.length === 9, "nine in a's handlers at once");
    let joined = false;
    const bStarted = b.start().then(() => {
      joined = true;
    });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    // The rebalance is held while a's events of the revoked partitions are in its handlers.
    expect(joined).toBe(false);
    holding = false;
    for (const release of releases) release();
    await bStarted;
    expect(b.assignment().length).toBeGreaterThan(0);
    for (let i = 9; i < 18; i++) await k.write(anOrder(i), `key-${i}`);
    await until(() => a.stats.processed + b.stats.processed === 18, "all eighteen");
    await a.stop();
    await b.stop();
    const all = [...byA, ...byB];
    expect(all).toHaveLength(18);
    expect(new Set(all).size).toBe(18);
    expect(byA.filter((e) => byB.includes(e))).toEqual([]);
  });

  it("a handler that outlives the revoke timeout is given up: its event stays uncommitted and the next owner handles it", async () => {
    const k = await kafka();
    const clock = manualClock();
    const stuck = runner(
      k,
      async (_e, ctx) => {
        // Ignores its abort signal: the worst case the timeout exists for.
        await new Promise(() => ctx);
      },
      { revokeTimeoutMs: 5_000 },
      { clock },
    );
    const report = await k.write(anOrder(1));
    await stuck.start();
    await until(() => stuck.partitions().some((p) => p.inFlight === 1), "in the handler");
    let stopped = false;
    const stopping = stuck.stop().then(() => {
      stopped = true;
    });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    await clock.advance(5_000);
    await stopping;
    expect(committed(k, report.partition)).toBeUndefined();
    const handled: string[] = [];
    const next = runner(k, async (_e, ctx) => {
      handled.push(ctx.offset);
    });
    await next.start();
    await until(() => committed(k, report.partition) === 1n, "the next owner's commit");
    expect(handled).toEqual([report.offset]);
    await next.stop();
  });
});

describe("assignment", () => {
  it("reads the group's committed offsets at assignment: a member that received nothing yet shows them, lag 0", async () => {
    const k = await kafka();
    const first = runner(k, async () => {});
    for (let i = 0; i < 3; i++) await k.write(anOrder(i), "same");
    await first.start();
    await until(() => first.stats.processed === 3, "handled");
    await first.stop();
    const partition = k.cluster.topics.get("orders")?.partitions.findIndex((p) => p.length > 0) ?? -1;
    const next = runner(k, async () => {});
    await next.start();
    await until(() => next.partitions().some((p) => p.committed === "3"), "the committed offset read back");
    expect(next.partitions().find((p) => p.partition === partition)).toMatchObject({
      committed: "3",
      lag: 0,
      inFlight: 0,
    });
    expect(next.partitions()).toHaveLength(3);
    await next.stop();
  });
});
