import { Writable } from "node:stream";
import { contracts } from "@kafka-pair/shared/contracts";
import { namespace, provisionTopics } from "@kafka-pair/shared/runtime";
import { anOrder, memoryTransport } from "@kafka-pair/shared/testing";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createProducerApp } from "./app.ts";
import { MemoryIdempotencyStore } from "./idempotency.ts";
import { createProducerMetrics } from "./metrics.ts";

// What the producer logs about the answers it gives: errors at error level with the cause,
// the client's own mistakes (and hang-ups) at info, and the access log's sampling rules.

type Line = Record<string, unknown> & { level: number; msg: string };

async function loggingApp(accessLog?: Parameters<typeof createProducerApp>[0]["accessLog"]) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: "info" }, sink);
  const transport = memoryTransport();
  const ns = namespace("");
  await provisionTopics(transport, contracts, ns, pino({ level: "silent" }));
  const producer = transport.producer();
  await producer.connect();
  const app = createProducerApp({
    producer,
    logger,
    namespace: ns,
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 10, windowMs: 60_000 }),
    apiToken: undefined,
    eventSource: "/test",
    maxBodyBytes: 64 * 1024,
    isDraining: () => false,
    accessLog,
  });
  /** Makes the next produce request hit a bug (a plain Error, not a KafkaPairError). */
  const breakProducer = () => {
    producer.isReady = () => {
      throw new TypeError("secret detail");
    };
  };
  const post = (init: RequestInit = {}) =>
    app.request(
      new Request("http://localhost/topics/orders", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(anOrder(1)),
        ...init,
      }),
    );
  const logged = (msg?: string) => lines.filter((l) => msg === undefined || l.msg === msg);
  return { app, post, breakProducer, logged };
}

const INFO = 30;
const ERROR = 50;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("error log", () => {
  it("logs a bug at error level with the cause, its code and the request id", async () => {
    const { post, breakProducer, logged } = await loggingApp({ mode: "off", sampleEvery: 1 });
    breakProducer();
    expect((await post()).status).toBe(500);
    const [line] = logged("internal error");
    expect(line).toMatchObject({ level: ERROR, code: "INTERNAL", requestId: expect.any(String) });
    expect(line?.err).toMatchObject({ type: "TypeError", message: "secret detail" });
  });

  it("logs a client's mistake at info with its code and status, not as an error", async () => {
    const { app, logged } = await loggingApp({ mode: "off", sampleEvery: 1 });
    expect((await app.request("/nope")).status).toBe(404);
    expect(logged("no such route")).toEqual([
      expect.objectContaining({ level: INFO, code: "NOT_FOUND", status: 404, requestId: expect.any(String) }),
    ]);
    expect(logged().filter((l) => l.level >= ERROR)).toEqual([]);
  });

  it("answers 499 CLIENT_CLOSED_REQUEST, logged at info, when a bug follows the client hanging up", async () => {
    const { post, breakProducer, logged } = await loggingApp({ mode: "off", sampleEvery: 1 });
    breakProducer();
    const res = await post({ signal: AbortSignal.abort() });
    expect(res.status).toBe(499);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("CLIENT_CLOSED_REQUEST");
    expect(logged().filter((l) => l.level >= ERROR)).toEqual([]);
    expect(logged()).toContainEqual(
      expect.objectContaining({ level: INFO, code: "CLIENT_CLOSED_REQUEST", status: 499 }),
    );
  });

  it("keeps the server's own answer when the client hung up after a known error", async () => {
    const { app } = await loggingApp({ mode: "off", sampleEvery: 1 });
    const res = await app.request(new Request("http://localhost/nope", { signal: AbortSignal.abort() }));
    expect(res.status).toBe(404);
  });
});

describe("access log sampling", () => {
  it("samples 1 request in 100 when no setting is given", async () => {
    const { app, logged } = await loggingApp();
    for (let i = 0; i < 99; i++) await app.request("/health");
    expect(logged("request")).toHaveLength(0);
    await app.request("/health");
    expect(logged("request")).toHaveLength(1);
  });

  it("logs every server error even when sampling, 500 included", async () => {
    const { post, breakProducer, logged } = await loggingApp({ mode: "sampled", sampleEvery: 1000 });
    breakProducer();
    expect((await post()).status).toBe(500);
    expect(logged("request")).toEqual([expect.objectContaining({ route: "/topics/:topic", status: 500 })]);
  });

  it("reports the duration in milliseconds, rounded to hundredths", async () => {
    const { app, logged } = await loggingApp({ mode: "all", sampleEvery: 1 });
    const times = [1000, 1012.3456];
    vi.spyOn(performance, "now").mockImplementation(() => times.shift() ?? 2000);
    await app.request("/health");
    expect(logged("request")).toEqual([expect.objectContaining({ ms: 12.35 })]);
  });
});
