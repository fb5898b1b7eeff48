// `docker compose config` on compose.yaml, whenever a compose CLI is present (no engine needed).
// A spec, not a unit test: it starts the docker CLI, which the unit project refuses. The launcher
// leg runs it where the CLI is installed; CI's Docker leg, which installs compose, always does.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../cluster.ts";

const run = promisify(execFile);
const composeFile = join(repoRoot, "compose.yaml");
const brokers = ["kafka-1", "kafka-2", "kafka-3"] as const;

async function composeCli(): Promise<string | null> {
  try {
    const { stdout } = await run("docker", ["compose", "version", "--short"], { timeout: 10_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

const cli = await composeCli();

describe("docker compose config", () => {
  // The check needs only the CLI (no engine): it is what validates the Kafka UI service, whose
  // image cannot be pulled or built on a machine without a registry.
  it.skipIf(!cli)(
    `accepts compose.yaml (${cli ? `compose ${cli}` : "skipped: no `docker compose` CLI on PATH"})`,
    async () => {
      const config = async (env: Record<string, string>, profiles: string[] = []) => {
        const args = ["compose", "-f", composeFile, ...profiles.flatMap((p) => ["--profile", p]), "config"];
        const { stdout } = await run("docker", [...args, "--format", "json"], {
          cwd: repoRoot,
          env: { ...process.env, ...env },
          timeout: 30_000,
        });
        return JSON.parse(stdout) as {
          services: Record<string, { image: string; environment: Record<string, string>; depends_on?: object }>;
        };
      };
      const defaults = await config({ KAFKA_IMAGE: "" });
      expect(Object.keys(defaults.services).sort()).toEqual(["kafka-1", "kafka-2", "kafka-3"]);
      for (const name of brokers) expect(defaults.services[name]?.image).toBe("apache/kafka:4.4.0");
      const withUis = await config({ KAFKA_IMAGE: "" }, ["console", "kafbat"]);
      expect(Object.keys(withUis.services).sort()).toEqual(["console", "kafka-1", "kafka-2", "kafka-3", "kafka-ui"]);
      expect(withUis.services.console?.environment.KAFKA_BOOTSTRAP_SERVERS).toBe(
        "kafka-1:29092,kafka-2:29093,kafka-3:29094",
      );
      // A pass-through variable unset in the shell: compose leaves it out or renders it null; never a value.
      expect(withUis.services.console?.environment.PRODUCER_API_TOKEN ?? undefined).toBeUndefined();
      const ui = withUis.services["kafka-ui"];
      expect(ui?.environment.KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS).toBe("kafka-1:29092,kafka-2:29093,kafka-3:29094");
      expect(Object.keys(ui?.depends_on ?? {}).sort()).toEqual([...brokers]);

      const local = await config({ KAFKA_IMAGE: "kafka-pair/kafka:test" });
      for (const name of brokers) expect(local.services[name]?.image).toBe("kafka-pair/kafka:test");
    },
  );
});
