import { describe, expect, it } from "vitest";
import { contracts } from "../contracts/index.ts";
import { memoryTransport } from "../transport/memory/index.ts";
import { createLogger } from "./log.ts";
import { namespace } from "./namespace.ts";
import { declaredTopics, ensureTopics } from "./topics.ts";

const logger = createLogger("test", "silent");

describe("ensureTopics", () => {
  it("creates every declared topic, dead-letter topics included, under the namespace", async () => {
    const transport = memoryTransport();
    await ensureTopics(transport.admin(), contracts, namespace("t1."), logger);
    const topics = await transport.admin().describeTopics(declaredTopics(contracts).map((t) => `t1.${t.logicalName}`));
    expect([...topics.values()]).toEqual([
      { name: "t1.health", partitions: 3, replicationFactor: 3 },
      { name: "t1.health.dlq", partitions: 3, replicationFactor: 3 },
      { name: "t1.orders", partitions: 3, replicationFactor: 3 },
      { name: "t1.orders.dlq", partitions: 3, replicationFactor: 3 },
    ]);
  });

  it("leaves matching topics alone and creates only what is missing", async () => {
    const transport = memoryTransport();
    const admin = transport.admin();
    await admin.createTopics([{ name: "orders", partitions: 3, replicationFactor: 3 }]);
    await transport.producer().connect();
    await ensureTopics(admin, contracts, namespace(""), logger);
    expect(transport.cluster.topics.size).toBe(4);
  });

  it("refuses CONTRACT_MISMATCH when an existing topic has another partition count or replication factor", async () => {
    const transport = memoryTransport();
    const admin = transport.admin();
    await admin.createTopics([
      { name: "orders", partitions: 6, replicationFactor: 3 },
      { name: "health", partitions: 3, replicationFactor: 1 },
    ]);
    const failure = ensureTopics(admin, contracts, namespace(""), logger);
    await expect(failure).rejects.toMatchObject({ code: "CONTRACT_MISMATCH", retriable: false });
    await expect(failure).rejects.toThrow(
      "topics disagree with their contracts: health: replication factor 1, contract says 3; orders: 6 partitions, contract says 3",
    );
    // The missing dead-letter topics were still created: only the contradiction stops the worker.
    expect(transport.cluster.topics.has("orders.dlq")).toBe(true);
  });

  it("declares each contract's topic followed by its dead-letter topic", () => {
    expect(declaredTopics(contracts).map((t) => t.logicalName)).toEqual([
      "health",
      "health.dlq",
      "orders",
      "orders.dlq",
    ]);
  });
});
