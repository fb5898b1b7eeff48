import { Writable } from "node:stream";
import { loadConfig } from "@kafka-pair/shared/runtime";
import { fakeServer, memoryTransport, until } from "@kafka-pair/shared/testing";
import type { ProducerStats } from "@kafka-pair/shared/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { bootProducer } from "./boot.ts";

// What an operator reads from the producer's start and stop, and what shutdown hands the producer.

type Line = Record<string, unknown> & { level: number; msg: string };

async function boot(options: { transactions?: boolean; stats?: ProducerStats } = {}) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const transport = memoryTransport();
  const producer = transport.producer.bind(transport);
  transport.producer = () => {
    const p = producer();
    if (options.transactions === false) (p as { transaction?: unknown }).transaction = undefined;
    if (options.stats) (p as { stats?: () => ProducerStats | undefined }).stats = () => options.stats;
    return p;
  };
  const fake = fakeServer();
  const worker = await bootProducer({
    config: loadConfig("producer", { SHUTDOWN_TIMEOUT_MS: "2000", PORT: "4321" }),
    logger: pino({ level: "info" }, sink),
    transport,
    serve: fake.serve,
  });
  await until(async () => (await fake.request("/ready")).status === 200, "/ready 200");
  const logged = (msg: string) => lines.filter((l) => l.msg === msg);
  return { transport, worker, logged, lines, ...fake };
}

describe("bootProducer's log and shutdown", () => {
  it("says where it listens, which Kafka and which client", async () => {
    const { logged, transport } = await boot();
    expect(logged("producer listening")).toEqual([
      expect.objectContaining({ port: 4321, bootstrap: expect.any(String), transport: transport.name }),
    ]);
  });

  it("warns that atomic batches are refused only on a client without transactions", async () => {
    const withTx = await boot();
    expect(withTx.lines.filter((l) => /no transactions/.test(l.msg))).toEqual([]);
    const without = await boot({ transactions: false });
    expect(without.lines.filter((l) => /no transactions/.test(l.msg))).toEqual([
      expect.objectContaining({ level: 40, transport: without.transport.name }),
    ]);
  });

  it("logs the drain and the stop once, even when a second signal arrives", async () => {
    const { worker, logged } = await boot();
    expect(await worker.shutdown("SIGTERM")).toBe(0);
    expect(await worker.shutdown("SIGINT")).toBe(0);
    expect(logged("draining")).toEqual([expect.objectContaining({ signal: "SIGTERM", inFlight: 0 })]);
    expect(logged("producer stopped")).toEqual([expect.objectContaining({ inFlight: 0 })]);
  });

  it("gives flush what is left of the shutdown timeout, and still stops when flush fails", async () => {
    const { worker, transport, logged } = await boot();
    const producer = transport.producers[0];
    if (!producer) throw new Error("no producer");
    const timeouts: number[] = [];
    const flush = producer.flush.bind(producer);
    // The worker's own flush fails; the one inside disconnect() goes through.
    producer.flush = async (timeoutMs) => {
      timeouts.push(timeoutMs);
      if (timeouts.length === 1) throw new Error("broker gone");
      return flush(timeoutMs);
    };
    expect(await worker.shutdown("SIGTERM")).toBe(0);
    expect(timeouts[0]).toBeGreaterThan(0);
    expect(timeouts[0]).toBeLessThanOrEqual(2000);
    expect(logged("flush failed")).toEqual([
      expect.objectContaining({ level: 50, err: expect.objectContaining({ message: "broker gone" }) }),
    ]);
    expect(producer.isReady()).toBe(false);
  });

  it("reads the client's statistics into /metrics at scrape time; a client without them reports zeros", async () => {
    const stats = { queuedMessages: 7, queuedBytes: 700, brokersUp: 1, brokers: [] };
    const withStats = await (await (await boot({ stats })).request("/metrics")).text();
    expect(withStats).toMatch(/^producer_queue_messages 7$/m);
    expect(withStats).toMatch(/^producer_queue_bytes 700$/m);
    const plain = await (await boot()).request("/metrics");
    expect(plain.status).toBe(200);
    expect(await plain.text()).toMatch(/^producer_queue_messages 0$/m);
  });
});
