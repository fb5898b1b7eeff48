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

  it("commits past a transaction's commit marker once its events are processed, as on Node (lag 0)", async () => {
    const orders = [anOrder(), anOrder()];
    const res = await postJson(pair.producer.url, "/topics/orders?atomic=true", orders);
    expect(res.status).toBe(201);
    const written = new Set(((await readJson(res)).results as Produced[]).map((r) => r.partition));
    // The end offset (read_uncommitted) counts the commit marker: a group committed only to the
    // last record + 1 stays one short for good on that partition. librdkafka's position() steps
    // over the marker; the runner commits it once everything delivered is done.
    const caughtUp = await eventually(
      async () => {
        const ends = await pair.admin.endOffsets(ns.topic("orders"), "read_uncommitted");
        const committed = await pair.admin.committedOffsets(ns.group("orders_group"), ns.topic("orders"));
        const behind = [...written].filter((p) => committed.get(p) === undefined || committed.get(p) !== ends.get(p));
        return behind.length === 0 ? [...written].map((p) => [committed.get(p), ends.get(p)]) : undefined;
      },
      30_000,
      "committed up to the end offset (past the marker) on every partition the transaction wrote",
    );
    for (const [committed, end] of caughtUp) expect(committed).toBe(end);
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
