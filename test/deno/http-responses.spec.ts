import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// The producer on Deno (Deno.serve + librdkafka through FFI): what a client sees, and that a
// rejected request leaves Kafka untouched.
describe("Deno producer: HTTP answers", () => {
  const ns = useNamespace();
  const topic = ns.topic("orders");
  let producer: Worker;
  let admin: AdminTransport;
  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix }, { runtime: "deno" });
  });

  it("runs on librdkafka through FFI and names the library it loaded", () => {
    expect(producer.logs.find((l) => l.msg === "producer listening")).toMatchObject({ transport: "rdkafka-ffi" });
    expect(producer.logs.find((l) => l.msg === "librdkafka loaded through Deno FFI")).toMatchObject({
      librdkafka: expect.stringMatching(/librdkafka/),
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it("answers 201 with the delivery report of a valid event, which is in Kafka", async () => {
    const before = await totalEndOffset(admin, topic);
    const res = await postJson(producer.url, "/topics/orders", anOrder());
    expect(res.status).toBe(201);
    const body = await readJson(res);
    expect(body).toMatchObject({
      topic: "orders",
      partition: expect.any(Number),
      offset: expect.stringMatching(/^\d+$/),
    });
    expect(await totalEndOffset(admin, topic)).toBe(before + 1n);
  });

  it("answers 422 naming each failing field, and produces nothing", async () => {
    const before = await totalEndOffset(admin, topic);
    const { currency: _omitted, ...order } = anOrder({ orderId: "not-a-uuid" });
    const res = await postJson(producer.url, "/topics/orders", {
      ...order,
      lines: [{ sku: "OK-123", quantity: 0, unitPriceCents: 5 }],
    });
    expect(res.status).toBe(422);
    const { error } = await readJson(res);
    expect(error.code).toBe("INVALID_EVENT");
    const paths = error.issues.map((issue: { path: string }) => issue.path).sort();
    expect(paths).toEqual(["currency", "lines.0.quantity", "orderId"]);
    expect(await totalEndOffset(admin, topic)).toBe(before);
  });

  it("answers 404 for a topic without a contract, and produces nothing", async () => {
    const before = await totalEndOffset(admin, topic);
    const res = await postJson(producer.url, "/topics/payments", anOrder());
    expect(res.status).toBe(404);
    expect((await readJson(res)).error.code).toBe("TOPIC_NOT_FOUND");
    expect(await totalEndOffset(admin, topic)).toBe(before);
  });

  it("keeps GET /kafka/health, answered from the delivery report", async () => {
    const res = await fetch(`${producer.url}/kafka/health`);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toMatchObject({ topic: "health", offset: expect.stringMatching(/^\d+$/) });
  });

  it("drains and exits 0 on SIGTERM", async () => {
    expect(await producer.stop("SIGTERM")).toBe(0);
    expect(producer.logs.some((l) => l.msg === "producer stopped")).toBe(true);
  });
});
