import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { readTopic } from "../helpers/records.ts";
import { startWorker } from "../helpers/workers.ts";

// How the producer answers when Kafka can't take a record, and what a shutdown keeps.
describe("producer under failure", () => {
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
  });

  // On Node's binding and on Deno's FFI adapter: the same librdkafka queue bound and delivery timeout.
  describe.each(["node", "deno"] as const)("when records can't be delivered (%s)", (runtime) => {
    const ns = useNamespace();

    it("answers 504 with the event id when delivery times out, and 503 with Retry-After when its queue is full", async () => {
      const producer = await startWorker(
        "producer",
        {
          KAFKA_NAMESPACE: ns.prefix,
          KAFKA_DELIVERY_TIMEOUT_MS: "3000",
          KAFKA_MAX_QUEUED_MESSAGES: "2",
        },
        { runtime },
      );
      // With its topic gone, records wait in the producer's queue until their delivery timeout.
      await admin.deleteTopics([ns.topic("orders")]);
      await eventually(
        async () => ((await admin.describeTopics([ns.topic("orders")])).size === 0 ? true : undefined),
        30_000,
        "the topic to be gone",
      );
      const responses = await Promise.all(
        ["k1", "k2", "k3", "k4"].map((key) =>
          postJson(producer.url, "/topics/orders", anOrder(), { "idempotency-key": key }).then(async (res) => ({
            key,
            status: res.status,
            retryAfter: res.headers.get("retry-after"),
            body: await readJson(res),
          })),
        ),
      );
      const timedOut = responses.filter((r) => r.status === 504);
      const refused = responses.filter((r) => r.status === 503);
      expect(timedOut).toHaveLength(2);
      expect(refused).toHaveLength(2);
      for (const r of timedOut) {
        expect(r.body).toMatchObject({ id: r.key, error: { code: "DELIVERY_TIMEOUT", retriable: true } });
      }
      for (const r of refused) {
        expect(r.retryAfter).toBe("1");
        expect(r.body.error.code).toBe("KAFKA_UNAVAILABLE");
      }
    });
  });

  describe("on SIGTERM with requests in flight", () => {
    const ns = useNamespace();

    it("drains: every acknowledged event is in Kafka, and it exits 0", async () => {
      const producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix });
      const acknowledged: string[] = [];
      const refused: number[] = [];
      let sent = 0;
      let exit: Promise<number | null> | undefined;
      // 20 clients posting until the producer is gone; SIGTERM once 100 answers are in (with 20
      // clients the count can pass 100 between two checks, hence >=).
      const client = async () => {
        while (sent < 2000) {
          sent++;
          const order = anOrder();
          try {
            const res = await postJson(producer.url, "/topics/orders", order);
            if (res.status === 201) acknowledged.push(order.orderId);
            else refused.push(res.status);
            await res.body?.cancel();
          } catch {
            return; // connection refused: the server has stopped accepting
          }
          if (acknowledged.length >= 100 && !exit) exit = producer.stop("SIGTERM");
        }
      };
      await Promise.all(Array.from({ length: 20 }, client));
      expect(await exit).toBe(0);
      expect(acknowledged.length).toBeGreaterThanOrEqual(100);
      expect(new Set(refused)).toEqual(new Set(refused.length ? [503] : []));

      const wanted = new Set(acknowledged);
      const records = await readTopic(ns.topic("orders"), {
        isolation: "read_committed",
        until: (seen) => seen.length >= wanted.size && acknowledged.every((id) => seen.some((r) => r.key === id)),
      });
      const found = new Set(records.map((r) => r.key));
      const lost = acknowledged.filter((id) => !found.has(id));
      expect(lost).toEqual([]);
    });
  });
});
