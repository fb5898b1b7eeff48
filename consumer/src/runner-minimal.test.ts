import type { ConsumerTransport, KafkaTransport } from "@kafka-pair/shared/transport";
import { describe, expect, it } from "vitest";
import { anOrder, kafka, runner, until } from "./test-kit.ts";

/** The transport with a consumer that has only the port's required methods (no rebalance hook, no commitMany...). */
function minimal(k: Awaited<ReturnType<typeof kafka>>): Awaited<ReturnType<typeof kafka>> {
  const transport = Object.assign(Object.create(k.transport) as typeof k.transport, {
    consumer: (options: Parameters<KafkaTransport["consumer"]>[0]) => {
      const c = k.transport.consumer(options);
      const bare: ConsumerTransport = {
        connect: () => c.connect(),
        run: (each) => c.run(each),
        commit: (p) => c.commit(p),
        assignment: () => c.assignment(),
        disconnect: () => c.disconnect(),
      };
      return bare;
    },
  });
  return { ...k, transport };
}

describe("a consumer adapter with only the required capabilities", () => {
  it("still handles, commits one partition at a time, reports ready once assigned, and commits on stop", async () => {
    const k = minimal(await kafka());
    const handled: string[] = [];
    const r = runner(k, async (_e, ctx) => {
      handled.push(`${ctx.partition}/${ctx.offset}`);
    });
    for (let i = 0; i < 6; i++) await k.write(anOrder(i), `key-${i}`);
    expect(r.isReady()).toBe(false);
    await r.start();
    await until(() => r.stats.processed === 6, "all handled");
    expect(r.isReady()).toBe(true);
    await r.stop();
    const committed = [0, 1, 2].map(
      (p) => k.cluster.committed("orders_group", { topic: "orders", partition: p }) ?? 0n,
    );
    expect(committed.reduce((a, b) => a + b, 0n)).toBe(6n);
    expect(new Set(handled).size).toBe(6);
  });
});
