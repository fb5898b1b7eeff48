import type { TopicContract } from "./contracts/contract.ts";
import { KafkaPairError } from "./errors.ts";
import type { Logger } from "./log.ts";
import type { Namespace } from "./namespace.ts";
import type { AdminTransport } from "./transport/types.ts";

/**
 * Makes the cluster match the contracts: creates missing topics, and refuses to go on
 * if an existing topic has another partition count or replication factor, because
 * key-to-partition mapping and durability are part of the contract.
 */
export async function ensureTopics(
  admin: AdminTransport,
  contracts: readonly TopicContract[],
  ns: Namespace,
  logger: Logger,
): Promise<void> {
  const names = contracts.map((c) => ns.topic(c.name));
  const existing = await admin.describeTopics(names);
  const missing = contracts.filter((c) => !existing.has(ns.topic(c.name)));
  if (missing.length > 0) {
    await admin.createTopics(
      missing.map((c) => ({
        name: ns.topic(c.name),
        partitions: c.partitions,
        replicationFactor: c.replicationFactor,
      })),
    );
    logger.info({ topics: missing.map((c) => ns.topic(c.name)) }, "created topics from contracts");
  }
  const states = missing.length > 0 ? await waitForTopics(admin, names) : existing;
  const problems: string[] = [];
  for (const contract of contracts) {
    const state = states.get(ns.topic(contract.name));
    if (!state) {
      problems.push(`${contract.name}: missing after creation`);
      continue;
    }
    if (state.partitions !== contract.partitions) {
      problems.push(`${contract.name}: ${state.partitions} partitions, contract says ${contract.partitions}`);
    }
    if (state.replicationFactor !== contract.replicationFactor) {
      problems.push(
        `${contract.name}: replication factor ${state.replicationFactor}, contract says ${contract.replicationFactor}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new KafkaPairError("CONTRACT_MISMATCH", `topics disagree with their contracts: ${problems.join("; ")}`);
  }
}

/** New topics take a moment to show up in every broker's metadata. */
async function waitForTopics(admin: AdminTransport, names: string[], timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await admin.describeTopics(names);
    const complete = names.every((name) => (states.get(name)?.partitions ?? 0) > 0);
    if (complete || Date.now() > deadline) return states;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
