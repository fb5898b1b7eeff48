import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { COMPOSE_BOOTSTRAP_SERVERS, repoRoot } from "../cluster.ts";
import { CLUSTER_SETTINGS, kafkaEnvName, propertyOfEnvName } from "./broker-settings.ts";

const composeFile = join(repoRoot, "compose.yaml");

type Env = Record<string, string | number | boolean>;
interface Service {
  image: string;
  ports?: string[];
  environment: Env;
  profiles?: string[];
  build?: { context: string; dockerfile: string };
}
const compose = parse(readFileSync(composeFile, "utf8"), { merge: true }) as {
  "x-kafka-env": Env;
  services: Record<string, Service>;
};
const brokers = ["kafka-1", "kafka-2", "kafka-3"] as const;

// Settings that describe this cluster's wiring (hostnames, listener names) rather than how the
// brokers behave; the launcher has its own equivalents and they are checked per service below.
const WIRING = new Set([
  "CLUSTER_ID",
  "KAFKA_CONTROLLER_QUORUM_VOTERS",
  "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP",
  "KAFKA_INTER_BROKER_LISTENER_NAME",
]);

describe("compose.yaml against the shared broker-settings table", () => {
  it("names each table setting the way the official image reads it back", () => {
    for (const property of Object.keys(CLUSTER_SETTINGS)) {
      expect(propertyOfEnvName(kafkaEnvName(property))).toBe(property);
    }
    expect(kafkaEnvName("min.insync.replicas")).toBe("KAFKA_MIN_INSYNC_REPLICAS");
    expect(propertyOfEnvName("KAFKA_LISTENER_NAME_SASL__PLAINTEXT_SCRAM___SHA___512_SASL_JAAS_CONFIG")).toBe(
      "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config",
    );
  });

  it("sets every table setting, with the table's value, on every broker", () => {
    for (const name of brokers) {
      const env = compose.services[name]?.environment ?? {};
      for (const [property, value] of Object.entries(CLUSTER_SETTINGS)) {
        expect({ name, property, value: String(env[kafkaEnvName(property)]) }).toEqual({
          name,
          property,
          value: String(value),
        });
      }
    }
  });

  it("sets no broker behaviour that is missing from the table", () => {
    const table = new Set(Object.keys(CLUSTER_SETTINGS).map(kafkaEnvName));
    const extra = Object.keys(compose["x-kafka-env"]).filter((k) => !table.has(k) && !WIRING.has(k));
    expect(extra).toEqual([]);
  });

  it("wires each broker: node id, internal + external listeners, loopback-only port", () => {
    brokers.forEach((name, i) => {
      const id = i + 1;
      const port = 9091 + id;
      const service = compose.services[name] as Service;
      expect(service.environment.KAFKA_NODE_ID).toBe(id);
      expect(service.environment.KAFKA_ADVERTISED_LISTENERS).toBe(
        `INTERNAL://kafka-${id}:${29091 + id},EXTERNAL://localhost:${port}`,
      );
      expect(service.ports).toEqual([`127.0.0.1:${port}:${port}`]);
    });
    expect(brokers.map((_, i) => `localhost:${9092 + i}`).join(",")).toBe(COMPOSE_BOOTSTRAP_SERVERS);
  });

  it("keeps the UIs optional: the console built from this repo, kafbat's UI for those who can pull it", () => {
    const { console: consoleService, "kafka-ui": kafbat } = compose.services;
    expect(consoleService?.profiles).toEqual(["console"]);
    expect(consoleService?.build).toEqual({ context: ".", dockerfile: "docker/console/Dockerfile" });
    expect(consoleService?.ports).toEqual(["127.0.0.1:8989:8989"]);
    expect(consoleService?.environment.KAFKA_BOOTSTRAP_SERVERS).toBe("kafka-1:29092,kafka-2:29093,kafka-3:29094");
    // Passed through from the shell only when set: an empty token would fail the config check.
    expect(consoleService?.environment.PRODUCER_API_TOKEN).toBeNull();
    expect(kafbat?.profiles).toEqual(["kafbat"]);
    expect(kafbat?.ports).toEqual(["127.0.0.1:8990:8080"]);
    // Every service without a profile is a broker: `docker compose up` starts the cluster alone.
    const always = Object.entries(compose.services)
      .filter(([, s]) => !s.profiles)
      .map(([name]) => name);
    expect(always).toEqual([...brokers]);
  });
});
