import { createLogger, loadConfig } from "@kafka-pair/shared/runtime";
import { anOrder, fakeServer, memoryTransport, until } from "@kafka-pair/shared/testing";
import { describe, expect, it, vi } from "vitest";
import { bootProducer } from "./boot.ts";

const order = anOrder(1);
const post = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(order) };

async function boot(env: Record<string, string> = {}) {
  const transport = memoryTransport();
  const fake = fakeServer();
  const worker = await bootProducer({
    config: loadConfig("producer", { SHUTDOWN_TIMEOUT_MS: "2000", ...env }),
    logger: createLogger("test", "silent"),
    transport,
    serve: fake.serve,
  });
  return { transport, worker, ...fake };
}

describe("bootProducer", () => {
  it("serves at once, creates the contracts' topics, and is ready once connected", async () => {
    const { request, transport } = await boot();
    expect((await request("/health")).status).toBe(200);
    await until(async () => (await request("/ready")).status === 200, "/ready 200");
    expect([...transport.cluster.topics.keys()].sort()).toEqual(["health", "health.dlq", "orders", "orders.dlq"]);
    expect((await request("/topics/orders", post)).status).toBe(201);
  });

  it("keeps trying while Kafka is unreachable, and becomes ready when it comes back", async () => {
    // The retry pauses (500 ms, doubling) pass on a fake clock: no real-time wait in the unit project.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const transport = memoryTransport();
    transport.cluster.reachable = false;
    const fake = fakeServer();
    const worker = await bootProducer({
      config: loadConfig("producer", {}),
      logger: createLogger("test", "silent"),
      transport,
      serve: fake.serve,
    });
    const ready = await fake.request("/ready");
    expect(ready.status).toBe(503);
    expect((await fake.request("/topics/orders", post)).status).toBe(503);
    transport.cluster.reachable = true;
    try {
      let status = 503;
      for (let step = 0; step < 20 && status !== 200; step++) {
        await vi.advanceTimersByTimeAsync(100);
        status = (await fake.request("/ready")).status;
      }
      expect(status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
    expect(await worker.shutdown("SIGTERM")).toBe(0);
  });

  it("on shutdown answers the request in flight, refuses new ones, closes the server and the producer", async () => {
    const { request, transport, worker, state } = await boot();
    await until(async () => (await request("/ready")).status === 200, "/ready 200");
    const producer = transport.producers[0];
    // Hold the delivery report back until shutdown has begun.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const send = producer?.send.bind(producer);
    if (!producer || !send) throw new Error("no producer");
    let sending = false;
    producer.send = async (record) => {
      sending = true;
      await held;
      return send(record);
    };
    const inFlight = request("/topics/orders", post);
    await until(() => sending, "the request to reach the producer");
    const stopping = worker.shutdown("SIGTERM");
    expect(state.closed).toBe(true);
    const refused = await request("/topics/orders", post);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("SHUTTING_DOWN");
    release();
    expect((await inFlight).status).toBe(201);
    expect(await stopping).toBe(0);
    expect(producer.isReady()).toBe(false);
    expect(await worker.shutdown("SIGINT")).toBe(0);
  });

  it("exits 1 when a request is still in flight at the shutdown deadline", async () => {
    const { request, transport, worker } = await boot({ SHUTDOWN_TIMEOUT_MS: "50" });
    await until(async () => (await request("/ready")).status === 200, "/ready 200");
    const producer = transport.producers[0];
    if (!producer) throw new Error("no producer");
    let sending = false;
    producer.send = () => {
      sending = true;
      return new Promise(() => {});
    };
    void request("/topics/orders", post);
    await until(() => sending, "the request to reach the producer");
    // The shutdown deadline passes on a fake clock: no real-time wait in the unit project.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const stopping = worker.shutdown("SIGTERM");
      await vi.advanceTimersByTimeAsync(100);
      expect(await stopping).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
