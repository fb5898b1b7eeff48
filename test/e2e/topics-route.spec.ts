import { createProducerApp } from "@kafka-pair/producer/app";
import { MemoryIdempotencyStore } from "@kafka-pair/producer/idempotency";
import { createProducerMetrics } from "@kafka-pair/producer/metrics";
import { contracts } from "@kafka-pair/shared/contracts";
import { createLogger, loadConfig, provisionTopics } from "@kafka-pair/shared/runtime";
import type { ProducerTransport } from "@kafka-pair/shared/transport";
import { confluentTransport } from "@kafka-pair/shared/transport/node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { anOrder } from "../helpers/events.ts";
import { useNamespace } from "../helpers/kafka.ts";

// The route through app.request(): no HTTP server, a real producer against the test cluster.
describe("POST /topics/:topic via app.request()", () => {
  const ns = useNamespace();
  const config = loadConfig("producer", {
    KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
    KAFKA_NAMESPACE: ns.prefix,
  });
  const logger = createLogger("test", "silent");
  const transport = confluentTransport({ connection: config.kafka, logger, deliveryTimeoutMs: 10_000, lingerMs: 0 });
  let producer: ProducerTransport;
  let app: ReturnType<typeof createProducerApp>;

  beforeAll(async () => {
    await provisionTopics(transport, contracts, config.namespace, logger);
    producer = transport.producer();
    await producer.connect();
    app = createProducerApp({
      producer,
      logger,
      namespace: config.namespace,
      metrics: createProducerMetrics(() => producer.stats?.()),
      idempotency: new MemoryIdempotencyStore({ maxKeys: 10, windowMs: 60_000 }),
      apiToken: undefined,
      eventSource: "/test",
      maxBodyBytes: 64 * 1024,
      isDraining: () => false,
    });
  });
  afterAll(() => producer.disconnect());

  const post = (path: string, body: string, type = "application/json") =>
    app.request(path, { method: "POST", headers: { "content-type": type }, body });

  it("answers 201 from the delivery report", async () => {
    const res = await post("/topics/orders", JSON.stringify(anOrder()));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ topic: "orders", offset: expect.stringMatching(/^\d+$/) });
  });

  it("maps every error to one JSON shape through onError", async () => {
    for (const [path, body, type, status, code] of [
      ["/topics/orders", "{", "application/json", 400, "MALFORMED_JSON"],
      ["/topics/nope", "{}", "application/json", 404, "TOPIC_NOT_FOUND"],
      ["/topics/orders", "x", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE"],
      ["/topics/orders", "{}", "application/json", 422, "INVALID_EVENT"],
      ["/topics/orders", JSON.stringify({ pad: "x".repeat(70_000) }), "application/json", 413, "PAYLOAD_TOO_LARGE"],
    ] as const) {
      const res = await post(path, body, type);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String), retriable: false } });
    }
    const missing = await app.request("/no/such/route");
    expect(missing.status).toBe(404);
  });
});
