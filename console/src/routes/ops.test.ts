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

  it("answers 503 when brokers answer the metadata request but none is reachable", async () => {
    const cluster = clusterWith(async () => [{ id: 1, host: "127.0.0.1", port: 9092, reachable: false }]);
    const res = await consoleKit({ cluster }).app.request("/ready", { headers: JSON_ACCEPT });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: "KAFKA_UNAVAILABLE", message: "no broker reachable" } });
  });
});

describe("browser assets", () => {
  it("serves a known asset uncached with its type, answers 404 for any other, and 204 for the favicon", async () => {
    const { app } = consoleKit();
    const css = await app.request("/assets/console.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css");
    expect(css.headers.get("cache-control")).toBe("no-cache");
    expect(await css.text()).toBe("body{}");
    const missing = await app.request("/assets/nope.js", { headers: JSON_ACCEPT });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND", message: "no such asset" } });
    const favicon = await app.request("/favicon.ico");
    expect(favicon.status).toBe(204);
    expect(await favicon.text()).toBe("");
  });
});
