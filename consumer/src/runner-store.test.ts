// Exactly-once with the worker's database (real SQLite in a temp dir, in-process): handler writes,
// emitted records (outbox) and the consumed position commit together; the database decides where a
// new owner resumes, and what a dead member left in the outbox reaches Kafka before anything else.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ordersConfirmedTopic } from "@kafka-pair/shared/contracts";
import { namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { describe, expect, it } from "vitest";
import { confirmationOf } from "./handlers/orders.ts";
import { createConsumerMetrics } from "./metrics.ts";
import { SubscriptionRunner } from "./runner.ts";
import { openStore } from "./store/index.ts";
import type { OffsetStore } from "./store/types.ts";
import { anOrder, type Handle, instantClock, kafka, ordersSubscription, settings, until } from "./test-kit.ts";

type Kafka = Awaited<ReturnType<typeof kafka>>;

const thingsTable = {
  id: "test/things",
  postgres: "CREATE TABLE things (order_id text PRIMARY KEY, kafka_offset text NOT NULL)",
  sqlite: "CREATE TABLE things (order_id TEXT PRIMARY KEY, kafka_offset TEXT NOT NULL)",
};

async function setup() {
  const k = await kafka();
  await provisionTopics(k.transport, [ordersConfirmedTopic], namespace(""), k.logger);
  const store = await openStore(`sqlite:${join(mkdtempSync(join(tmpdir(), "runner-store-")), "db.sqlite")}`, {
    migrations: [thingsTable],
  });
  await store.migrate();
  return { k, store };
}

/** Three orders on one partition, and the confirmation record a handler of order `i` would emit. */
async function threeOrders() {
  const { k, store } = await setup();
  const orders = [1, 2, 3].map((i) => anOrder(i));
  let partition = 0;
  for (const order of orders) partition = (await k.write(order)).partition;
  const record = (i: number) => ({
    topic: ordersConfirmedTopic.name,
    key: orders[i]?.orderId ?? null,
    value: new TextEncoder().encode(JSON.stringify(confirmationOf(orders[i] as never))),
  });
  return { k, store, orders, partition, record };
}

function storeRunner(k: Kafka, store: OffsetStore, handle: Handle) {
  return new SubscriptionRunner({
    transport: k.transport,
    producer: k.producer,
    subscription: {
      ...ordersSubscription(handle),
      delivery: "exactly-once",
      store: true,
      emits: [ordersConfirmedTopic],
      onFailure: { retries: 2, backoffMs: 1, maxBackoffMs: 1 },
    },
    namespace: namespace(""),
    logger: k.logger,
    metrics: createConsumerMetrics(() => []),
    settings,
    clock: instantClock(),
    store,
  });
}

/** Stores the order and confirms it: the example's shape. */
const storeAndConfirm: Handle = async (event, ctx) => {
  const order = event as ReturnType<typeof anOrder>;
  await ctx.db?.query("INSERT INTO things (order_id, kafka_offset) VALUES ($1, $2)", [order.orderId, ctx.offset]);
  await ctx.emit(ordersConfirmedTopic, confirmationOf(order));
};

const visible = (k: Kafka) =>
  (k.cluster.topics.get(ordersConfirmedTopic.name)?.partitions.flat() ?? []).filter(
    (e) => !e.marker && e.transaction?.state === "committed",
  );
const rows = (store: OffsetStore) => store.read<{ order_id: string }>("SELECT order_id FROM things ORDER BY order_id");

describe("exactly-once with a database store", () => {
  it("commits the handler's rows, its emitted records and the position together, relays them, prunes the outbox", async () => {
    const { k, store } = await setup();
    const orders = [1, 2, 3].map((i) => anOrder(i));
    let partition = 0;
    for (const order of orders) partition = (await k.write(order)).partition;
    const r = storeRunner(k, store, storeAndConfirm);
    await r.start();
    await until(() => k.cluster.committed("orders_group", { topic: "orders", partition }) === 3n, "Kafka offsets");
    expect((await rows(store)).map((r) => r.order_id).sort()).toEqual(orders.map((o) => o.orderId).sort());
    expect(await store.positions("orders_group", [{ topic: "orders", partition }])).toEqual([
      { topic: "orders", partition, offset: "3" },
    ]);
    expect(visible(k)).toHaveLength(3);
    await until(
      async () => (await store.pendingOutbox("orders_group", { topic: "orders", partition })).length === 0,
      "pruned",
    );
    await r.stop();
    await store.close();
  });

  it("rolls a failed attempt's writes back: the retry writes the row once", async () => {
    const { k, store } = await setup();
    const order = anOrder(1);
    const { partition } = await k.write(order);
    const r = storeRunner(k, store, async (event, ctx) => {
      await storeAndConfirm(event, ctx);
      if (ctx.attempt < 2) throw new Error("failed after writing");
    });
    await r.start();
    await until(() => k.cluster.committed("orders_group", { topic: "orders", partition }) === 1n, "Kafka offset");
    expect(await rows(store)).toEqual([{ order_id: order.orderId }]);
    expect(visible(k)).toHaveLength(1);
    await r.stop();
    await store.close();
  });

  it("resumes where the database says: a dead member's outbox is relayed with its position, its events are not handled again", async () => {
    const { k, store, orders, partition, record } = await threeOrders();
    // A member handled offsets 0 and 1, committed its database transaction, and died before Kafka's.
    await store.apply(
      { groupId: "orders_group", topic: "orders", partition, expected: undefined, next: "2" },
      async (tx, outbox) => {
        for (const i of [0, 1]) {
          await tx.query("INSERT INTO things (order_id, kafka_offset) VALUES ($1, $2)", [
            orders[i]?.orderId,
            String(i),
          ]);
          outbox.add(record(i));
        }
      },
    );
    const handled: string[] = [];
    const r = storeRunner(k, store, async (event, ctx) => {
      handled.push(ctx.offset);
      await storeAndConfirm(event, ctx);
    });
    await r.start();
    await until(() => k.cluster.committed("orders_group", { topic: "orders", partition }) === 3n, "Kafka offsets");
    expect(handled).toEqual(["2"]);
    expect((await rows(store)).map((r) => r.order_id).sort()).toEqual(orders.map((o) => o.orderId).sort());
    const ids = visible(k).map((e) => JSON.parse(new TextDecoder().decode(e.value)).orderId);
    expect(ids.sort()).toEqual(orders.map((o) => o.orderId).sort());
    await r.stop();
    await store.close();
  });

  it("does not relay outbox rows below the group's offset again (a prune cut short by the crash)", async () => {
    const { k, store, orders, partition, record } = await threeOrders();
    const claim = (expected: string | undefined, next: string) => ({
      groupId: "orders_group",
      topic: "orders",
      partition,
      expected,
      next,
    });
    // Offset 0 reached Kafka (committed 1) but its row was not pruned; offset 1 only reached the database.
    await store.apply(claim(undefined, "1"), async (_tx, outbox) => outbox.add(record(0)));
    await store.apply(claim("1", "2"), async (_tx, outbox) => outbox.add(record(1)));
    k.cluster.commit("orders_group", { topic: "orders", partition }, 1n);
    const handled: string[] = [];
    const r = storeRunner(k, store, async (event, ctx) => {
      handled.push(ctx.offset);
      await ctx.emit(ordersConfirmedTopic, confirmationOf(event as never));
    });
    await r.start();
    await until(() => k.cluster.committed("orders_group", { topic: "orders", partition }) === 3n, "Kafka offsets");
    expect(handled).toEqual(["2"]);
    const ids = visible(k).map((e) => JSON.parse(new TextDecoder().decode(e.value)).orderId);
    expect(ids.sort()).toEqual([orders[1]?.orderId, orders[2]?.orderId].sort());
    await r.stop();
    await store.close();
  });

  it("refuses a store subscription without exactly-once, without a database, or with another ordering", async () => {
    const { k, store } = await setup();
    const make = (extra: object, withStore = true) =>
      new SubscriptionRunner({
        transport: k.transport,
        producer: k.producer,
        subscription: { ...ordersSubscription(storeAndConfirm), delivery: "exactly-once", store: true, ...extra },
        namespace: namespace(""),
        logger: k.logger,
        metrics: createConsumerMetrics(() => []),
        settings,
        ...(withStore ? { store } : {}),
      });
    expect(() => make({ delivery: "at-least-once" })).toThrow(/needs delivery "exactly-once"/);
    expect(() => make({}, false)).toThrow(/DATABASE_URL/);
    expect(() => make({ ordering: "key" })).toThrow(/ordering "partition"/);
    await store.close();
  });
});
