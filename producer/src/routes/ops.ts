import { Hono } from "hono";
import type { ProducerDeps, ProducerEnv } from "../deps.ts";
import { openApiDocument } from "../openapi.ts";

export function opsRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();
  const openApi = openApiDocument();

  /** The process is up and serving HTTP. */
  routes.get("/health", (c) => c.json({ status: "up" }));
  /** Safe to send traffic: connected to the cluster, no fatal client error, not draining. */
  routes.get("/ready", (c) => {
    const connected = deps.producer.isReady();
    const ready = connected && !deps.isDraining();
    const stats = deps.producer.stats?.();
    return c.json(
      {
        ready,
        producer: connected ? "connected" : "unavailable",
        brokersUp: stats?.brokersUp ?? null,
        draining: deps.isDraining(),
      },
      ready ? 200 : 503,
    );
  });
  routes.get("/metrics", async (c) => {
    c.header("Content-Type", deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });
  routes.get("/openapi.json", (c) => c.json(openApi));
  return routes;
}
