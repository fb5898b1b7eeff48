import { deadLetterTopicOf, type TopicContract } from "../contracts/contract.ts";
import { KafkaPairError } from "../errors.ts";
import type { AdminTransport, TopicState } from "../transport/types.ts";
import type { Logger } from "./log.ts";
import type { Namespace } from "./namespace.ts";

/** A topic the cluster must have, as a contract declares it (the topic itself or its dead-letter topic). */
export interface DeclaredTopic {
  logicalName: string;
  partitions: number;
  replicationFactor: number;
}

/** Every topic the contracts declare: each contract's topic, then its dead-letter topic if any. */
export function declaredTopics(contracts: readonly TopicContract[]): DeclaredTopic[] {
  return contracts.flatMap((c) => {
    const topic = { logicalName: c.name, partitions: c.partitions, replicationFactor: c.replicationFactor };
    const dlq = deadLetterTopicOf(c);
    return dlq && c.deadLetter ? [topic, { logicalName: dlq, ...c.deadLetter }] : [topic];
  });
}

/**
 * Makes the cluster match the contracts: creates missing topics (dead-letter topics included),
 * and refuses to go on if an existing topic has another partition count or replication factor,
 * because key-to-partition mapping and durability are part of the contract.
 */
export async function ensureTopics(
  admin: AdminTransport,
  contracts: readonly TopicContract[],
  ns: Namespace,
  logger: Logger,
): Promise<void> {
  const declared = declaredTopics(contracts);
  const names = declared.map((t) => ns.topic(t.logicalName));
  const existing = await describeWithRetry(admin, names);
  const missing = declared.filter((t) => !existing.has(ns.topic(t.logicalName)));
  if (missing.length > 0) {
    await admin.createTopics(
      missing.map((t) => ({
        name: ns.topic(t.logicalName),
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
      })),
    );
    logger.info({ topics: missing.map((t) => ns.topic(t.logicalName)) }, "created topics from contracts");
  }
  const states = missing.length > 0 ? await waitForTopics(admin, names) : existing;
  const problems: string[] = [];
  for (const topic of declared) {
    const state = states.get(ns.topic(topic.logicalName));
    if (!state) {
      problems.push(`${topic.logicalName}: missing after creation`);
      continue;
    }
    if (state.partitions !== topic.partitions) {
      problems.push(`${topic.logicalName}: ${state.partitions} partitions, contract says ${topic.partitions}`);
    }
    if (state.replicationFactor !== topic.replicationFactor) {
      problems.push(
        `${topic.logicalName}: replication factor ${state.replicationFactor}, contract says ${topic.replicationFactor}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new KafkaPairError("CONTRACT_MISMATCH", `topics disagree with their contracts: ${problems.join("; ")}`);
  }
}

/**
 * Topic metadata can be briefly inconsistent across brokers (a topic listed by one broker is
 * "unknown" to another right after a create, delete or broker restart): a few retries ride it out.
 */
async function describeWithRetry(admin: AdminTransport, names: string[], attempts = 5) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.describeTopics(names);
    } catch (err) {
      if (attempt >= attempts || !isUnknownTopic(err)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** New topics take a moment to show up in every broker's metadata. */
async function waitForTopics(admin: AdminTransport, names: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let states: Map<string, TopicState> | undefined;
    try {
      states = await admin.describeTopics(names);
    } catch (err) {
      // Right after a create, some broker may still call the topic unknown: keep polling.
      if (!isUnknownTopic(err) || Date.now() > deadline) throw err;
    }
    if (states) {
      const found = states;
      const complete = names.every((name) => (found.get(name)?.partitions ?? 0) > 0);
      if (complete || Date.now() > deadline) return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function isUnknownTopic(err: unknown): boolean {
  return /unknown topic/i.test(String((err as Error).message));
}
