import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { committedPast, expectOrdersConsumed, type Produced, processed } from "../helpers/pair.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

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
    await expectOrdersConsumed({ producer, consumer, admin, ns });
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
