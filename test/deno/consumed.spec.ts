import { describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually } from "../helpers/kafka.ts";
import { committedPast, expectOrdersConsumed, type Produced, processed, usePair } from "../helpers/pair.ts";
import { readTopic } from "../helpers/records.ts";

// Both workers on Deno: what the consumer did with what the producer sent, and what the
// group committed.
describe("Deno pair: messages consumed", () => {
  const pair = usePair({ producer: "deno", consumer: "deno" });
  const { ns } = pair;

  it("processes every order posted and commits past each one", async () => {
    await expectOrdersConsumed(pair);
  });

  it("stores an atomic batch in one transaction, visible to read_committed readers and consumed", async () => {
    const orders = [anOrder(), anOrder(), anOrder()];
    const res = await postJson(pair.producer.url, "/topics/orders?atomic=true", orders);
    expect(res.status).toBe(201);
    const body = await readJson(res);
    expect(body).toMatchObject({ atomic: true, stored: 3, failed: 0 });
    const ids = new Set(orders.map((o) => o.orderId));
    const read = await readTopic(ns.topic("orders"), {
      isolation: "read_committed",
      until: (records) => records.filter((r) => r.key !== null && ids.has(r.key)).length === 3,
    });
    expect(read.filter((r) => r.key !== null && ids.has(r.key))).toHaveLength(3);
    for (const result of body.results as Produced[]) {
      const record = { ...result, topic: "orders" };
      await eventually(
        () => (processed(pair.consumer, record) ? true : undefined),
        30_000,
        `batch record ${result.offset}`,
      );
      await eventually(() => committedPast(pair.admin, ns, "orders_group", record), 30_000, "batch commit");
    }
  });

  it("round-trips the health ping through health_group", async () => {
    const res = await fetch(`${pair.producer.url}/kafka/health`);
    expect(res.status).toBe(200);
    const ping: Produced = await readJson(res);
    await eventually(() => (processed(pair.consumer, ping) ? true : undefined), 30_000, "health ping processed");
    await eventually(() => committedPast(pair.admin, ns, "health_group", ping), 30_000, "health commit");
  });

  it("leaves the group cleanly on SIGTERM", async () => {
    expect(await pair.consumer.stop("SIGTERM")).toBe(0);
    expect(pair.consumer.logs.some((l) => l.msg === "consumer stopped")).toBe(true);
  });
});
