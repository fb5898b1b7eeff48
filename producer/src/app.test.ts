import { contracts } from "@kafka-pair/shared/contracts";
import { createLogger, namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { anOrder, type MemoryTransport, memoryTransport } from "@kafka-pair/shared/testing";
import { describe, expect, it } from "vitest";
import { createProducerApp } from "./app.ts";
import { MemoryIdempotencyStore } from "./idempotency.ts";
import { createProducerMetrics } from "./metrics.ts";

// The producer's status rules through app.request(), on the in-memory cluster: what each
// request answers, and what reached the topic (nothing, for everything that is not a 201).

const order = anOrder;
const invalid = (n: number) => anOrder(n, { currency: "euro" });

interface Options {
  apiToken?: string;
  connected?: boolean;
}

async function producerApp(options: Options = {}) {
  const transport: MemoryTransport = memoryTransport();
  const logger = createLogger("test", "silent");
  const ns = namespace("");
  await provisionTopics(transport, contracts, ns, logger);
  const producer = transport.producer();
  if (options.connected !== false) await producer.connect();
  const state = { draining: false };
  const app = createProducerApp({
    producer,
    logger,
    namespace: ns,
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 100, windowMs: 60_000 }),
    apiToken: options.apiToken,
    eventSource: "/test",
    maxBodyBytes: 64 * 1024,
    isDraining: () => state.draining,
  });
  const post = (body: unknown, headers: Record<string, string> = {}, query = "") =>
    app.request(`/topics/orders${query}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  /** Records on the orders topic, all partitions. */
  const stored = async () => {
    const ends = await transport.admin().endOffsets("orders", "read_uncommitted");
    return [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  };
  return { app, post, stored, state, cluster: transport.cluster, producer };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on, not trusted
const json = (res: Response): Promise<any> => res.json();

describe("POST /topics/:topic status rules", () => {
  it("201 with Kafka's coordinates for one stored event", async () => {
    const { post, stored } = await producerApp();
    const res = await post(order(1));
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ topic: "orders", offset: "0", id: expect.any(String) });
    expect(res.headers.get("retry-after")).toBeNull();
    expect(await stored()).toBe(1);
  });

  it("201 for a batch stored in full", async () => {
    const { post, stored } = await producerApp();
    const res = await post([order(1), order(2)]);
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ atomic: false, stored: 2, failed: 0 });
    expect(await stored()).toBe(2);
  });

  it("207 when some of a batch were stored, with each record's own status", async () => {
    const { post, stored } = await producerApp();
    const res = await post([order(1), invalid(2)]);
    expect(res.status).toBe(207);
    const body = await json(res);
    expect(body).toMatchObject({ stored: 1, failed: 1 });
    expect(body.results.map((r: { status: number }) => r.status)).toEqual([201, 422]);
    expect(body.results[1].error.code).toBe("INVALID_EVENT");
    expect(await stored()).toBe(1);
  });

  it("422 INVALID_EVENT naming the field, and nothing produced", async () => {
    const { post, stored } = await producerApp();
    const res = await post(invalid(1));
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: "INVALID_EVENT", retriable: false });
    expect(body.error.issues[0].path).toBe("currency");
    expect(await stored()).toBe(0);
  });

  it("422 INVALID_EVENT for an empty batch", async () => {
    const { post, stored } = await producerApp();
    const res = await post([]);
    expect(res.status).toBe(422);
    expect((await json(res)).error.code).toBe("INVALID_EVENT");
    expect(await stored()).toBe(0);
  });

  it("422 for a batch where every record is invalid", async () => {
    const { post } = await producerApp();
    const res = await post([invalid(1), invalid(2)]);
    expect(res.status).toBe(422);
    expect((await json(res)).stored).toBe(0);
  });

  it("424 NOT_STORED for the valid records of an atomic batch with an invalid one", async () => {
    const { post, stored } = await producerApp();
    const res = await post([order(1), invalid(2)], {}, "?atomic=true");
    expect(res.status).toBe(422);
    const body = await json(res);
    expect(body).toMatchObject({ atomic: true, stored: 0, failed: 2 });
    expect(body.results.map((r: { status: number }) => r.status)).toEqual([424, 422]);
    expect(body.results[0].error.code).toBe("NOT_STORED");
    expect(await stored()).toBe(0);
  });

  it("201 for an atomic batch committed in one transaction", async () => {
    const { post, stored } = await producerApp();
    const res = await post([order(1), order(2)], {}, "?atomic=true");
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ atomic: true, stored: 2, failed: 0 });
    // Two records plus the commit markers.
    expect(await stored()).toBeGreaterThanOrEqual(2);
  });

  it("502 TRANSACTION_ABORTED when the transaction fails, every record answered", async () => {
    const { post, cluster } = await producerApp();
    cluster.inject({ at: "send", kind: "error", topic: "orders" });
    const res = await post([order(1), order(2)], {}, "?atomic=true");
    expect(res.status).toBe(502);
    const body = await json(res);
    expect(body).toMatchObject({ stored: 0, failed: 2, error: { code: "DELIVERY_FAILED" } });
    expect(res.headers.get("retry-after")).toBe("1");
    expect(cluster.nextVisible({ topic: "orders", partition: 0 }, 0n)).toBeUndefined();
  });

  it("409 IDEMPOTENCY_KEY_REUSED for a key sent with another body; a replay answers the first result", async () => {
    const { post, stored } = await producerApp();
    const first = await post(order(1), { "idempotency-key": "k-1" });
    expect(first.status).toBe(201);
    const again = await post(order(1), { "idempotency-key": "k-1" });
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await json(again)).toEqual(await json(first));
    const other = await post(order(2), { "idempotency-key": "k-1" });
    expect(other.status).toBe(409);
    expect((await json(other)).error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await stored()).toBe(1);
  });

  it("400 for a malformed Idempotency-Key or atomic flag, 404 for an unknown topic", async () => {
    const { post, app } = await producerApp();
    expect((await post(order(1), { "idempotency-key": "with space" })).status).toBe(400);
    const atomic = await post(order(1), {}, "?atomic=yes");
    expect(atomic.status).toBe(400);
    expect((await json(atomic)).error.code).toBe("INVALID_REQUEST");
    const unknown = await app.request("/topics/nope", { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).error.code).toBe("TOPIC_NOT_FOUND");
  });

  it("401 without the bearer token, with WWW-Authenticate; 201 with it", async () => {
    const { post, stored } = await producerApp({ apiToken: "s3cret" });
    const missing = await post(order(1));
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await json(missing)).error.code).toBe("UNAUTHORIZED");
    expect((await post(order(1), { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await post(order(1), { authorization: "Bearer s3cret" })).status).toBe(201);
    expect(await stored()).toBe(1);
  });

  it("503 KAFKA_UNAVAILABLE with Retry-After when the local queue is full", async () => {
    const { post, cluster, stored } = await producerApp();
    cluster.inject({ at: "send", kind: "queue-full" });
    const res = await post(order(1));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const body = await json(res);
    expect(body.error).toMatchObject({ code: "KAFKA_UNAVAILABLE", retriable: true });
    expect(body.id).toEqual(expect.any(String));
    expect(await stored()).toBe(0);
  });

  it("503 KAFKA_UNAVAILABLE with Retry-After before the producer is ready", async () => {
    const { post, app } = await producerApp({ connected: false });
    const res = await post(order(1));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await json(res)).error.code).toBe("KAFKA_UNAVAILABLE");
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(await json(ready)).toMatchObject({ ready: false, producer: "unavailable" });
  });

  it("503 SHUTTING_DOWN with Retry-After while draining, and /ready says so", async () => {
    const { post, state, app, stored } = await producerApp();
    expect((await app.request("/ready")).status).toBe(200);
    state.draining = true;
    const res = await post(order(1));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await json(res)).error.code).toBe("SHUTTING_DOWN");
    const ready = await app.request("/ready");
    expect(ready.status).toBe(503);
    expect(await json(ready)).toMatchObject({ ready: false, draining: true, producer: "connected" });
    expect(await stored()).toBe(0);
  });

  it("504 DELIVERY_TIMEOUT for a record whose delivery timed out", async () => {
    const { post, cluster } = await producerApp();
    cluster.inject({ at: "send", kind: "delivery-timeout" });
    const res = await post(order(1));
    expect(res.status).toBe(504);
    expect((await json(res)).error).toMatchObject({ code: "DELIVERY_TIMEOUT", retriable: true });
  });

  it("503 for a batch whose records all failed on Kafka's side, mixed causes", async () => {
    const { post, cluster } = await producerApp();
    cluster.inject({ at: "send", kind: "queue-full" });
    cluster.inject({ at: "send", kind: "delivery-timeout" });
    const res = await post([order(1), order(2)]);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    const statuses = (await json(res)).results.map((r: { status: number }) => r.status).sort();
    expect(statuses).toEqual([503, 504]);
  });

  it("keys records by orderId: the same order always lands on one partition", async () => {
    const { post } = await producerApp();
    const a = await json(await post(order(7)));
    const b = await json(await post(order(7)));
    expect(b.partition).toBe(a.partition);
    expect(BigInt(b.offset)).toBe(BigInt(a.offset) + 1n);
  });
});

describe("POST /topics/:topic details", () => {
  it("422 for a batch that failed on both sides (invalid and queue full): the client's part comes first", async () => {
    const { post, cluster } = await producerApp();
    cluster.inject({ at: "send", kind: "queue-full" });
    const res = await post([invalid(1), order(2)]);
    expect(res.status).toBe(422);
    expect((await json(res)).results.map((r: { status: number }) => r.status)).toEqual([422, 503]);
  });

  it("names each batch record <key>-<index> under an Idempotency-Key, and says it was not replayed", async () => {
    const { post } = await producerApp();
    const res = await post([order(1), order(2)], { "idempotency-key": "batch-1" });
    expect(res.headers.get("idempotent-replayed")).toBe("false");
    expect((await json(res)).results.map((r: { id: string }) => r.id)).toEqual(["batch-1-0", "batch-1-1"]);
    const single = await post(order(3));
    expect(single.headers.get("idempotent-replayed")).toBeNull();
  });

  it("takes atomic=false as a plain batch, and answers each atomic record with its id", async () => {
    const { post } = await producerApp();
    const plain = await post([order(1)], {}, "?atomic=false");
    expect(plain.status).toBe(201);
    expect((await json(plain)).atomic).toBe(false);
    const atomic = await json(await post([order(1), order(2)], { "idempotency-key": "a" }, "?atomic=true"));
    expect(atomic.results.map((r: { index: number; status: number; id: string }) => [r.index, r.status, r.id])).toEqual(
      [
        [0, 201, "a-0"],
        [1, 201, "a-1"],
      ],
    );
  });

  it("accepts the bearer token after any whitespace, nothing around it", async () => {
    const { post } = await producerApp({ apiToken: "s3cret-token-0123" });
    expect((await post(order(1), { authorization: "Bearer   s3cret-token-0123" })).status).toBe(201);
    expect((await post(order(1), { authorization: "bearer s3cret-token-0123" })).status).toBe(201);
    expect((await post(order(1), { authorization: "Bearer s3cret-token-0123 x" })).status).toBe(401);
    expect((await post(order(1), { authorization: "xBearer s3cret-token-0123" })).status).toBe(401);
    expect((await post(order(1), { authorization: "Bearers3cret-token-0123" })).status).toBe(401);
  });

  it("answers GET /kafka/health with the delivery error when the ping cannot be stored", async () => {
    const { app, cluster } = await producerApp();
    cluster.inject({ at: "send", kind: "delivery-timeout", topic: "health" });
    const res = await app.request("/kafka/health");
    expect(res.status).toBe(504);
    expect((await json(res)).error.code).toBe("DELIVERY_TIMEOUT");
  });
});

describe("producer app: failures and counters", () => {
  it("501 FEATURE_UNAVAILABLE for an atomic batch on a client without transactions, nothing produced", async () => {
    const { post, producer, stored } = await producerApp();
    (producer as { transaction?: unknown }).transaction = undefined;
    const res = await post([order(1), order(2)], {}, "?atomic=true");
    expect(res.status).toBe(501);
    expect((await json(res)).error.code).toBe("FEATURE_UNAVAILABLE");
    expect(await stored()).toBe(0);
  });

  it("500 INTERNAL without the cause for a bug, and counts every answer by route and status", async () => {
    const { app, post, producer } = await producerApp();
    await post(order(1));
    producer.isReady = () => {
      throw new TypeError("secret detail");
    };
    const res = await post(order(2));
    expect(res.status).toBe(500);
    expect(await json(res)).toEqual({ error: { code: "INTERNAL", message: "internal error", retriable: false } });
    expect(res.headers.get("retry-after")).toBeNull();
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('producer_http_requests_total{method="POST",route="/topics/:topic",status="201"} 1');
    expect(metrics).toContain('producer_http_requests_total{method="POST",route="/topics/:topic",status="500"} 1');
  });

  it("counts produced and failed records per topic and code, a failed transaction once per record", async () => {
    const { app, post, cluster } = await producerApp();
    await post([order(1), order(2)]);
    await post([order(3), invalid(4)]);
    cluster.inject({ at: "send", kind: "error" });
    await post([order(5), order(6), order(7)], {}, "?atomic=true");
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('producer_records_produced_total{topic="orders"} 3');
    expect(metrics).toContain('producer_records_failed_total{topic="orders",code="INVALID_EVENT"} 1');
    expect(metrics).toContain('producer_records_failed_total{topic="orders",code="DELIVERY_FAILED"} 3');
    expect(metrics).toMatch(/producer_delivery_latency_seconds_count\{topic="orders"\} 3/);
  });

  it("413 from Content-Length alone, before reading the body", async () => {
    const { app } = await producerApp();
    const res = await app.request("/topics/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(64 * 1024 + 1) },
      body: "{}",
    });
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("producer app: other routes", () => {
  it("404 NOT_FOUND as JSON for an unknown route, /health up, /metrics in Prometheus format", async () => {
    const { app, post } = await producerApp();
    const missing = await app.request("/nope");
    expect(missing.status).toBe(404);
    expect((await json(missing)).error.code).toBe("NOT_FOUND");
    expect(await json(await app.request("/health"))).toEqual({ status: "up" });
    await post(order(1));
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*status="201"/);
  });

  it("GET /kafka/health sends ok to the health topic", async () => {
    const { app } = await producerApp();
    const res = await app.request("/kafka/health");
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ message: "sent ok to health", topic: "health" });
  });
});

describe("I-JSON at the edge (RFC 7493)", () => {
  it("400 NOT_I_JSON for a member name given twice, naming it, and nothing stored", async () => {
    const { post, stored } = await producerApp();
    const text = JSON.stringify(order(1)).replace(/^\{/, '{"orderId":"5b0c5a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f",');
    const res = await post(text);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("NOT_I_JSON");
    expect(body.error.issues).toEqual([{ path: "orderId", message: expect.stringMatching(/appears twice/) }]);
    expect(await stored()).toBe(0);
  });

  it("400 for a duplicate inside a line, and for a lone surrogate in a string", async () => {
    const { post, stored } = await producerApp();
    const line = '{"sku":"BOOK-1","quantity":1,"quantity":2,"unitPriceCents":1}';
    const nested = JSON.stringify({ ...order(1), lines: [] }).replace('"lines":[]', `"lines":[${line}]`);
    expect((await json(await post(nested))).error.issues[0].path).toBe("lines.0.quantity");
    const surrogate = JSON.stringify(order(1, { note: "X" })).replace('"note":"X"', '"note":"\\ud800"');
    const res = await post(surrogate);
    expect(res.status).toBe(400);
    expect((await json(res)).error.issues[0].path).toBe("note");
    expect(await stored()).toBe(0);
  });

  it("422 for an unknown member of a nested contract object, as at the top level", async () => {
    const { post, stored } = await producerApp();
    const base = order(1);
    const res = await post({ ...base, lines: [{ ...base.lines[0], discount: 5 }] });
    expect(res.status).toBe(422);
    expect((await json(res)).error.issues.map((i: { path: string }) => i.path)).toEqual(["lines.0.discount"]);
    expect(await stored()).toBe(0);
  });

  it("NDJSON: the line with a duplicate is refused, the others stored", async () => {
    const { app, stored } = await producerApp();
    const good = JSON.stringify(order(1));
    const bad = JSON.stringify(order(2)).replace(/^\{/, '{"currency":"USD",');
    const res = await app.request("/topics/orders", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${good}\n${bad}\n`,
    });
    const body = await json(res);
    expect(res.status).toBe(207);
    expect(body.results.map((r: { status: number }) => r.status)).toEqual([201, 400]);
    expect(await stored()).toBe(1);
  });
});
