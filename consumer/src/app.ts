import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { Logger } from "@kafka-pair/shared/log";
import { Hono } from "hono";
import type { Registry } from "prom-client";
import { type FindOrder, orderRoutes } from "./routes/orders.ts";
import type { SubscriptionRunner } from "./runner.ts";

export interface ConsumerDeps {
  runners: readonly SubscriptionRunner[];
  isDraining: () => boolean;
  registry: Registry;
  /** False while the cluster can't be reached (a group stays "joined" through an outage); absent = not checked. */
  kafkaReady?: () => boolean;
  /** The example's stored orders (GET /orders/:orderId); absent: no such route. */
  findOrder?: FindOrder;
  /** Where failures answered with a 5xx are logged. */
  logger?: Logger;
}

/** The consumer's small HTTP side: liveness, readiness, what each group has done, metrics, the stored orders. */
export function createConsumerApp(deps: ConsumerDeps) {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "up" }));
  app.get("/ready", (c) => {
    // Dead letters waiting to be written and stopped partitions are reported, not failed on:
    // restarting the worker would not write them sooner.
    const groups = deps.runners.map((r) => ({ groupId: r.subscription.groupId, joined: r.isReady(), ...r.health() }));
    const kafka = deps.kafkaReady?.() ?? true;
    const ready = !deps.isDraining() && kafka && groups.every((g) => g.joined);
    return c.json({ ready, kafka: kafka ? "connected" : "unavailable", groups }, ready ? 200 : 503);
  });
  app.get("/status", (c) =>
    c.json({
      draining: deps.isDraining(),
      groups: deps.runners.map((r) => {
        const partitions = r.partitions();
        const lags = partitions.flatMap((p) => (p.lag === undefined ? [] : [p.lag]));
        return {
          groupId: r.subscription.groupId,
          topic: r.subscription.contract.name,
          joined: r.isReady(),
          assigned: r.assignment().map((tp) => tp.partition),
          ...r.stats,
          lag: lags.length > 0 ? lags.reduce((a, b) => a + b, 0) : undefined,
          partitions,
        };
      }),
    }),
  );
  app.get("/metrics", async (c) => {
    const body = await deps.registry.metrics();
    return c.body(body, 200, { "content-type": deps.registry.contentType });
  });
  if (deps.findOrder) app.route("/", orderRoutes(deps.findOrder));
  app.notFound(() => {
    throw new KafkaPairError("NOT_FOUND", "no such route");
  });
  // One error shape for every route: the KafkaPairError's own status and JSON body.
  app.onError((err, c) => {
    const error =
      err instanceof KafkaPairError ? err : new KafkaPairError("INTERNAL", "internal error", { cause: err });
    if (error.status >= 500) deps.logger?.error({ err, code: error.code, path: c.req.path }, error.message);
    if (error.status === 503) c.header("Retry-After", "1");
    return c.json(error.toJSON(), error.status as 400);
  });
  return app;
}
