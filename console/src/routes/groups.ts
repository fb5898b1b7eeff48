import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { groupLag, totalLag } from "../groups/lag.ts";
import { type GroupRow, groupPage, groupsPage } from "../pages/groups.ts";
import { layout, scopeNote } from "../pages/layout.ts";
import { scopeOf } from "./query.ts";

/** Consumer groups: the list with their lag, one group in full, and its sampled lag series. */
export function groupRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();

  routes.get("/groups", async (c) => {
    const scope = scopeOf(deps.namespace.prefix, c.req.query("all"));
    const rows: GroupRow[] = [];
    for (const summary of (await deps.cluster.groups()).filter((g) => scope.keep(g.groupId))) {
      const group = await deps.cluster.group(summary.groupId);
      rows.push({
        ...summary,
        members: group?.members.length ?? 0,
        lag: group ? totalLag(await groupLag(deps.cluster, group)) : undefined,
      });
    }
    const body = html`${scopeNote(deps.namespace.prefix, scope.all, "/groups")}${groupsPage(rows)}`;
    return c.html(layout("Consumer groups", body, { writable: c.get("writable") }));
  });

  routes.get("/groups/:id", async (c) => {
    const id = c.req.param("id");
    const group = await deps.cluster.group(id);
    if (!group) throw new KafkaPairError("NOT_FOUND", `no consumer group "${id}"`);
    const lags = await groupLag(deps.cluster, group);
    return c.html(
      layout(`Group ${id}`, groupPage(group, lags, totalLag(lags)), { writable: c.get("writable"), script: "chart" }),
    );
  });

  routes.get("/api/groups/:id/samples", (c) => c.json({ samples: deps.sampler.series(c.req.param("id")) }));

  return routes;
}
