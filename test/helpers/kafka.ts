import { randomBytes } from "node:crypto";
import { contracts, ordersConfirmedTopic } from "@kafka-pair/shared/contracts";
import { createLogger, declaredTopics, loadConfig, type Namespace, namespace } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { confluentTransport } from "@kafka-pair/shared/transport/node";
import { inject } from "vitest";
import { atFileEnd } from "./teardown.ts";

export function testTransport(bootstrapServers = inject("bootstrapServers")) {
  const config = loadConfig("producer", { KAFKA_BOOTSTRAP_SERVERS: bootstrapServers });
  return confluentTransport({
    connection: config.kafka,
    logger: createLogger("test", "warn"),
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    lingerMs: config.lingerMs,
  });
}

/** An admin client for the file, disconnected after its tests (call it anywhere, hooks included). */
export async function useAdmin(): Promise<AdminTransport> {
  const admin = testTransport().admin();
  await admin.connect();
  atFileEnd(() => admin.disconnect());
  return admin;
}

/** Sum of end offsets over all partitions: the number of records ever written to the topic. */
export async function totalEndOffset(admin: AdminTransport, topic: string): Promise<bigint> {
  const offsets = await admin.endOffsets(topic);
  let total = 0n;
  for (const offset of offsets.values()) total += BigInt(offset);
  return total;
}

/** Thrown by an `eventually` check when the condition can no longer come true (the process it waits on died). */
export class GiveUp extends Error {}

/**
 * Polls until `check` returns a value (not undefined) or the deadline passes. A throw is retried
 * (a refused connection while a server starts), except a GiveUp, which ends the wait at once.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * A random namespace for the calling file: its own topics and groups, so files and
 * concurrent runs on one cluster never see each other. The topics are deleted afterwards.
 */
export function useNamespace(): Namespace {
  const ns = namespace(`t-${randomBytes(4).toString("hex")}.`);
  // Registered first, so it runs last: after the workers and clients that use the topics are gone.
  atFileEnd(async () => {
    const admin = testTransport().admin();
    await admin.connect();
    try {
      // The edge's topics, and what the consumer's example emits to.
      const topics = declaredTopics([...contracts, ordersConfirmedTopic]).map((t) => ns.topic(t.logicalName));
      const existing = await admin.describeTopics(topics);
      await admin.deleteTopics([...existing.keys()]);
    } finally {
      await admin.disconnect();
    }
  });
  return ns;
}
