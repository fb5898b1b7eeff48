import { healthTopic } from "@kafka-pair/shared/contracts";
import { Hono } from "hono";
import type { ProducerDeps, ProducerEnv } from "../app.ts";
import { requireToken } from "../auth.ts";
import { buildRecord } from "../ingest/record.ts";
import { produceOne } from "../produce.ts";

/** The tutorial's `GET /kafka/health`: sends "ok" to `health`, answered from the delivery report. */
export function kafkaHealthRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();
  routes.get("/kafka/health", requireToken(deps.apiToken), async (c) => {
    const log = c.get("logger");
    const built = buildRecord(
      healthTopic,
      { data: "ok" },
      { namespace: deps.namespace, source: deps.eventSource, id: undefined, traceparent: undefined, now: new Date() },
    );
    try {
      const stored = await produceOne(deps, healthTopic, built);
      log.info({ ...stored }, "health ping sent");
      return c.json({ message: "sent ok to health", ...stored });
    } catch (err) {
      log.warn({ err }, "health ping failed");
      throw err;
    }
  });
  return routes;
}
