import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";
import { committedPast, type Produced, processed } from "./pair.ts";

// One cluster, two runtimes: the Node producer (librdkafka) feeds the Deno consumer
// (@platformatic/kafka); the topics and the contracts are the only thing they share.
describe("mixed pair: Node producer, Deno consumer", () => {
  const ns = useNamespace();
  let producer: Worker;
  let consumer: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    [producer, consumer] = await Promise.all([
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix }, { runtime: "node" }),
      startWorker("consumer", { KAFKA_NAMESPACE: ns.prefix }, { runtime: "deno" }),
    ]);
  });

  it("runs each worker on its own client", () => {
    expect(producer.logs.find((l) => l.msg === "producer listening")?.transport).not.toBe("platformatic");
    expect(consumer.logs.find((l) => l.msg === "consumer listening")).toMatchObject({ transport: "platformatic" });
  });

  it("has the Deno consumer process and commit every order the Node producer stored", async () => {
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
});
