import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

// What a client of the producer sees: status codes and bodies.
describe("producer HTTP answers", () => {
  const ns = useNamespace();
  let producer: Worker;
  beforeAll(async () => {
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix });
  });

  it("answers 201 with the delivery report of a valid event", async () => {
    const res = await postJson(producer.url, "/topics/orders", anOrder());
    expect(res.status).toBe(201);
    const body = await readJson(res);
    expect(body).toEqual({
      id: expect.any(String),
      topic: "orders",
      partition: expect.any(Number),
      offset: expect.stringMatching(/^\d+$/),
      timestamp: expect.any(Number),
    });
    expect(body.partition).toBeGreaterThanOrEqual(0);
    expect(body.partition).toBeLessThan(3);
  });

  it("answers 422 naming each failing field", async () => {
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
  });

  it("answers 422 for a field the contract does not know", async () => {
    const res = await postJson(producer.url, "/topics/orders", { ...anOrder(), discount: 10 });
    expect(res.status).toBe(422);
    const { error } = await readJson(res);
    expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual(["discount"]);
  });

  it("answers 404 for a topic without a contract", async () => {
    const res = await postJson(producer.url, "/topics/payments", anOrder());
    expect(res.status).toBe(404);
    expect((await readJson(res)).error.code).toBe("TOPIC_NOT_FOUND");
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await postJson(producer.url, "/topics/orders", '{"orderId": ');
    expect(res.status).toBe(400);
    expect((await readJson(res)).error.code).toBe("MALFORMED_JSON");
  });

  it("answers 415 for a body that is not JSON", async () => {
    const res = await postJson(producer.url, "/topics/orders", "orderId=1", { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect((await readJson(res)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("keeps the tutorial's GET /kafka/health, answered from the delivery report", async () => {
    const res = await fetch(`${producer.url}/kafka/health`);
    expect(res.status).toBe(200);
    expect(await readJson(res)).toMatchObject({ topic: "health", offset: expect.stringMatching(/^\d+$/) });
  });

  it("reports itself healthy and ready", async () => {
    expect((await fetch(`${producer.url}/health`)).status).toBe(200);
    const ready = await fetch(`${producer.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, producer: "connected" });
  });
});
