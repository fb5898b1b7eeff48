import { type Admin, ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { COMPOSE_BOOTSTRAP_SERVERS } from "../../scripts/cluster.ts";
import { CLUSTER_SETTINGS } from "../../scripts/kafka/broker-settings.ts";

// The tutorial's topology, asked of the running cluster itself (launcher or compose): three
// brokers serving the one broker-settings table, and for compose its internal/external listeners.
const bootstrapServers = inject("bootstrapServers");
const isCompose = bootstrapServers === COMPOSE_BOOTSTRAP_SERVERS;

async function brokerConfigs(admin: Admin, names: string[]): Promise<Map<number, Record<string, string>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [1, 2, 3].map((id) => ({ type: ConfigResourceTypes.BROKER, name: String(id), configNames: names })),
  });
  return new Map(
    resources.map((r) => [
      Number(r.resourceName),
      Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])),
    ]),
  );
}

describe("cluster topology", () => {
  let admin: Admin;
  beforeAll(async () => {
    admin = new Kafka({
      clientId: "topology-spec",
      brokers: bootstrapServers.split(","),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.disconnect();
  });

  it("has three brokers, each running the shared broker settings", async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
    const expected = Object.fromEntries(Object.entries(CLUSTER_SETTINGS).map(([k, v]) => [k, String(v)]));
    const configs = await brokerConfigs(admin, Object.keys(CLUSTER_SETTINGS));
    expect([...configs.keys()].sort()).toEqual([1, 2, 3]);
    for (const [, config] of configs) expect(config).toEqual(expected);
  });

  it.runIf(isCompose)("advertises localhost:9092-9094 outside and kafka-N on the internal listener", async () => {
    const cluster = await admin.describeCluster();
    const advertised = cluster.brokers.map((b) => `${b.nodeId}=${b.host}:${b.port}`).sort();
    expect(advertised).toEqual(["1=localhost:9092", "2=localhost:9093", "3=localhost:9094"]);
    const configs = await brokerConfigs(admin, ["inter.broker.listener.name", "advertised.listeners"]);
    for (const [id, config] of configs) {
      expect(config["inter.broker.listener.name"]).toBe("INTERNAL");
      expect(config["advertised.listeners"]).toBe(
        `INTERNAL://kafka-${id}:${29091 + id},EXTERNAL://localhost:${9091 + id}`,
      );
    }
  });
});
