import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { anOrder, postJson, readJson } from "../helpers/events.ts";
import { readyStatus, spawnWorker } from "./helpers.ts";

/** A local port with nothing listening on it: a Kafka cluster that is entirely down. */
async function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 1));
    });
  });
}

// Both workers boot with no reachable broker: they stay up, say so, and leave cleanly.
// (Recovery once the cluster appears is in `npm run faults`: faults/cases/brokers.fault.ts.)
describe("workers started while Kafka is down", () => {
  it("serve /health, answer /ready and produce requests with 503, keep running, and stop cleanly", {
    timeout: 120_000,
  }, async () => {
    const env = { KAFKA_BOOTSTRAP_SERVERS: `127.0.0.1:${await deadPort()}`, KAFKA_NAMESPACE: "unreachable." };
    const producer = await spawnWorker("producer", env);
    const consumer = await spawnWorker("consumer", env);
    try {
      for (let round = 0; round < 4; round++) {
        for (const worker of [producer, consumer]) {
          expect(worker.alive()).toBe(true);
          expect((await fetch(`${worker.url}/health`)).status).toBe(200);
          expect(await readyStatus(worker.url)).toBe(503);
        }
        const res = await postJson(producer.url, "/topics/orders", anOrder());
        expect({ status: res.status, code: (await readJson(res)).error.code }).toEqual({
          status: 503,
          code: "KAFKA_UNAVAILABLE",
        });
        expect(res.headers.get("retry-after")).toBe("1");
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      // It keeps trying in the background rather than giving up.
      expect(producer.output()).toMatch(/connecting to Kafka failed; retrying/);
    } finally {
      expect(await producer.stop("SIGTERM")).toBe(0);
      expect(await consumer.stop("SIGTERM")).toBe(0);
    }
  });
});
