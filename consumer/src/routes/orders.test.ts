import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anOrder } from "@kafka-pair/shared/testing";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsumerApp } from "../app.ts";
import { ordersMigration } from "../orders/migration.ts";
import { findOrder, insertOrder } from "../orders/repository.ts";
import { openStore } from "../store/open.ts";
import type { OffsetStore } from "../store/types.ts";

const dir = mkdtempSync(join(tmpdir(), "kafka-pair-orders-"));
let store: OffsetStore;
beforeAll(async () => {
  store = await openStore(`sqlite:${join(dir, "consumer.db")}`, { migrations: [ordersMigration] });
  await store.migrate();
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const app = (find = (id: string) => findOrder(store, id)) =>
  createConsumerApp({ runners: [], isDraining: () => false, registry: new Registry(), findOrder: find });

// biome-ignore lint/suspicious/noExplicitAny: asserted on, not trusted
const json = async (res: Response): Promise<any> => res.json();

describe("GET /orders/:orderId", () => {
  it("answers the stored row: the event's fields, its total and its Kafka position", async () => {
    const order = anOrder(7, {
      lines: [
        { sku: "SKU-1", quantity: 2, unitPriceCents: 250 },
        { sku: "SKU-2", quantity: 1, unitPriceCents: 1_000 },
      ],
      note: "ring twice",
    });
    await store.apply(
      { groupId: "orders_group", topic: "orders", partition: 2, expected: undefined, next: "42" },
      (tx) => insertOrder(tx, order, { topic: "orders", partition: 2, offset: "41" }),
    );
    const res = await app().request(`/orders/${order.orderId}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      orderId: order.orderId,
      customerId: order.customerId,
      currency: "EUR",
      lines: order.lines,
      totalCents: 1_500,
      placedAt: order.placedAt,
      note: "ring twice",
      kafka: { topic: "orders", partition: 2, offset: "41" },
    });
  });

  it("answers 404 in the error shape when no such order was stored", async () => {
    const id = anOrder(404).orderId;
    const res = await app().request(`/orders/${id}`);
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({
      error: { code: "NOT_FOUND", message: `no order ${id} has been stored`, retriable: false },
    });
  });

  it("answers 400 naming the problem when the id is not a UUID, without reading the database", async () => {
    let read = false;
    const res = await app(async () => {
      read = true;
      return undefined;
    }).request("/orders/not-an-id");
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: "INVALID_REQUEST", retriable: false });
    expect(body.error.issues).toEqual([expect.objectContaining({ path: "orderId", received: "not-an-id" })]);
    expect(read).toBe(false);
  });

  it("answers 503 with Retry-After when the database is unavailable", async () => {
    const { KafkaPairError } = await import("@kafka-pair/shared/errors");
    const res = await app(async () => {
      throw new KafkaPairError("STORE_UNAVAILABLE", "postgres://app@db:5432/shop: connect failed: ECONNREFUSED");
    }).request(`/orders/${anOrder(1).orderId}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await json(res)).error).toMatchObject({ code: "STORE_UNAVAILABLE", retriable: true });
  });

  it("does not exist on a consumer without a store", async () => {
    const res = await createConsumerApp({ runners: [], isDraining: () => false, registry: new Registry() }).request(
      `/orders/${anOrder(1).orderId}`,
    );
    expect(res.status).toBe(404);
    expect((await json(res)).error.message).toBe("no such route");
  });
});

describe("insertOrder", () => {
  it("refuses a second row for one orderId: the store transaction fails and its position stays", async () => {
    const order = anOrder(9);
    const at = (partition: number, expected: string | undefined, next: string) =>
      ({ groupId: "orders_group", topic: "orders", partition, expected, next }) as const;
    await store.apply(at(0, undefined, "1"), (tx) =>
      insertOrder(tx, order, { topic: "orders", partition: 0, offset: "0" }),
    );
    const err = await store
      .apply(at(0, "1", "2"), (tx) => insertOrder(tx, order, { topic: "orders", partition: 0, offset: "1" }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "STORE_FAILED" });
    expect(await store.positions("orders_group", [{ topic: "orders", partition: 0 }])).toEqual([
      { topic: "orders", partition: 0, offset: "1" },
    ]);
    expect((await findOrder(store, order.orderId))?.kafka.offset).toBe("0");
  });
});
