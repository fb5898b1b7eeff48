import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { useAdmin, useNamespace } from "../helpers/kafka.ts";
import { expectOrdersConsumed } from "../helpers/pair.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

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
    await expectOrdersConsumed({ producer, consumer, admin, ns });
  });
});
