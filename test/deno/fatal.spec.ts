import { beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../scripts/free-port.ts";
import { useNamespace } from "../helpers/kafka.ts";
import { readTopic } from "../helpers/records.ts";
import { runDenoScript } from "../helpers/workers.ts";

interface Answer {
  orderId: string;
  status: number;
  code?: string;
}

interface Outcome {
  injected: number;
  inFlightAtInjection: number;
  before: Answer[];
  during: Answer[];
  after: Answer[];
  readySeen: number[];
}

// The fatal-error path for real: librdkafka's rd_kafka_test_fatal_error() kills the Deno
// producer's idempotent handle while requests are in flight. The adapter replaces the handle,
// /ready says 503 meanwhile, and no request gets a 2xx for a record that is not in Kafka.
describe("Deno producer on FFI: a fatal librdkafka error", () => {
  const ns = useNamespace();
  let outcome: Outcome;
  let stdout = "";
  beforeAll(async () => {
    const port = await freePort();
    ({ outcome, stdout } = await runDenoScript<Outcome>(
      "test/deno/fatal.deno.ts",
      {
        KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"),
        KAFKA_NAMESPACE: ns.prefix,
        PORT: String(port),
        HOST: "127.0.0.1",
      },
      "injected",
    ));
  }, 150_000);

  it("injects the error into the live handle", () => {
    expect(outcome.injected).toBe(0);
    expect(outcome.inFlightAtInjection).toBeGreaterThan(0);
    expect(outcome.before.every((a) => a.status === 201)).toBe(true);
  });

  it("says not ready while the instance is replaced, then ready again", () => {
    expect(outcome.readySeen).toContain(503);
    expect(outcome.readySeen.at(-1)).toBe(200);
    expect(stdout).toContain("producer hit a fatal error: replacing the instance");
    expect(stdout).toContain("producer instance replaced");
  });

  it("answers every request in flight with a delivery report or an error, never a guess", async () => {
    const statuses = new Set(outcome.during.map((a) => a.status));
    for (const status of statuses) expect([201, 502, 503, 504]).toContain(status);
    // Every 201, before, during and after the failure, is a record in Kafka.
    const acknowledged = [...outcome.before, ...outcome.during, ...outcome.after]
      .filter((a) => a.status === 201)
      .map((a) => a.orderId);
    const wanted = new Set(acknowledged);
    const seen = new Set<string>();
    await readTopic(ns.topic("orders"), {
      isolation: "read_uncommitted",
      until: (records) => {
        for (const r of records) if (r.key !== null && wanted.has(r.key)) seen.add(r.key);
        return seen.size === wanted.size;
      },
    });
    expect(acknowledged.filter((id) => !seen.has(id))).toEqual([]);
  });

  it("produces again on the new instance", () => {
    expect(outcome.after.map((a) => a.status)).toEqual(outcome.after.map(() => 201));
  });
});
