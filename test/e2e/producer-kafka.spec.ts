import type { AdminTransport, ProducerTransport } from "@kafka-pair/shared/transport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { testTransport, totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { readTopic } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

const TOKEN = "test-token-0123456789abcdef";

// What ends up in Kafka for each kind of request: end offsets and the records themselves.
describe("producer: state in Kafka", () => {
  const ns = useNamespace();
  const topic = ns.topic("orders");
  let producer: Worker;
  let guarded: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    [producer, guarded] = await Promise.all([
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix }),
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix, PRODUCER_API_TOKEN: TOKEN }),
    ]);
  });

  it("produces nothing for any rejected request", async () => {
    const reused = { "idempotency-key": `reused-${Date.now()}` };
    expect((await postJson(producer.url, "/topics/orders", anOrder(), reused)).status).toBe(201);
    const before = await totalEndOffset(admin, topic);
    const lines = Array.from({ length: 100 }, () => ({ sku: "X".repeat(32), quantity: 1, unitPriceCents: 1 }));
    const attempts: Array<[number, Promise<Response>]> = [
      [400, postJson(producer.url, "/topics/orders", "{")],
      [400, postJson(producer.url, "/topics/orders?atomic=maybe", [anOrder()])],
      [401, postJson(guarded.url, "/topics/orders", anOrder())],
      [409, postJson(producer.url, "/topics/orders", anOrder(), reused)],
      [413, postJson(producer.url, "/topics/orders", { ...anOrder(), lines, note: "n".repeat(4000) })],
      [415, postJson(producer.url, "/topics/orders", "<order/>", { "content-type": "application/xml" })],
      [422, postJson(producer.url, "/topics/orders", { ...anOrder(), placedAt: "yesterday" })],
      [422, postJson(producer.url, "/topics/orders?atomic=true", [anOrder(), anOrder(), { bad: true }])],
      [422, postJson(producer.url, "/topics/orders", [])],
    ];
    for (const [status, response] of attempts) expect((await response).status).toBe(status);
    expect(await totalEndOffset(admin, topic)).toBe(before);
  });

  it("stores exactly the records a partial batch reports as stored", async () => {
    const before = await totalEndOffset(admin, topic);
    const res = await postJson(producer.url, "/topics/orders", [anOrder(), { nope: 1 }, anOrder(), anOrder()]);
    expect(res.status).toBe(207);
    expect((await readJson(res)).stored).toBe(3);
    expect(await totalEndOffset(admin, topic)).toBe(before + 3n);
  });

  it("produces an Idempotency-Key's event once, however often it is retried", async () => {
    const order = anOrder();
    const before = await totalEndOffset(admin, topic);
    for (let i = 0; i < 3; i++) {
      expect((await postJson(producer.url, "/topics/orders", order, { "idempotency-key": order.orderId })).status).toBe(
        201,
      );
    }
    expect(await totalEndOffset(admin, topic)).toBe(before + 1n);
  });

  it("writes CloudEvents attributes, content type and trace context as Kafka headers, keyed by order id", async () => {
    const order = anOrder();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await postJson(producer.url, "/topics/orders", order, {
      "ce-specversion": "1.0",
      "ce-id": `evt-${order.orderId}`,
      "ce-source": "/checkout",
      "ce-type": "dev.kafka-pair.order.placed",
      "ce-subject": order.customerId,
      traceparent,
    });
    expect(res.status).toBe(201);
    const { partition, offset } = await readJson(res);
    const records = await readTopic(topic, {
      isolation: "read_committed",
      until: (seen) => seen.some((r) => r.partition === partition && r.offset === offset),
    });
    const record = records.find((r) => r.partition === partition && r.offset === offset);
    expect(record?.key).toBe(order.orderId);
    expect(JSON.parse(record?.value ?? "null")).toEqual(order);
    expect(record?.headers).toMatchObject({
      ce_specversion: "1.0",
      ce_id: `evt-${order.orderId}`,
      ce_source: "/checkout",
      ce_type: "dev.kafka-pair.order.placed",
      ce_subject: order.customerId,
      ce_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      "content-type": "application/json",
      traceparent,
    });
  });

  describe("transactions", () => {
    let transactional: ProducerTransport;
    beforeAll(async () => {
      transactional = testTransport().producer();
      await transactional.connect();
    });
    afterAll(() => transactional.disconnect());

    it("hides an aborted transaction from read_committed readers, not from read_uncommitted ones", async () => {
      const marker = anOrder();
      const aborted = [anOrder(), anOrder(), anOrder()];
      const encode = (order: object) => new TextEncoder().encode(JSON.stringify(order));
      const transaction = transactional.transaction?.bind(transactional);
      if (!transaction) throw new Error("the Confluent transport must support transactions");
      await expect(
        transaction(async (tx) => {
          // Keyed like the marker: one partition, so a reader that reached the marker has passed them.
          for (const order of aborted) await tx.send({ topic, key: marker.orderId, value: encode(order) });
          throw new Error("abort on purpose");
        }),
      ).rejects.toMatchObject({ code: "TRANSACTION_ABORTED" });
      // A committed atomic batch after the aborted one: readers stop once they have seen it.
      const res = await postJson(producer.url, "/topics/orders?atomic=true", [marker]);
      expect(res.status).toBe(201);

      const seenMarker = (records: { value: string }[]) => records.some((r) => r.value.includes(marker.orderId));
      const ids = (records: { value: string }[]) => records.map((r) => JSON.parse(r.value).orderId as string);
      const committedView = ids(await readTopic(topic, { isolation: "read_committed", until: seenMarker }));
      const uncommittedView = ids(await readTopic(topic, { isolation: "read_uncommitted", until: seenMarker }));
      expect(committedView).toContain(marker.orderId);
      for (const order of aborted) {
        expect(committedView).not.toContain(order.orderId);
        expect(uncommittedView).toContain(order.orderId);
      }
    });

    it("makes every record of an atomic batch visible to read_committed readers", async () => {
      const orders = [anOrder(), anOrder(), anOrder(), anOrder()];
      const res = await postJson(producer.url, "/topics/orders?atomic=true", orders);
      expect(res.status).toBe(201);
      const wanted = new Set(orders.map((o) => o.orderId));
      const seen = await readTopic(topic, {
        isolation: "read_committed",
        until: (records) => orders.every((o) => records.some((r) => r.value.includes(o.orderId))),
      });
      const found = seen.map((r) => JSON.parse(r.value).orderId).filter((id: string) => wanted.has(id));
      expect(new Set(found)).toEqual(wanted);
    });
  });
});
