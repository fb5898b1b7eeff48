import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeCluster } from "../cluster/fake.ts";
import { consoleKit } from "../test-kit.ts";

/** A cluster whose broker listing behaves as given; the rest is the in-memory one. */
function clusterWith(brokers: FakeCluster["brokers"]): FakeCluster {
  const cluster = new FakeCluster();
  cluster.brokers = brokers;
  return cluster;
}

// Errors are pages for a browser, JSON for a client that asks for it.
const JSON_ACCEPT = { accept: "application/json" };

describe("/ready", () => {
  afterEach(() => vi.useRealTimers());

  it("answers 503 before the cluster connects, and leaves no timer behind to reject later", async () => {
    vi.useFakeTimers();
    // The Confluent cluster throws at once until it has connected (the console listens first).
    const cluster = clusterWith(() => {
      throw new Error("cluster not connected");
    });
    const { app } = consoleKit({ cluster });
    const res = await app.request("/ready", { headers: JSON_ACCEPT });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      error: { code: "KAFKA_UNAVAILABLE", message: "no answer from the cluster: cluster not connected" },
    });
    // A timer still pending would reject with no one listening: an unhandled rejection ends the process.
    expect(vi.getTimerCount()).toBe(0);
  });

  it("answers 503 when the cluster does not answer in time", async () => {
    vi.useFakeTimers();
    const { app } = consoleKit({ cluster: clusterWith(() => new Promise(() => {})) });
    const answer = app.request("/ready", { headers: JSON_ACCEPT });
    await vi.advanceTimersByTimeAsync(5_000);
    const res = await answer;
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { message: "no answer from the cluster: timed out" } });
  });

  it("clears its timer once the brokers answered", async () => {
    vi.useFakeTimers();
    const { app } = consoleKit();
    expect((await app.request("/ready")).status).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
  });
});
