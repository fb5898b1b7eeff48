import { Hono } from "hono";
import type { SubscriptionRunner } from "./runner.ts";

export interface ConsumerDeps {
  runners: readonly SubscriptionRunner[];
  isDraining: () => boolean;
}

/** The consumer's small HTTP side: liveness, readiness and what each group has done. */
export function createConsumerApp(deps: ConsumerDeps) {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "up" }));
  app.get("/ready", (c) => {
    const groups = deps.runners.map((r) => ({ groupId: r.subscription.groupId, assigned: r.isAssigned() }));
    const ready = !deps.isDraining() && groups.every((g) => g.assigned);
    return c.json({ ready, groups }, ready ? 200 : 503);
  });
  app.get("/status", (c) =>
    c.json({
      draining: deps.isDraining(),
      groups: deps.runners.map((r) => ({
        groupId: r.subscription.groupId,
        topic: r.subscription.contract.name,
        assigned: r.isAssigned(),
        ...r.stats,
      })),
    }),
  );
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: "no such route", retriable: false } }, 404));
  return app;
}
