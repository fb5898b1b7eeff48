import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { fakeEdge } from "./testing/fake-producer.ts";

// Issue 14's findings, each through app.request() on a fake producer: no server, no Kafka.

const order = () => ({
  orderId: crypto.randomUUID(),
  customerId: "c-1",
  currency: "EUR",
  lines: [{ sku: "BOOK-1", quantity: 2, unitPriceCents: 1299 }],
  placedAt: "2026-11-24T10:00:00Z",
});

const utf8 = (text: string) => new TextEncoder().encode(text);
/** A JSON text with one byte that is not UTF-8 (0xff) inside a string. */
function withBadByte(text: string, marker = "c-1"): Uint8Array {
  const bytes = utf8(text);
  const at = text.indexOf(marker);
  bytes[at] = 0xff;
  return bytes;
}

async function issuePaths(res: Response): Promise<string[]> {
  const body = (await res.json()) as { error: { issues?: Array<{ path: string }> } };
  return (body.error.issues ?? []).map((i) => i.path);
}

function post(
  app: ReturnType<typeof fakeEdge>["app"],
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string>,
) {
  return app.request(path, { method: "POST", body, headers });
}

describe("bad input is refused before anything reaches Kafka", () => {
  it.each([
    ["application/json", (t: string) => t],
    ["application/x-ndjson", (t: string) => `${t}\n`],
    ["application/cloudevents+json", (t: string) => JSON.stringify({ ...ce(), data: JSON.parse(t) })],
  ])("invalid UTF-8 in a %s string is 400", async (type, wrap) => {
    const { app, producer } = fakeEdge();
    const res = await post(app, "/topics/orders", withBadByte(wrap(JSON.stringify(order()))), { "content-type": type });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: "MALFORMED_JSON", message: expect.stringMatching(/UTF-8/) },
    });
    expect(producer.records).toHaveLength(0);
  });

  it("refuses a Content-Encoding it does not decode with 415, gzip or not", async () => {
    const { app, producer } = fakeEdge();
    const text = JSON.stringify(order());
    for (const [body, encoding] of [
      [gzipSync(text), "gzip"],
      [text, "gzip"],
      [text, "br"],
    ] as const) {
      const res = await post(app, "/topics/orders", body, {
        "content-type": "application/json",
        "content-encoding": encoding,
      });
      expect(res.status).toBe(415);
      expect(await res.json()).toMatchObject({ error: { code: "UNSUPPORTED_MEDIA_TYPE" } });
    }
    expect(producer.records).toHaveLength(0);
    const identity = await post(app, "/topics/orders", text, {
      "content-type": "application/json",
      "content-encoding": "identity",
    });
    expect(identity.status).toBe(201);
  });

  it("refuses a repeated or unknown query parameter with 400", async () => {
    const { app, producer } = fakeEdge();
    const batch = JSON.stringify([order(), { not: "an order" }]);
    for (const query of ["atomic=false&atomic=true", "atomic=true&atomic=true", "atomc=true"]) {
      const res = await post(app, `/topics/orders?${query}`, batch, { "content-type": "application/json" });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "INVALID_REQUEST" } });
    }
    expect(producer.records).toHaveLength(0);
  });
});

describe("HEAD never reaches a route with side effects", () => {
  it("HEAD /kafka/health is 405 with Allow: GET and writes nothing", async () => {
    const { app, producer } = fakeEdge();
    for (let i = 0; i < 3; i++) {
      const res = await app.request("/kafka/health", { method: "HEAD" });
      expect(res.status).toBe(405);
      expect(res.headers.get("allow")).toBe("GET");
    }
    expect(producer.records).toHaveLength(0);
    expect((await app.request("/kafka/health")).status).toBe(200);
    expect(producer.records).toHaveLength(1);
  });

  it("HEAD on a read-only route answers like GET", async () => {
    const { app } = fakeEdge();
    expect((await app.request("/health", { method: "HEAD" })).status).toBe(200);
  });

  it("a wrong method on a known path is 405 with Allow and the JSON error model", async () => {
    const { app } = fakeEdge();
    for (const [method, path, allow] of [
      ["GET", "/topics/orders", "POST"],
      ["PUT", "/topics/orders", "POST"],
      ["DELETE", "/health", "GET, HEAD"],
      ["POST", "/kafka/health", "GET"],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(await res.json()).toMatchObject({ error: { code: "METHOD_NOT_ALLOWED" } });
    }
  });
});

describe("a client's own abort", () => {
  it("is counted as 499, not 500, and logged below error", async () => {
    const { app, deps, logs } = fakeEdge();
    const abort = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(utf8('{"orderId":'));
      },
      pull(controller) {
        // The socket closed mid-body: the request is aborted and its body stream errors.
        abort.abort();
        controller.error(new Error("aborted"));
      },
    });
    await app.request("/topics/orders", {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
      signal: abort.signal,
      duplex: "half",
    } as RequestInit);
    const metrics = await deps.metrics.registry.getSingleMetricAsString("producer_http_requests_total");
    expect(metrics).toMatch(/status="499"/);
    expect(metrics).not.toMatch(/status="500"/);
    expect(logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });
});

describe("numbers and dates mean what they say", () => {
  it.each([
    ["an unsafe integer", '"unitPriceCents":12345678901234567891', "lines.0.unitPriceCents"],
    ["1e300", '"unitPriceCents":1e300', "lines.0.unitPriceCents"],
    ["a quantity past the bound", '"quantity":1e6', "lines.0.quantity"],
  ])("refuses %s", async (_, field, path) => {
    const { app, producer } = fakeEdge();
    // The number as the client wrote it: JSON.parse is where precision would be lost.
    const name = field.split(":")[0] as string;
    const body = JSON.stringify(order()).replace(new RegExp(`${name}:\\d+`), field);
    expect(body).toContain(field);
    const res = await post(app, "/topics/orders", body, { "content-type": "application/json" });
    expect(res.status).toBe(422);
    expect(await issuePaths(res)).toContain(path);
    expect(producer.records).toHaveLength(0);
  });

  it("refuses a date that is not on the calendar", async () => {
    const { app } = fakeEdge();
    for (const placedAt of ["2026-02-30T10:00:00Z", "2026-13-01T10:00:00Z", "2025-02-29T00:00:00Z"]) {
      const res = await post(app, "/topics/orders", JSON.stringify({ ...order(), placedAt }), {
        "content-type": "application/json",
      });
      expect(res.status, placedAt).toBe(422);
    }
    const leap = await post(app, "/topics/orders", JSON.stringify({ ...order(), placedAt: "2028-02-29T10:00:00Z" }), {
      "content-type": "application/json",
    });
    expect(leap.status).toBe(201);
  });
});

function ce(overrides: Record<string, unknown> = {}) {
  return {
    specversion: "1.0",
    id: `e-${crypto.randomUUID()}`,
    source: "/client",
    type: "dev.kafka-pair.order.placed",
    ...overrides,
  };
}

describe("CloudEvents 1.0", () => {
  const structured = { "content-type": "application/cloudevents+json" };

  it("requires id, source, type and specversion in structured mode", async () => {
    const { app, producer } = fakeEdge();
    for (const missing of ["id", "source", "type", "specversion"]) {
      const event: Record<string, unknown> = { ...ce(), data: order() };
      delete event[missing];
      const res = await post(app, "/topics/orders", JSON.stringify(event), structured);
      expect(res.status, missing).toBe(422);
      expect(await issuePaths(res)).toContain(`ce.${missing}`);
    }
    expect(producer.records).toHaveLength(0);
  });

  it("refuses a specversion other than 1.0 instead of relabelling it", async () => {
    const { app, producer } = fakeEdge();
    const res = await post(
      app,
      "/topics/orders",
      JSON.stringify({ ...ce({ specversion: "0.3" }), data: order() }),
      structured,
    );
    expect(res.status).toBe(422);
    expect(producer.records).toHaveLength(0);
  });

  it("refuses extension names the spec does not allow", async () => {
    const { app, producer } = fakeEdge();
    const res = await post(
      app,
      "/topics/orders",
      JSON.stringify({ ...ce({ Bad_Name: "x" }), data: order() }),
      structured,
    );
    expect(res.status).toBe(422);
    expect(producer.records).toHaveLength(0);
  });

  it("accepts data_base64", async () => {
    const { app, producer } = fakeEdge();
    const data = order();
    const event = {
      ...ce(),
      datacontenttype: "application/json",
      data_base64: Buffer.from(JSON.stringify(data)).toString("base64"),
    };
    const res = await post(app, "/topics/orders", JSON.stringify(event), structured);
    expect(res.status).toBe(201);
    expect(JSON.parse(new TextDecoder().decode(producer.records[0]?.value))).toEqual(data);
  });

  it("refuses data together with data_base64", async () => {
    const { app } = fakeEdge();
    const event = { ...ce(), data: order(), data_base64: "e30=" };
    expect((await post(app, "/topics/orders", JSON.stringify(event), structured)).status).toBe(422);
  });

  it("carries traceparent and tracestate whole", async () => {
    const { app, producer } = fakeEdge();
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const res = await post(app, "/topics/orders", JSON.stringify(order()), {
      "content-type": "application/json",
      traceparent,
      tracestate: "vendor=abc,other=1",
    });
    expect(res.status).toBe(201);
    expect(producer.records[0]?.headers).toMatchObject({ traceparent, tracestate: "vendor=abc,other=1" });
  });

  it("starts a traceparent at the edge when none came in", async () => {
    const { app, producer } = fakeEdge();
    await post(app, "/topics/orders", JSON.stringify(order()), { "content-type": "application/json" });
    await post(app, "/topics/orders", JSON.stringify(order()), {
      "content-type": "application/json",
      traceparent: "junk",
    });
    const [a, b] = producer.records.map((r) => r.headers?.traceparent);
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(b).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(a).not.toBe(b);
  });

  it("never lets an Idempotency-Key replace a client's ce-id", async () => {
    const { app, producer } = fakeEdge();
    const res = await post(app, "/topics/orders", JSON.stringify(order()), {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": "client-id-1",
      "ce-source": "/client",
      "ce-type": "dev.kafka-pair.order.placed",
      "idempotency-key": "key-1",
    });
    expect(res.status).toBe(201);
    expect(producer.records[0]?.headers?.ce_id).toBe("client-id-1");
    expect(((await res.json()) as { id: string }).id).toBe("client-id-1");
  });
});

describe("idempotency", () => {
  it("treats the same JSON with other whitespace and key order as the same request", async () => {
    const { app, producer } = fakeEdge();
    const body = order();
    const headers = { "content-type": "application/json", "idempotency-key": "same-1" };
    const first = await post(app, "/topics/orders", JSON.stringify(body), headers);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const second = await post(app, "/topics/orders", JSON.stringify(reordered, null, 2), headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(producer.records).toHaveLength(1);
    const other = await post(app, "/topics/orders", JSON.stringify({ ...body, customerId: "c-2" }), headers);
    expect(other.status).toBe(409);
  });
});
