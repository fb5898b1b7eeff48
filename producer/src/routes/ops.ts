import { Hono } from "hono";
import type { ProducerDeps, ProducerEnv } from "../app.ts";

export function opsRoutes(deps: ProducerDeps) {
  const routes = new Hono<ProducerEnv>();
  /** The process is up and serving HTTP. */
  routes.get("/health", (c) => c.json({ status: "up" }));
  /** Safe to send traffic: the producer is connected and not draining. */
  routes.get("/ready", (c) => {
    const ready = deps.producer.isReady() && !deps.isDraining();
    return c.json(
      { ready, producer: deps.producer.isReady() ? "connected" : "disconnected", draining: deps.isDraining() },
      ready ? 200 : 503,
    );
  });
  return routes;
}
