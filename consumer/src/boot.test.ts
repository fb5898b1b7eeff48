import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "@kafka-pair/shared/config";
import { createLogger } from "@kafka-pair/shared/log";
import { fakeServer } from "@kafka-pair/shared/testing";
import { memoryTransport } from "@kafka-pair/shared/transport/memory";
import { afterAll, describe, expect, it, vi } from "vitest";
import { bootConsumer, contractsOf } from "./boot.ts";
import { loadSubscriptions } from "./subscriptions.ts";
import { anOrder, kafka, ordersSubscription, until } from "./test-kit.ts";

// Each boot its own SQLite file in a temp folder: the unit project writes nothing under ./data.
const dir = mkdtempSync(join(tmpdir(), "kafka-pair-boot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let databases = 0;
const config = (env: Record<string, string> = {}) =>
  loadConfig("consumer", { DATABASE_URL: `sqlite:${join(dir, `consumer-${++databases}.db`)}`, ...env });

function server() {
  const fake = fakeServer();
  const get = async (path: string) => {
    const res = await fake.request(path);
    // biome-ignore lint/suspicious/noExplicitAny: asserted on, not trusted
    return { status: res.status, body: (await res.json()) as any };
  };
  return { ...fake, get };
}

async function boot(handle: Parameters<typeof ordersSubscription>[0], env: Record<string, string> = {}) {
  const k = await kafka();
  const fake = server();
  const worker = await bootConsumer({
    config: config({ SHUTDOWN_TIMEOUT_MS: "2000", ...env }),
    logger: k.logger,
    transport: k.transport,
    subscriptions: [ordersSubscription(handle)],
    serve: fake.serve,
  });
  return { k, worker, ...fake };
}

describe("bootConsumer", () => {
  it("creates the topics of the contracts its subscriptions use, one a CONSUMER_HANDLERS module declares included", async () => {
    const module = new URL("../../test/unit/fixtures/own-contract.ts", import.meta.url).pathname;
    const subscriptions = await loadSubscriptions(module);
    const transport = memoryTransport();
    const fake = server();
    const worker = await bootConsumer({
      config: config(),
      logger: createLogger("test", "silent"),
      transport,
      subscriptions,
      serve: fake.serve,
    });
    await until(() => transport.consumers[0]?.isJoined() === true, "joined");
    // Its own topic and dead-letter topic, with the contract's partitions; none it does not read.
    expect([...transport.cluster.topics.keys()].sort()).toEqual(["payments", "payments.dlq"]);
    expect(transport.cluster.topics.get("payments")?.partitions).toHaveLength(2);
    expect(await worker.shutdown("SIGTERM")).toBe(0);
  });

  it("provisions each contract once, however many groups read it", async () => {
    const list = await loadSubscriptions(new URL("../../test/unit/fixtures/two-groups.ts", import.meta.url).pathname);
    expect(contractsOf(list).map((c) => c.name)).toEqual(["orders"]);
  });

  it("joins its groups, reports ready, handles and commits events, shows them in /status", async () => {
    const { k, get, ...fake } = await boot(async () => {});
    await until(() => k.transport.consumers.length === 1 && k.transport.consumers[0]?.isJoined() === true, "joined");
    expect((await get("/ready")).body).toEqual({
      ready: true,
      kafka: "connected",
      groups: [{ groupId: "orders_group", joined: true, deadLetters: { waiting: 0 }, stoppedPartitions: [] }],
    });
    const report = await k.write(anOrder(1));
    await until(
      () => k.cluster.committed("orders_group", { topic: "orders", partition: report.partition }) === 1n,
      "commit",
    );
    const status = (await get("/status")).body;
    expect(status.groups[0]).toMatchObject({ groupId: "orders_group", topic: "orders", processed: 1, lag: 0 });
    expect(status.groups[0].assigned).toEqual([0, 1, 2]);
    const res = await fake.request("/metrics");
    const metrics = await res.text();
    expect(metrics).toContain(`consumer_lag{topic="orders",group="orders_group",partition="${report.partition}"} 0`);
  });

  it("opens and migrates its database before joining: GET /orders/:orderId answers from it", async () => {
    const { k, get } = await boot(async () => {});
    await until(() => k.transport.consumers[0]?.isJoined() === true, "joined");
    const missing = await get(`/orders/${anOrder(1).orderId}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("NOT_FOUND");
  });

  it("does not start when its database cannot be prepared, naming it and what failed", async () => {
    const k = await kafka();
    const fake = server();
    // A folder is not a database file.
    const started = await bootConsumer({
      config: config({ DATABASE_URL: `sqlite:${dir}` }),
      logger: k.logger,
      transport: k.transport,
      subscriptions: [ordersSubscription(async () => {})],
      serve: fake.serve,
    }).catch((e: unknown) => e);
    expect(started).toMatchObject({ code: "STORE_UNAVAILABLE" });
    expect((started as Error).message).toContain(`sqlite:${dir}: open failed`);
    // Neither served nor joined.
    await expect(fake.request("/health")).rejects.toThrow("not serving");
    expect(k.transport.consumers.some((c) => c.isJoined())).toBe(false);
  });

  it("is not ready while Kafka is unreachable", async () => {
    const k = await kafka();
    k.cluster.reachable = false;
    const fake = server();
    const worker = await bootConsumer({
      config: config(),
      logger: k.logger,
      transport: k.transport,
      subscriptions: [ordersSubscription(async () => {})],
      serve: fake.serve,
    });
    const ready = await fake.get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ ready: false, kafka: "unavailable", groups: [{ joined: false }] });
    expect(await worker.shutdown("SIGTERM")).toBe(0);
  });

  it("on shutdown lets the handler in hand finish, commits it, leaves the group and exits 0", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const { k, worker, state, get } = await boot(async () => {
      started = true;
      await held;
    });
    const report = await k.write(anOrder(1));
    await until(() => started, "the handler to start");
    const stopping = worker.shutdown("SIGTERM");
    expect((await get("/ready")).status).toBe(503);
    release();
    expect(await stopping).toBe(0);
    expect(state.closed).toBe(true);
    expect(k.cluster.committed("orders_group", { topic: "orders", partition: report.partition })).toBe(1n);
    expect(k.transport.consumers[0]?.isJoined()).toBe(false);
    expect(await worker.shutdown("SIGINT")).toBe(0);
  });

  it("exits 1 when a handler outlives the shutdown timeout", async () => {
    let started = false;
    const { k, worker } = await boot(
      async () => {
        started = true;
        await new Promise(() => {});
      },
      { SHUTDOWN_TIMEOUT_MS: "50" },
    );
    await k.write(anOrder(1));
    await until(() => started, "the handler to start");
    // The shutdown deadline passes on a fake clock: no real-time wait in the unit project.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const stopping = worker.shutdown("SIGTERM");
      await vi.advanceTimersByTimeAsync(100);
      expect(await stopping).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
