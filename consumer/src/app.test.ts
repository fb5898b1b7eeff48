import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createConsumerApp } from "./app.ts";
import type { SubscriptionRunner } from "./runner.ts";

/** A runner as the ops app sees it. */
function runner(groupId: string, joined: boolean, lags: Array<number | undefined> = [], waiting = 0) {
  return {
    subscription: { groupId, contract: { name: "orders" } },
    isReady: () => joined,
    health: () => ({
      deadLetters: { waiting, lastError: waiting > 0 ? "broker down" : undefined },
      stoppedPartitions: [],
    }),
    assignment: () => lags.map((_, partition) => ({ topic: "orders", partition })),
    partitions: () => lags.map((lag, partition) => ({ partition, lag })),
    stats: { processed: 3, failed: 0, retried: 0, deadLettered: 0, invalid: 0 },
  } as unknown as SubscriptionRunner;
}

function app(runners: SubscriptionRunner[], options: { draining?: boolean; kafkaReady?: () => boolean } = {}) {
  const registry = new Registry();
  return createConsumerApp({ runners, isDraining: () => options.draining ?? false, registry, ...options });
}

// biome-ignore lint/suspicious/noExplicitAny: asserted on, not trusted
const json = async (res: Response | Promise<Response>): Promise<any> => (await res).json();

describe("consumer ops app", () => {
  it("is live at /health", async () => {
    expect(await json(app([]).request("/health"))).toEqual({ status: "up" });
  });

  it("is ready only when every group joined, Kafka answers and it is not draining", async () => {
    const both = [runner("a", true), runner("b", true)];
    expect((await app(both).request("/ready")).status).toBe(200);
    expect(await json(app(both).request("/ready"))).toEqual({
      ready: true,
      kafka: "connected",
      groups: [
        { groupId: "a", joined: true, deadLetters: { waiting: 0 }, stoppedPartitions: [] },
        { groupId: "b", joined: true, deadLetters: { waiting: 0 }, stoppedPartitions: [] },
      ],
    });
    expect((await app([runner("a", true), runner("b", false)]).request("/ready")).status).toBe(503);
    expect((await app(both, { draining: true }).request("/ready")).status).toBe(503);
    const down = app(both, { kafkaReady: () => false }).request("/ready");
    expect(await json(down)).toMatchObject({ ready: false, kafka: "unavailable" });
    expect((await app(both, { kafkaReady: () => true }).request("/ready")).status).toBe(200);
  });

  it("shows dead letters waiting to be written in /ready's details, without failing readiness", async () => {
    const res = await app([runner("a", true, [], 2)]).request("/ready");
    expect(res.status).toBe(200);
    expect((await json(res)).groups[0]).toMatchObject({ deadLetters: { waiting: 2, lastError: "broker down" } });
  });

  it("sums the known partition lags in /status", async () => {
    const status = await json(app([runner("a", true, [2, undefined, 5]), runner("b", true)]).request("/status"));
    expect(status.draining).toBe(false);
    expect(status.groups[0]).toMatchObject({
      groupId: "a",
      topic: "orders",
      joined: true,
      assigned: [0, 1, 2],
      lag: 7,
    });
    expect(status.groups[1].lag).toBeUndefined();
  });

  it("serves Prometheus text at /metrics and a JSON 404 elsewhere", async () => {
    const res = await app([]).request("/metrics");
    expect(res.headers.get("content-type")).toBe(new Registry().contentType);
    const missing = await app([]).request("/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: "NOT_FOUND", message: "no such route", retriable: false } });
  });
});
