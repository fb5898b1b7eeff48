import { randomBytes } from "node:crypto";
import { namespace } from "@kafka-pair/shared/runtime";
import { describe, expect, inject, it } from "vitest";
import { FAULT_CLUSTER } from "../../test/faults/fault-cluster.ts";
import { produceOrders, readBack, readyStatus, reportFigures, spawnWorker, tally } from "../../test/faults/helpers.ts";
import { eventually } from "../../test/helpers/kafka.ts";

const cluster = inject("faultCluster");

const scram = (password: string) => ({
  KAFKA_BOOTSTRAP_SERVERS: cluster.saslBootstrapServers,
  KAFKA_SECURITY_PROTOCOL: "sasl_plaintext",
  KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
  KAFKA_SASL_USERNAME: FAULT_CLUSTER.scramUser,
  KAFKA_SASL_PASSWORD: password,
});

const tls = (ca: string | undefined) => ({
  KAFKA_BOOTSTRAP_SERVERS: cluster.tlsBootstrapServers,
  KAFKA_SECURITY_PROTOCOL: "ssl",
  ...(ca ? { KAFKA_SSL_CA_LOCATION: ca } : {}),
});

// The Kafka connection's security settings are plain configuration: SASL/SCRAM and TLS listeners
// of the fault cluster accept a producer with the right settings, and keep out one without.
describe("Kafka connection security (SASL/SCRAM, TLS)", () => {
  const cases: Array<{ name: string; env: Record<string, string>; admitted: boolean }> = [
    { name: "SASL_PLAINTEXT SCRAM-SHA-512, right password", env: scram(FAULT_CLUSTER.scramPassword), admitted: true },
    { name: "SASL_PLAINTEXT SCRAM-SHA-512, wrong password", env: scram("not-the-password"), admitted: false },
    { name: "SSL, trusting the cluster's CA", env: tls(cluster.caLocation), admitted: true },
    { name: "SSL, without the cluster's CA", env: tls(undefined), admitted: false },
  ];

  for (const c of cases) {
    it(`${c.admitted ? "produces" : "never becomes ready"} with ${c.name}`, { timeout: 180_000 }, async () => {
      const ns = namespace(`f-${randomBytes(4).toString("hex")}.`);
      const worker = await spawnWorker("producer", { ...c.env, KAFKA_NAMESPACE: ns.prefix, LOG_LEVEL: "warn" });
      try {
        if (c.admitted) {
          await eventually(async () => ((await readyStatus(worker.url)) === 200 ? true : undefined), 90_000, "ready");
          const outcomes = await produceOrders(worker.url, { total: 200, concurrency: 4 });
          const read = await readBack(cluster.bootstrapServers, ns.topic("orders"), {
            until: (r) => outcomes.every((o) => r.counts.has(o.id)),
          });
          const figures = tally(outcomes, read);
          reportFigures(`8b. ${c.name}`, figures);
          expect(figures.acknowledged).toBe(200);
          expect(figures.lost).toBe(0);
        } else {
          // Twenty seconds of refused logins: alive, not ready, nothing produced.
          for (let i = 0; i < 10; i++) {
            expect(worker.alive()).toBe(true);
            expect(await readyStatus(worker.url)).toBe(503);
            await new Promise((resolve) => setTimeout(resolve, 2_000));
          }
          const outcomes = await produceOrders(worker.url, { total: 20, concurrency: 2 });
          expect(outcomes.map((o) => o.status)).toEqual(outcomes.map(() => 503));
          reportFigures(`8b. ${c.name}`, { acknowledged: 0, readBack: 0, lost: 0, duplicated: 0, refused: 20 });
        }
      } finally {
        await worker.stop();
      }
    });
  }
});
