import type { Namespace } from "@kafka-pair/shared/namespace";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

interface Produced {
  topic: string;
  partition: number;
  offset: string;
}

const processed = (consumer: Worker, { topic, partition, offset }: Produced) =>
  consumer.logs.some(
    (l) => l.msg === "processed" && l.topic === topic && l.partition === partition && l.offset === offset,
  );

/** The group's committed offset is the next one to read: past the message once it is done. */
async function committedPast(admin: AdminTransport, ns: Namespace, groupId: string, record: Produced) {
  const committed = await admin.committedOffsets(ns.group(groupId), ns.topic(record.topic));
  const next = committed.get(record.partition);
  return next !== undefined && BigInt(next) > BigInt(record.offset) ? BigInt(next) : undefined;
}

// The far side of the pair: what the consumer worker did with what the producer sent.
describe("messages consumed", () => {
  const ns = useNamespace();
  let producer: Worker;
  let consumer: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    [producer, consumer] = await Promise.all([
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix }),
      startWorker("consumer", { KAFKA_NAMESPACE: ns.prefix }),
    ]);
  });

  it("processes every order posted and commits past each one", async () => {
    const produced: Produced[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await postJson(producer.url, "/topics/orders", anOrder());
      expect(res.status).toBe(201);
      produced.push(await readJson(res));
    }
    for (const record of produced) {
      await eventually(() => (processed(consumer, record) ? true : undefined), 30_000, `order at ${record.offset}`);
      const next = await eventually(() => committedPast(admin, ns, "orders_group", record), 30_000, "commit");
      expect(next).toBeGreaterThan(BigInt(record.offset));
    }
  });

  it("round-trips the tutorial's health ping through health_group", async () => {
    const res = await fetch(`${producer.url}/kafka/health`);
    expect(res.status).toBe(200);
    const ping: Produced = await readJson(res);
    await eventually(() => (processed(consumer, ping) ? true : undefined), 30_000, "health ping processed");
    const line = consumer.logs.find((l) => l.msg === `Consumed message: ok, offset: ${ping.offset}`);
    expect(line).toBeDefined();
    await eventually(() => committedPast(admin, ns, "health_group", ping), 30_000, "health commit");
  });

  it("shows what each group did on GET /status", async () => {
    const status = await readJson(await fetch(`${consumer.url}/status`));
    const orders = status.groups.find((g: { groupId: string }) => g.groupId === "orders_group");
    expect(orders.processed).toBeGreaterThanOrEqual(10);
    expect(orders.failed).toBe(0);
  });

  it("leaves the group cleanly on SIGTERM", async () => {
    expect(await consumer.stop("SIGTERM")).toBe(0);
    expect(consumer.logs.some((l) => l.msg === "consumer stopped")).toBe(true);
  });
});
