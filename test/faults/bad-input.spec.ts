import { request } from "node:http";
import { contracts } from "@kafka-pair/shared/contracts";
import { declaredTopics } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder } from "../helpers/events.ts";
import { totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";
import { countBy, reportFigures, rssMiB } from "./helpers.ts";

/** A request the producer must refuse: where it goes, and what it carries. */
interface BadRequest {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
}

const json = { "content-type": "application/json" };
const MAX_BODY = 5 * 1024 * 1024;

const notJson = fc.string({ maxLength: 300 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});

// An order with one field replaced by a value of the wrong type, or an unknown field added.
const brokenOrder = fc
  .record({
    field: fc.constantFrom("orderId", "customerId", "currency", "lines", "placedAt", "note", "unknownField"),
    value: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.object({ maxDepth: 2 })),
  })
  .map(({ field, value }) => ({ ...anOrder(), [field]: value }));

const requests: fc.Arbitrary<BadRequest> = fc.oneof(
  notJson.map((body) => ({ kind: "malformed JSON", path: "/topics/orders", headers: json, body })),
  // Any JSON that is not an order: scalars, objects, arrays of them (a batch of invalid events).
  fc
    .jsonValue({ maxDepth: 4 })
    .map((v) => ({ kind: "wrong types", path: "/topics/orders", headers: json, body: JSON.stringify(v) })),
  brokenOrder.map((o) => ({ kind: "wrong field", path: "/topics/orders", headers: json, body: JSON.stringify(o) })),
  fc.record({ depth: fc.integer({ min: 1_000, max: 200_000 }), array: fc.boolean() }).map(({ depth, array }) => ({
    kind: "deeply nested",
    path: "/topics/orders",
    headers: json,
    body: array ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
  })),
  // Not I-JSON: a member name twice (at the top or inside a line), or a lone surrogate escape.
  fc
    .record({ name: fc.constantFrom("orderId", "currency", "lines.0.sku"), surrogate: fc.boolean() })
    .map(({ name, surrogate }) => {
      const order = JSON.stringify(anOrder());
      const body = surrogate
        ? order.replace(/"customerId":"[^"]*"/, '"customerId":"c\\udc00"')
        : name === "lines.0.sku"
          ? order.replace('"sku":', '"sku":"DUP-1","sku":')
          : order.replace(/^\{/, `{"${name}":"first",`);
      return { kind: "not I-JSON", path: "/topics/orders", headers: json, body };
    }),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => ({
    kind: "invalid UTF-8",
    path: "/topics/orders",
    headers: json,
    // 0xC3 0x28 and a lone 0xFF are never valid UTF-8, wherever they sit.
    body: new Uint8Array([0x7b, 0xc3, 0x28, ...bytes, 0xff, 0x7d]),
  })),
  fc
    .constantFrom(
      "text/plain",
      "application/xml",
      "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded",
      "application/jsonx",
      "json",
      "",
      "application/octet-stream",
    )
    .map((type) => ({
      kind: "wrong content type",
      path: "/topics/orders",
      headers: { "content-type": type },
      body: JSON.stringify(anOrder()),
    })),
  fc
    .oneof(
      fc
        .constantFrom(" spaced key", "", "x".repeat(201), "caf\u00e9-key", "tab\tkey")
        .map((k) => ({ "idempotency-key": k })),
      fc.constantFrom("0.3", "2.0", "garbage", "").map((v) => ({ "ce-specversion": v })),
    )
    .map((extra) => ({
      kind: "header injection",
      path: "/topics/orders",
      headers: { ...json, ...extra },
      body: JSON.stringify(anOrder()),
    })),
  fc
    .string({ minLength: 1, maxLength: 60 })
    .filter((t) => !["orders", "health"].includes(t))
    .map((t) => ({
      kind: "unknown topic",
      path: `/topics/${encodeURIComponent(t)}`,
      headers: json,
      body: JSON.stringify(anOrder()),
    })),
  fc
    .constantFrom(
      "/topics/orders.dlq",
      "/topics/ORDERS",
      "/topics/orders%00",
      "/topics/orders%2F..%2Fhealth",
      "/topics/%2e%2e",
      "/topics/orders/",
      "/topics/orders/x",
      "/topics/__consumer_offsets",
      "/topics/__transaction_state",
      "/topics/orders?atomic=yes",
      "/topics/orders?atomic=1",
      "/topic/orders",
      "/topics",
      "/topics/",
      "/topics/orders%20",
      "/topics/%20orders",
    )
    .map((path) => ({ kind: "path trick", path, headers: json, body: JSON.stringify(anOrder()) })),
);

/**
 * POST with node:http: a server may answer 413 and close before the client has sent the whole body,
 * which fetch reports as a failed request; here the answer wins over the broken pipe.
 */
function sendLarge(url: string, path: string, body: Buffer): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { ...json, "content-length": body.length } });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString();
        resolve({
          status: res.statusCode ?? 0,
          code: (JSON.parse(text) as { error?: { code?: unknown } }).error?.code,
        });
      });
    });
    const brokenPipe = (err: Error) => {
      const code = (err as NodeJS.ErrnoException).code;
      return code === "EPIPE" || code === "ECONNRESET";
    };
    req.on("error", (err) => {
      if (!brokenPipe(err)) reject(err);
    });
    // After the answer, the socket may be detached from the request: its late write error lands here.
    req.on("socket", (socket) =>
      socket.on("error", (err) => {
        if (!brokenPipe(err)) reject(err);
      }),
    );
    req.end(body);
  });
}

async function send(url: string, r: BadRequest): Promise<{ status: number; code: unknown }> {
  const res = await fetch(`${url}${r.path}`, { method: "POST", headers: r.headers, body: r.body });
  const text = await res.text();
  // One error for the request, or (a batch) one per record: either way every failure names its code.
  let code: unknown;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown }; results?: Array<{ error?: { code?: unknown } }> };
    const codes = body.error ? [body.error.code] : (body.results ?? []).map((r) => r.error?.code);
    if (codes.length > 0 && codes.every((c) => typeof c === "string" && c.length > 0)) code = codes[0];
  } catch {}
  return { status: res.status, code };
}

// Thousands of requests no producer should accept: each gets a 4xx naming the problem, nothing reaches Kafka.
describe("bad input fuzz", () => {
  const ns = useNamespace();
  let admin: AdminTransport;
  let producer: Worker;
  const topics = declaredTopics(contracts).map((t) => ns.topic(t.logicalName));
  const offsets = async () => Promise.all(topics.map((t) => totalEndOffset(admin, t)));

  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" });
  });

  it("answers every malformed request with a 4xx and a JSON error code, moves no offset, and stays up in bounded memory", {
    timeout: 300_000,
  }, async () => {
    const before = await offsets();
    const pid = producer.process.pid ?? 0;
    const rssBefore = rssMiB(pid);
    let rssPeak = rssBefore;
    const seen: Array<{ kind: string; status: number }> = [];
    await fc.assert(
      fc.asyncProperty(requests, async (r) => {
        const { status, code } = await send(producer.url, r);
        seen.push({ kind: r.kind, status });
        if (seen.length % 200 === 0) rssPeak = Math.max(rssPeak, rssMiB(pid));
        return status >= 400 && status < 500 && code !== undefined;
      }),
      { numRuns: 3_000 },
    );
    // A few bodies past the size limit, some of them far past it.
    for (const size of [MAX_BODY + 1, MAX_BODY * 2, MAX_BODY * 8]) {
      const { status, code } = await sendLarge(
        producer.url,
        "/topics/orders",
        Buffer.from(`[${'"x",'.repeat(Math.ceil(size / 4))}"x"]`),
      );
      seen.push({ kind: "huge", status });
      expect({ status, code }).toEqual({ status: 413, code: "PAYLOAD_TOO_LARGE" });
      rssPeak = Math.max(rssPeak, rssMiB(pid));
    }
    const rssAfter = rssMiB(pid);

    expect(producer.process.exitCode).toBeNull();
    expect((await fetch(`${producer.url}/ready`)).status).toBe(200);
    expect(await offsets()).toEqual(before);
    // Bounded: a leak of even 1 KiB per request would show past this over 3,000 requests and 60 MiB of huge bodies.
    expect(rssAfter).toBeLessThan(rssBefore + 300);
    reportFigures("6. bad input fuzz (fast-check)", {
      acknowledged: 0,
      readBack: 0,
      lost: 0,
      duplicated: 0,
      requests: seen.length,
      answered4xx: seen.filter((s) => s.status >= 400 && s.status < 500).length,
      offsetsMoved: (await offsets()).some((o, i) => o !== before[i]) ? 1 : 0,
      rssBeforeMiB: Math.round(rssBefore),
      rssPeakMiB: Math.round(rssPeak),
      rssAfterMiB: Math.round(rssAfter),
      byKind: JSON.stringify(countBy(seen.map((s) => s.kind))),
      byStatus: JSON.stringify(countBy(seen.map((s) => s.status))),
    });
  });
});
