import { healthTopic } from "@kafka-pair/shared/contracts";
import { Hono } from "hono";
import type { ProducerDeps, ProducerEnv } from "../app.ts";
import { publish } from "../publish.ts";

/** The tutorial's `GET /kafka/health`: sends "ok" to `health`, answered from the delivery report. */
export function kafkaHealthRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();
  routes.get("/kafka/health", async (c) => {
    const log = c.get("logger");
    try {
      const report = await publish(deps, healthTopic, "ok");
      log.info({ ...report }, "health ping sent");
      return c.json({ message: "sent ok to health", ...report });
    } catch (err) {
      log.warn({ err }, "health ping failed");
      throw err;
    }
  });
  return routes;
}
