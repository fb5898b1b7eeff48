import { healthTopic, startTrace } from "@kafka-pair/shared/contracts";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { authenticate, authenticatorOf, authorize } from "../auth/index.ts";
import type { ProducerDeps, ProducerEnv } from "../deps.ts";
import { buildRecord } from "../ingest/record.ts";
import { produceOne } from "../produce.ts";

/** Hono answers HEAD with the GET handler; this one writes a record, so HEAD never reaches it. */
const refuseHead = createMiddleware(async (c, next) => {
  if (c.req.method === "HEAD") {
    c.header("Allow", "GET");
    throw new KafkaPairError("METHOD_NOT_ALLOWED", "HEAD would send a ping: use GET");
  }
  await next();
});

/** The tutorial's `GET /kafka/health`: sends "ok" to `health`, answered from the delivery report. */
export function kafkaHealthRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();
  routes.get("/kafka/health", refuseHead, authenticate(authenticatorOf(deps)), async (c) => {
    authorize(c.get("principal"), healthTopic.name);
    const log = c.get("logger");
    const built = buildRecord(
      healthTopic,
      { data: { json: "ok" } },
      {
        namespace: deps.namespace,
        source: deps.eventSource,
        id: undefined,
        trace: undefined,
        newTrace: startTrace(),
        time: new Date().toISOString(),
        principal: c.get("principal"),
      },
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
