import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_HEADER } from "../handlers/consumer-behaviours.ts";
import { type At, committedOffset, linesAt, TEST_HANDLERS, tempDir } from "../helpers/consumer.ts";
import { anOrder } from "../helpers/events.ts";
import { eventually, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { type ReadRecord, readRecords, useRawProducer } from "../helpers/records.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";

const MAX_RETRIES = 2;

/** Runs the replay command as an operator would, against this file's namespace. */
function replay(prefix: string, ...args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "consumer/src/replay/main.ts", ...args], {
      env: { ...process.env, KAFKA_BOOTSTRAP_SERVERS: inject("bootstrapServers"), KAFKA_NAMESPACE: prefix },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.on("exit", (code) => resolve({ code, stdout }));
  });
}

// Failing handlers and broken events: retries, the dead-letter topic, and the way back.
// On both runtimes: Node's binding and Deno's FFI adapter.
describe.each(["node", "deno"] as const)("consumer dead letters (%s)", (runtime) => {
  const ns = useNamespace();
  const dir = tempDir("consumer-dlq");
  let consumer: Worker;
  let admin: AdminTransport;
  let producer: Awaited<ReturnType<typeof useRawProducer>>;
  beforeAll(async () => {
    admin = await useAdmin();
    consumer = await startWorker(
      "consumer",
      {
        KAFKA_NAMESPACE: ns.prefix,
        CONSUMER_HANDLERS: TEST_HANDLERS,
        CONSUMER_MAX_RETRIES: String(MAX_RETRIES),
        CONSUMER_RETRY_BACKOFF_MS: "50",
      },
      { runtime },
    );
    producer = await useRawProducer();
  });

  const send = async (value: string, key: string | null, headers: Record<string, string> = {}) => {
    const [at] = await producer.send(ns.topic("orders"), [{ key, value, headers }]);
    if (!at) throw new Error("not produced");
    return at;
  };
  const committedPast = async (at: At) =>
    (await committedOffset(admin, ns, at)) > BigInt(at.offset) ? true : undefined;
  /** The dead letter of a source record, found by the headers naming its origin. */
  const deadLetterOf = async (at: At): Promise<ReadRecord> => {
    const dlq = ns.topic("orders.dlq");
    return eventually(async () =>
      (await readRecords(dlq, Number.POSITIVE_INFINITY, 3_000)).find(
        (r) => r.headers.dlq_original_partition === String(at.partition) && r.headers.dlq_original_offset === at.offset,
      ),
    );
  };

  it("retries a failing handler and commits once it succeeds", async () => {
    const key = randomUUID();
    const at = await send(JSON.stringify(anOrder({ orderId: key })), key, { [TEST_HEADER.failTimes]: "2" });
    await eventually(() => committedPast(at));
    expect(linesAt(consumer, at, "handling")).toHaveLength(3);
    expect(linesAt(consumer, at, "handler failed; retrying")).toHaveLength(2);
    expect(linesAt(consumer, at, "processed")).toHaveLength(1);
    expect(linesAt(consumer, at, "dead-lettered")).toHaveLength(0);
  });

  it("sends an event to orders.dlq after its last retry, with headers saying why, and moves on", async () => {
    const key = randomUUID();
    const value = JSON.stringify(anOrder({ orderId: key }));
    const at = await send(value, key, { [TEST_HEADER.failTimes]: "99", ce_id: "evt-dead" });
    const after = await send(JSON.stringify(anOrder({ orderId: randomUUID() })), key);
    await eventually(() => committedPast(after));
    expect(linesAt(consumer, at, "handling")).toHaveLength(MAX_RETRIES + 1);
    expect(linesAt(consumer, after, "processed")).toHaveLength(1);

    const letter = await deadLetterOf(at);
    expect(letter.key).toBe(key);
    expect(letter.value).toBe(value);
    expect(letter.headers).toMatchObject({
      ce_id: "evt-dead",
      dlq_reason: "handler-failed",
      dlq_attempts: String(MAX_RETRIES + 1),
      dlq_original_topic: ns.topic("orders"),
      dlq_consumer_group: "orders_group",
    });
    expect(letter.headers.dlq_error).toContain(`planned failure ${MAX_RETRIES + 1} of 99`);
    const metrics = await (await fetch(`${consumer.url}/metrics`)).text();
    expect(metrics).toMatch(
      /consumer_events_dead_lettered_total\{topic="orders",group="orders_group",reason="handler-failed"\} [1-9]/,
    );
    expect(metrics).toMatch(/consumer_handler_retries_total\{topic="orders",group="orders_group"\} [1-9]/);
  });

  it.each([
    ["not JSON", "{not json", "MALFORMED_JSON"],
    ["against the contract", JSON.stringify({ orderId: "not-a-uuid" }), "INVALID_EVENT"],
  ])("sends an event %s to the dead letters at once, without calling the handler", async (_, value, code) => {
    const key = randomUUID();
    const poison = await send(value, key);
    const after = await send(JSON.stringify(anOrder({ orderId: randomUUID() })), key);
    await eventually(() => committedPast(after));
    expect(linesAt(consumer, poison, "handling")).toHaveLength(0);
    expect(linesAt(consumer, poison, "dead-lettered")).toHaveLength(1);
    expect(linesAt(consumer, after, "processed")).toHaveLength(1);
    const letter = await deadLetterOf(poison);
    expect(letter.value).toBe(value);
    expect(letter.headers).toMatchObject({ dlq_reason: "contract-violation", dlq_attempts: "0", dlq_error_code: code });
  });

  it("replays dead letters to their topic with `npm run replay -- orders`, once", async () => {
    const fixed = join(dir, "fixed");
    const orderId = randomUUID();
    const at = await send(JSON.stringify(anOrder({ orderId })), orderId, { [TEST_HEADER.failUntil]: fixed });
    await eventually(() => linesAt(consumer, at, "dead-lettered")[0]);
    const letter = await deadLetterOf(at);

    writeFileSync(fixed, ""); // the bug is fixed: the handler would succeed now
    const first = await replay(ns.prefix, "orders");
    expect(first.code).toBe(0);
    const firstRun = JSON.parse(first.stdout.trim().split("\n").at(-1) ?? "{}");
    // Every letter so far went back, this one included (the earlier tests' letters fail again).
    expect(firstRun.replayed).toBeGreaterThanOrEqual(1);
    const copy = await eventually(async () =>
      (await readRecords(ns.topic("orders"), Number.POSITIVE_INFINITY, 3_000)).find(
        (r) => r.headers.replayed_from === `${ns.topic("orders.dlq")}/${letter.partition}/${letter.offset}`,
      ),
    );
    expect(copy.key).toBe(orderId);
    expect(copy.value).toBe(letter.value);
    expect(Object.keys(copy.headers).filter((h) => h.startsWith("dlq_"))).toEqual([]);
    const copyAt = { partition: copy.partition, offset: copy.offset };
    await eventually(() => linesAt(consumer, copyAt, "processed")[0], 30_000, "replayed event processed");

    // A second run sends only the letters written since: the replayed events that failed again.
    const failedAgain = await eventually(async () => {
      const letters = await readRecords(ns.topic("orders.dlq"), Number.POSITIVE_INFINITY, 3_000);
      const again = letters.filter((r) => r.headers.replayed_from !== undefined);
      return again.length === firstRun.replayed - 1 ? again.length : undefined;
    });
    const second = await replay(ns.prefix, "orders");
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({ replayed: failedAgain });
  });
});
