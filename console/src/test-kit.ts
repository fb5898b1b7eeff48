import { createLogger, namespace } from "@kafka-pair/shared/runtime";
import type { DeliveryReport, ProducerTransport } from "@kafka-pair/shared/transport";
import { type ConsoleDeps, createConsoleApp } from "./app.ts";
import { FakeCluster } from "./cluster/fake.ts";
import { LagSampler } from "./groups/sampler.ts";

export const NS = namespace("t.");
export const encoder = new TextEncoder();

export const anOrder = (orderId = "6f1c2a4e-8b7d-4c3a-9e2f-1a2b3c4d5e6f") => ({
  orderId,
  customerId: "c-42",
  currency: "EUR",
  lines: [{ sku: "BOOK-1", quantity: 2, unitPriceCents: 1299 }],
  placedAt: "2026-11-24T10:00:00Z",
});

/** A producer that appends to the fake cluster, for replay. */
export function fakeProducer(cluster: FakeCluster): ProducerTransport {
  return {
    connect: async () => {},
    isReady: () => true,
    flush: async () => {},
    disconnect: async () => {},
    async send(record): Promise<DeliveryReport> {
      const stored = cluster.append({ ...record, headers: record.headers ?? {} });
      return { topic: stored.topic, partition: stored.partition, offset: stored.offset, timestamp: stored.timestamp };
    },
  };
}

export interface Kit {
  cluster: FakeCluster;
  app: ReturnType<typeof createConsoleApp>;
  edgeCalls: Array<{ url: string; init: RequestInit }>;
  logs: Array<Record<string, unknown>>;
}

/** A console app on the in-memory cluster: the contract topics of namespace `t.`, their dead-letter topics. */
export function consoleKit(overrides: Partial<ConsoleDeps> = {}): Kit {
  const cluster = new FakeCluster();
  for (const name of ["orders", "orders.dlq", "health", "health.dlq"]) cluster.createTopic(NS.topic(name), 3);
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger("console-test", "info");
  // Audit lines are checked by the tests: capture what the logger writes.
  const capture = logger.child({});
  for (const level of ["info", "warn", "error"] as const) {
    capture[level] = ((fields: Record<string, unknown>, msg?: string) => {
      logs.push({ ...(typeof fields === "object" ? fields : { msg: fields }), msg, level });
    }) as typeof capture.info;
  }
  const edgeCalls: Kit["edgeCalls"] = [];
  const app = createConsoleApp({
    cluster,
    namespace: NS,
    logger: capture,
    bootstrapServers: "127.0.0.1:9092",
    guard: { loopback: true, apiToken: undefined },
    producerUrl: "http://127.0.0.1:3000",
    fetchEdge: async (url, init) => {
      edgeCalls.push({ url, init });
      return Response.json({ topic: "orders", partition: 1, offset: "7" }, { status: 201 });
    },
    replayProducer: async () => fakeProducer(cluster),
    sampler: new LagSampler(cluster, capture),
    assets: new Map([["console.css", { type: "text/css", body: "body{}" }]]),
    ...overrides,
  });
  return { cluster, app, edgeCalls, logs };
}

/** A JSON POST from the console's own page (same origin, loopback host). */
export const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  new Request(`http://127.0.0.1:8989${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: "http://127.0.0.1:8989", ...headers },
    body: JSON.stringify(body),
  });
