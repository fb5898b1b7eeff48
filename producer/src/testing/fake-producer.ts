import type { Logger } from "@kafka-pair/shared/runtime";
import { namespace } from "@kafka-pair/shared/runtime";
import type { DeliveryReport, ProduceRecord, ProducerTransport, TransactionScope } from "@kafka-pair/shared/transport";
import { pino } from "pino";
import { createProducerApp, type ProducerDeps } from "../app.ts";
import { MemoryIdempotencyStore } from "../idempotency.ts";
import { createProducerMetrics } from "../metrics.ts";

/**
 * The smallest producer that keeps what it was sent, for the edge's in-process tests: every send
 * is acknowledged at the next offset of partition 0, a transaction keeps its records only if its
 * work resolves. (h12's in-memory transport replaces this once it lands.)
 */
export class FakeProducer implements ProducerTransport {
  readonly records: ProduceRecord[] = [];
  #offset = 0;
  ready = true;
  connect = async () => {};
  send = async (record: ProduceRecord): Promise<DeliveryReport> => {
    this.records.push(record);
    return { topic: record.topic, partition: 0, offset: String(this.#offset++), timestamp: Date.now() };
  };
  async transaction<T>(work: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const pending: ProduceRecord[] = [];
    const result = await work({
      send: async (record) => {
        pending.push(record);
        return { topic: record.topic, partition: 0, offset: String(this.#offset++), timestamp: Date.now() };
      },
      // The edge never consumes: nothing of it sends offsets.
      sendOffsets: () => Promise.reject(new Error("the producer edge sends no offsets")),
    });
    this.records.push(...pending);
    return result;
  }
  isReady = () => this.ready;
  flush = async () => {};
  disconnect = async () => {};
}

/** A log sink that keeps each line, to assert on what was (not) logged. */
export function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: "debug" },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
      },
    },
  );
  return { logger, lines };
}

/** The producer app on a fake producer; override what the test is about. */
export function fakeEdge(overrides: Partial<ProducerDeps> = {}) {
  const producer = new FakeProducer();
  const { logger, lines } = capturingLogger();
  const deps: ProducerDeps = {
    producer,
    logger,
    namespace: namespace(""),
    metrics: createProducerMetrics(() => undefined),
    idempotency: new MemoryIdempotencyStore({ maxKeys: 100, windowMs: 60_000 }),
    apiToken: undefined,
    eventSource: "/test",
    maxBodyBytes: 64 * 1024,
    isDraining: () => false,
    ...overrides,
  };
  return { app: createProducerApp(deps), producer, deps, logs: lines };
}
