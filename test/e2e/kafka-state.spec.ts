import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { type ReadRecord, readTopic } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// What ends up in Kafka: the topic's end offsets are the ground truth.
describe("state in Kafka", () => {
  const ns = useNamespace();
  let producer: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix });
  });

  it("creates the contract topics with their partitions", async () => {
    const topics = await admin.describeTopics([ns.topic("health"), ns.topic("orders")]);
    expect(topics.get(ns.topic("orders"))).toEqual({ name: ns.topic("orders"), partitions: 3, replicationFactor: 3 });
    expect(topics.get(ns.topic("health"))).toEqual({ name: ns.topic("health"), partitions: 3, replicationFactor: 3 });
  });

  it("writes an acknowledged event at the partition and offset it reported", async () => {
    const order = anOrder();
    const res = await postJson(producer.url, "/topics/orders", order);
    expect(res.status).toBe(201);
    const report = await readJson(res);
    const at = (r: ReadRecord) => r.partition === report.partition && r.offset === report.offset;
    const records = await readTopic(ns.topic("orders"), {
      isolation: "read_committed",
      until: (seen) => seen.some(at),
    });
    const record = records.find(at);
    expect(record?.key).toBe(order.orderId);
    expect(JSON.parse(record?.value ?? "null")).toEqual(order);
    expect(record?.headers.ce_id).toBe(report.id);
  });

  it("keeps one order's events on one partition (keyed by orderId)", async () => {
    const order = anOrder();
    const partitions = new Set<number>();
    for (let i = 0; i < 5; i++) {
      const res = await postJson(producer.url, "/topics/orders", { ...order, placedAt: new Date().toISOString() });
      expect(res.status).toBe(201);
      partitions.add((await readJson(res)).partition);
    }
    expect(partitions.size).toBe(1);
  });

  it("produces nothing for rejected requests", async () => {
    const before = await totalEndOffset(admin, ns.topic("orders"));
    const statuses = await Promise.all([
      postJson(producer.url, "/topics/orders", { ...anOrder(), lines: [] }).then((r) => r.status),
      postJson(producer.url, "/topics/orders", "{nope").then((r) => r.status),
      postJson(producer.url, "/topics/orders", "x", { "content-type": "text/plain" }).then((r) => r.status),
      postJson(producer.url, "/topics/order", anOrder()).then((r) => r.status),
    ]);
    expect(statuses).toEqual([422, 400, 415, 404]);
    // One valid event after the bad ones: if anything bad had been produced, the count would be off.
    expect((await postJson(producer.url, "/topics/orders", anOrder())).status).toBe(201);
    expect(await totalEndOffset(admin, ns.topic("orders"))).toBe(before + 1n);
  });
});
