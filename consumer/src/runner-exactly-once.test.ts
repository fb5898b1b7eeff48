// Exactly-once delivery on the in-memory cluster: emitted events, dead letters and offsets in one
// transaction; failed attempts and aborted transactions leave nothing visible to read_committed.
import { healthTopic, ordersConfirmedTopic } from "@kafka-pair/shared/contracts";
import { namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { describe, expect, it } from "vitest";
import { DLQ_HEADER } from "./dead-letter.ts";
import type { EventSubscription, MessageContext } from "./handler.ts";
import { confirmationOf } from "./handlers/orders.ts";
import { anOrder, batchRunner, type Handle, kafka, runner, until } from "./test-kit.ts";

type Kafka = Awaited<ReturnType<typeof kafka>>;

async function cluster() {
  const k = await kafka();
  await provisionTopics(k.transport, [ordersConfirmedTopic], namespace(""), k.logger);
  return k;
}

/** What a read_committed reader of `topic` sees. */
const visible = (k: Kafka, topic: string) =>
  (k.cluster.topics.get(topic)?.partitions.flat() ?? []).filter(
    (e) => !e.marker && (e.transaction === undefined || e.transaction.state === "committed"),
  );
const everything = (k: Kafka, topic: string) =>
  (k.cluster.topics.get(topic)?.partitions.flat() ?? []).filter((e) => !e.marker);
const confirmedIds = (k: Kafka) =>
  visible(k, ordersConfirmedTopic.name).map(
    (e) => (JSON.parse(new TextDecoder().decode(e.value)) as { orderId: string }).orderId,
  );
const committedTotal = (k: Kafka, groupId = "orders_group") =>
  [0, 1, 2].reduce(
    (sum, partition) => sum + Number(k.cluster.committed(groupId, { topic: "orders", partition }) ?? 0n),
    0,
  );

const confirm: Handle = async (event, ctx) => {
  await ctx.emit(ordersConfirmedTopic, confirmationOf(event as never));
};

const exactlyOnce = (extra: Partial<EventSubscription> = {}) => ({
  subscription: { delivery: "exactly-once", emits: [ordersConfirmedTopic], ...extra } as never,
});

describe("exactly-once delivery", () => {
  it("commits each event's emitted records with its offset in one transaction, batched", async () => {
    const k = await cluster();
    const orders = [1, 2, 3, 4, 5].map((i) => anOrder(i));
    for (const order of orders) await k.write(order, order.orderId);
    const r = runner(k, confirm, {}, exactlyOnce());
    await r.start();
    await until(() => committedTotal(k) === 5, "the offsets past the five orders");
    expect(confirmedIds(k).sort()).toEqual(orders.map((o) => o.orderId).sort());
    // Written inside transactions only, each record committed with its offsets (never on its own).
    expect(everything(k, ordersConfirmedTopic.name).every((e) => e.transaction?.state === "committed")).toBe(true);
    const record = visible(k, ordersConfirmedTopic.name)[0];
    expect(record?.headers).toMatchObject({
      ce_type: ordersConfirmedTopic.eventType,
      ce_source: "/kafka-pair/consumer/orders_group",
    });
    expect(record?.key).toBe(JSON.parse(new TextDecoder().decode(record?.value)).orderId);
    expect(r.health().deadLetters).toEqual({ waiting: 0, lastError: undefined });
    await r.stop();
  });

  it("drops what a failed attempt emitted: the retry's records are the only ones ever written", async () => {
    const k = await cluster();
    const order = anOrder(1);
    await k.write(order, order.orderId);
    const r = runner(
      k,
      async (event, ctx) => {
        await confirm(event, ctx);
        if (ctx.attempt < 3) throw new Error("flaky after emitting");
      },
      {},
      exactlyOnce(),
    );
    await r.start();
    await until(() => committedTotal(k) === 1, "the commit");
    expect(everything(k, ordersConfirmedTopic.name)).toHaveLength(1);
    expect(confirmedIds(k)).toEqual([order.orderId]);
    await r.stop();
  });

  it("aborts a transaction that fails and sends the same records and offsets again: read_committed sees each once", async () => {
    const k = await cluster();
    const orders = [1, 2, 3].map((i) => anOrder(i));
    k.cluster.inject({ at: "transaction", kind: "unavailable", times: 2 });
    for (const order of orders) await k.write(order, order.orderId);
    const r = runner(k, confirm, {}, exactlyOnce());
    await r.start();
    await until(() => committedTotal(k) === 3, "the offsets, after two aborted transactions");
    expect(everything(k, ordersConfirmedTopic.name).some((e) => e.transaction?.state === "aborted")).toBe(true);
    expect(confirmedIds(k).sort()).toEqual(orders.map((o) => o.orderId).sort());
    await r.stop();
  });

  it("writes the dead letter inside the transaction that moves the offset past the event", async () => {
    const k = await cluster();
    await k.write(anOrder(1));
    const r = runner(
      k,
      async (event, ctx) => {
        await confirm(event, ctx);
        throw new Error("always broken");
      },
      {},
      exactlyOnce(),
    );
    await r.start();
    await until(() => committedTotal(k) === 1, "the commit");
    const letters = everything(k, "orders.dlq");
    expect(letters).toHaveLength(1);
    expect(letters[0]?.transaction?.state).toBe("committed");
    expect(letters[0]?.headers[DLQ_HEADER.reason]).toBe("handler-failed");
    expect(everything(k, ordersConfirmedTopic.name)).toEqual([]);
    await r.stop();
  });

  it("fails the attempt when an emitted event breaks its contract or its topic was not declared, awaited or not", async () => {
    const k = await cluster();
    await k.write(anOrder(1));
    const errors: unknown[] = [];
    const r = runner(
      k,
      async (_event, ctx: MessageContext) => {
        if (ctx.attempt === 1) void ctx.emit(ordersConfirmedTopic, { orderId: "not-a-uuid" } as never);
        else
          await ctx.emit(healthTopic, "ok").catch((err: unknown) => {
            errors.push(err);
            throw err;
          });
      },
      {},
      exactlyOnce({ onFailure: { retries: 1, backoffMs: 1, maxBackoffMs: 1 } }),
    );
    await r.start();
    await until(() => committedTotal(k) === 1, "the dead letter's commit");
    const [letter] = everything(k, "orders.dlq");
    expect(letter?.headers[DLQ_HEADER.error]).toMatch(/health without declaring it in `emits`/);
    expect(errors).toHaveLength(1);
    expect(r.stats).toMatchObject({ failed: 2, deadLettered: 1 });
    expect(everything(k, ordersConfirmedTopic.name)).toEqual([]);
    await r.stop();
  });

  it("hands partitions over on a rebalance without a duplicate or a gap: the leaver's last transaction commits first", async () => {
    const k = await cluster();
    const orders = Array.from({ length: 30 }, (_, i) => anOrder(i + 1));
    const first = runner(k, confirm, {}, exactlyOnce());
    const second = runner(k, confirm, {}, exactlyOnce());
    await first.start();
    for (const order of orders.slice(0, 15)) await k.write(order, order.orderId);
    await second.start();
    for (const order of orders.slice(15)) await k.write(order, order.orderId);
    await until(() => committedTotal(k) === 30, "all thirty offsets");
    await first.stop();
    const ids = confirmedIds(k);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
    await second.stop();
  });

  it("refuses a batch handler and the retry topic, which exactly-once does not cover", async () => {
    const k = await cluster();
    expect(() => runner(k, confirm, {}, exactlyOnce({ onFailure: { retryMode: "retry-topic" } }))).toThrow(
      /retries in place/,
    );
    expect(() => batchRunner(k, async () => {}, undefined, {}, exactlyOnce())).toThrow(/not handleBatch/);
    expect(() => runner(k, confirm, {}, exactlyOnce())).not.toThrow();
  });
});

describe("at-least-once emit", () => {
  it("produces at once and counts the event done only once Kafka has the record", async () => {
    const k = await cluster();
    const order = anOrder(1);
    await k.write(order, order.orderId);
    const r = runner(k, confirm, {}, { subscription: { emits: [ordersConfirmedTopic] } as never });
    await r.start();
    await until(() => committedTotal(k) === 1, "the commit");
    const [record] = everything(k, ordersConfirmedTopic.name);
    expect(record?.transaction).toBeUndefined();
    expect(record?.headers.ce_id).toMatch(/^orders_group\/orders\/\d\/0\/0$/);
    const emitted = k.cluster.journal.findIndex((e) => e.op === "append" && e.topic === ordersConfirmedTopic.name);
    const committed = k.cluster.journal.findIndex((e) => e.op === "commit");
    expect(emitted).toBeLessThan(committed);
    await r.stop();
  });
});
