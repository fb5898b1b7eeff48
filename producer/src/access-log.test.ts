import { Writable } from "node:stream";
import { namespace } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createProducerApp } from "./app.ts";
import { MemoryIdempotencyStore } from "./idempotency.ts";
import { createProducerMetrics } from "./metrics.ts";

// The access log's modes, in-process: GET /health needs no Kafka.
function appLogging(accessLog: Parameters<typeof createProducerApp>[0]["accessLog"]) {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const app = createProducerApp({
    producer: {} as ProducerTransport,
    logger: pino({ level: "info" }, sink),
    namespace: namespace(""),
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 10, windowMs: 60_000 }),
    apiToken: undefined,
    eventSource: "/test",
    maxBodyBytes: 1024,
    isDraining: () => false,
    accessLog,
  });
  const requests = async (n: number) => {
    for (let i = 0; i < n; i++) expect((await app.request("/health")).status).toBe(200);
    return lines.filter((l) => l.msg === "request");
  };
  return { requests };
}

describe("access log", () => {
  it("logs every request with its route, status and duration in mode all", async () => {
    const logged = await appLogging({ mode: "all", sampleEvery: 100 }).requests(3);
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({ method: "GET", route: "/health", status: 200, requestId: expect.any(String) });
    expect(logged[0]?.ms).toEqual(expect.any(Number));
  });

  it("logs one successful request in sampleEvery in mode sampled", async () => {
    expect(await appLogging({ mode: "sampled", sampleEvery: 4 }).requests(10)).toHaveLength(2);
  });

  it("logs nothing in mode off", async () => {
    expect(await appLogging({ mode: "off", sampleEvery: 1 }).requests(5)).toHaveLength(0);
  });
});
