import { afterEach, describe, expect, it, vi } from "vitest";
import { anOrder, kafka, runner, until } from "./test-kit.ts";

// The runner commits the transport's position once everything delivered is done: past a
// transaction's commit marker, so a partition whose last write was a transaction reads lag 0.
// (Before the port made `position` required, this path ran only on adapters that had it.)
describe("SubscriptionRunner and transaction markers", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("commits past the commit marker of a transaction whose events it processed", async () => {
    const k = await kafka();
    const utf8 = new TextEncoder();
    const [last] = await k.producer.transaction((tx) =>
      Promise.all([
        tx.send({ topic: "orders", key: "k", value: utf8.encode(JSON.stringify(anOrder(1))) }),
        tx.send({ topic: "orders", key: "k", value: utf8.encode(JSON.stringify(anOrder(2))) }),
      ]).then((reports) => reports.slice(1)),
    );
    if (!last) throw new Error("not produced");
    const tp = { topic: "orders", partition: last.partition };
    const end = k.cluster.endOffset(tp, "read_uncommitted");
    // Two records and the marker.
    expect(end).toBe(BigInt(last.offset) + 2n);
    // The runner's idle nudge (every second) runs on a fake clock: no real-time wait here.
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const r = runner(k, async () => {});
    await r.start();
    await until(() => {
      vi.advanceTimersByTime(1_000);
      return k.cluster.committed("orders_group", tp) === end;
    }, "the commit past the marker");
    expect(r.partitions().find((p) => p.partition === last.partition)).toMatchObject({ lag: 0 });
    await r.stop();
  });
});
