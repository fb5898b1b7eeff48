import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join("\n");
const TOKEN = "test-token-0123456789abcdef";

// What a client of the producer sees for batches, CloudEvents, idempotency and auth.
describe("producer API answers", () => {
  const ns = useNamespace();
  let producer: Worker;
  let guarded: Worker;
  beforeAll(async () => {
    [producer, guarded] = await Promise.all([
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix }),
      startWorker("producer", { KAFKA_NAMESPACE: ns.prefix, PRODUCER_API_TOKEN: TOKEN }),
    ]);
  });

  describe("batches", () => {
    it("answers 201 with one result per record, in request order", async () => {
      const orders = [anOrder(), anOrder(), anOrder()];
      const res = await postJson(producer.url, "/topics/orders", orders);
      expect(res.status).toBe(201);
      const body = await readJson(res);
      expect(body).toMatchObject({ topic: "orders", atomic: false, stored: 3, failed: 0 });
      expect(body.results.map((r: { index: number }) => r.index)).toEqual([0, 1, 2]);
      for (const r of body.results) expect(r).toMatchObject({ status: 201, offset: expect.stringMatching(/^\d+$/) });
    });

    it("answers 207 when some records are stored, each failure with its own error", async () => {
      const res = await postJson(producer.url, "/topics/orders", [
        anOrder(),
        { ...anOrder(), currency: "euro" },
        anOrder(),
      ]);
      expect(res.status).toBe(207);
      const body = await readJson(res);
      expect(body).toMatchObject({ stored: 2, failed: 1 });
      expect(body.results[1]).toMatchObject({ index: 1, status: 422, error: { code: "INVALID_EVENT" } });
      expect(body.results[1].error.issues.map((i: { path: string }) => i.path)).toEqual(["currency"]);
      expect(body.results[0].status).toBe(201);
      expect(body.results[2].status).toBe(201);
    });

    it("answers with the failures' status when nothing was stored", async () => {
      const res = await postJson(producer.url, "/topics/orders", [{ nope: 1 }, { ...anOrder(), lines: [] }]);
      expect(res.status).toBe(422);
      expect(await readJson(res)).toMatchObject({ stored: 0, failed: 2 });
    });

    it("answers 422 for an empty batch", async () => {
      const res = await postJson(producer.url, "/topics/orders", []);
      expect(res.status).toBe(422);
      expect((await readJson(res)).error).toMatchObject({ code: "INVALID_EVENT", message: "the batch is empty" });
    });

    it("accepts NDJSON, reporting a malformed line as that record's 400", async () => {
      const body = `${ndjson([anOrder()])}\n{"broken": \n${ndjson([anOrder()])}\n`;
      const res = await postJson(producer.url, "/topics/orders", body, { "content-type": "application/x-ndjson" });
      expect(res.status).toBe(207);
      const results = (await readJson(res)).results;
      expect(results.map((r: { status: number }) => r.status)).toEqual([201, 400, 201]);
      expect(results[1].error.code).toBe("MALFORMED_JSON");
    });
  });

  describe("atomic batches", () => {
    it("stores a valid atomic batch in one transaction: 201 for all", async () => {
      const res = await postJson(producer.url, "/topics/orders?atomic=true", [anOrder(), anOrder()]);
      expect(res.status).toBe(201);
      expect(await readJson(res)).toMatchObject({ atomic: true, stored: 2, failed: 0 });
    });

    it("stores nothing of an atomic batch with one invalid record", async () => {
      const res = await postJson(producer.url, "/topics/orders?atomic=true", [
        anOrder(),
        { ...anOrder(), orderId: "x" },
      ]);
      expect(res.status).toBe(422);
      const body = await readJson(res);
      expect(body).toMatchObject({ atomic: true, stored: 0, failed: 2 });
      expect(body.results[0]).toMatchObject({ status: 424, error: { code: "NOT_STORED" } });
      expect(body.results[1]).toMatchObject({ status: 422, error: { code: "INVALID_EVENT" } });
    });

    it("rejects an atomic flag that is not a boolean", async () => {
      const res = await postJson(producer.url, "/topics/orders?atomic=yes", [anOrder()]);
      expect(res.status).toBe(400);
      expect((await readJson(res)).error.code).toBe("INVALID_REQUEST");
    });
  });

  describe("Idempotency-Key", () => {
    it("replays the first answer for a retry with the same key", async () => {
      const order = anOrder();
      const headers = { "idempotency-key": `order-${order.orderId}` };
      const first = await postJson(producer.url, "/topics/orders", order, headers);
      const second = await postJson(producer.url, "/topics/orders", order, headers);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(first.headers.get("idempotent-replayed")).toBe("false");
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      const [a, b] = [await readJson(first), await readJson(second)];
      expect(b).toEqual(a);
      expect(a.id).toBe(`order-${order.orderId}`);
    });

    it("answers concurrent retries with the same stored record", async () => {
      const order = anOrder();
      const headers = { "idempotency-key": `concurrent-${order.orderId}` };
      const answers = await Promise.all(
        Array.from({ length: 5 }, () => postJson(producer.url, "/topics/orders", order, headers).then(readJson)),
      );
      expect(new Set(answers.map((a) => `${a.partition}/${a.offset}`)).size).toBe(1);
    });

    it("answers 409 when a key is reused with another body", async () => {
      const headers = { "idempotency-key": `reuse-${Date.now()}` };
      expect((await postJson(producer.url, "/topics/orders", anOrder(), headers)).status).toBe(201);
      const res = await postJson(producer.url, "/topics/orders", anOrder(), headers);
      expect(res.status).toBe(409);
      expect((await readJson(res)).error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    });
  });

  describe("CloudEvents input", () => {
    it("accepts binary mode: ce-* headers, the body is the data", async () => {
      const res = await postJson(producer.url, "/topics/orders", anOrder(), {
        "ce-specversion": "1.0",
        "ce-id": "evt-binary-1",
        "ce-source": "/checkout",
        "ce-type": "dev.kafka-pair.order.placed",
      });
      expect(res.status).toBe(201);
      expect((await readJson(res)).id).toBe("evt-binary-1");
    });

    it("accepts structured and batch mode", async () => {
      const event = (id: string) => ({
        specversion: "1.0",
        id,
        source: "/checkout",
        type: "dev.kafka-pair.order.placed",
        datacontenttype: "application/json",
        data: anOrder(),
      });
      const one = await postJson(producer.url, "/topics/orders", event("evt-structured-1"), {
        "content-type": "application/cloudevents+json",
      });
      expect(one.status).toBe(201);
      expect((await readJson(one)).id).toBe("evt-structured-1");
      const many = await postJson(producer.url, "/topics/orders", [event("evt-b-1"), event("evt-b-2")], {
        "content-type": "application/cloudevents-batch+json",
      });
      expect(many.status).toBe(201);
      expect((await readJson(many)).results.map((r: { id: string }) => r.id)).toEqual(["evt-b-1", "evt-b-2"]);
    });

    it("answers 422 for a CloudEvent without source, or of another type", async () => {
      const missing = await postJson(
        producer.url,
        "/topics/orders",
        { specversion: "1.0", id: "x", type: "dev.kafka-pair.order.placed", data: anOrder() },
        { "content-type": "application/cloudevents+json" },
      );
      expect(missing.status).toBe(422);
      expect((await readJson(missing)).error.issues[0].path).toBe("ce.source");
      const wrongType = await postJson(producer.url, "/topics/orders", anOrder(), {
        "ce-specversion": "1.0",
        "ce-id": "y",
        "ce-source": "/s",
        "ce-type": "com.example.other",
      });
      expect(wrongType.status).toBe(422);
      expect((await readJson(wrongType)).error.issues[0].path).toBe("ce.type");
    });
  });

  describe("limits and auth", () => {
    it("answers 413 for an event over the topic's size limit, and for an oversized body", async () => {
      // Valid by the schema (100 lines, a 4000-character note) but over the orders topic's 8 KiB.
      const lines = Array.from({ length: 100 }, (_, i) => ({
        sku: `SKU-${i}`.padEnd(32, "X"),
        quantity: 1,
        unitPriceCents: 1,
      }));
      const big = await postJson(producer.url, "/topics/orders", { ...anOrder(), lines, note: "n".repeat(4000) });
      expect(big.status).toBe(413);
      expect((await readJson(big)).error.code).toBe("PAYLOAD_TOO_LARGE");
      const huge = await postJson(producer.url, "/topics/orders", JSON.stringify({ pad: "x".repeat(6 * 1024 * 1024) }));
      expect(huge.status).toBe(413);
      expect((await readJson(huge)).error.code).toBe("PAYLOAD_TOO_LARGE");
    });

    it("answers 401 without the bearer token when one is configured", async () => {
      const none = await postJson(guarded.url, "/topics/orders", anOrder());
      expect(none.status).toBe(401);
      expect(none.headers.get("www-authenticate")).toContain("Bearer");
      expect((await readJson(none)).error.code).toBe("UNAUTHORIZED");
      const wrong = await postJson(guarded.url, "/topics/orders", anOrder(), {
        authorization: "Bearer nope-nope-nope-nope",
      });
      expect(wrong.status).toBe(401);
      expect((await fetch(`${guarded.url}/kafka/health`)).status).toBe(401);
      const right = await postJson(guarded.url, "/topics/orders", anOrder(), { authorization: `Bearer ${TOKEN}` });
      expect(right.status).toBe(201);
    });
  });

  describe("operations", () => {
    it("serves an OpenAPI document generated from the contracts", async () => {
      const doc = await readJson(await fetch(`${producer.url}/openapi.json`));
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/topics/orders", "/topics/health"]));
      const schema = doc.paths["/topics/orders"].post.requestBody.content["application/json"].schema.oneOf[0];
      expect(schema.required).toEqual(expect.arrayContaining(["orderId", "lines"]));
    });

    it("exposes Prometheus metrics for records and delivery latency", async () => {
      const text = await (await fetch(`${producer.url}/metrics`)).text();
      expect(text).toMatch(/producer_records_produced_total\{topic="orders"\} [1-9]/);
      expect(text).toMatch(/producer_delivery_latency_seconds_count\{topic="orders"\} [1-9]/);
      expect(text).toMatch(/producer_records_failed_total\{topic="orders",code="INVALID_EVENT"\} [1-9]/);
      expect(text).toContain("producer_queue_messages");
    });
  });
});
