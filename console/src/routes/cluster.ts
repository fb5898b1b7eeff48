import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";
import { clusterPage, roleCell } from "../pages/cluster.ts";
import { layout, scopeNote } from "../pages/layout.ts";
import { recordPage, topicPage } from "../pages/records.ts";
import { browse, MAX_LIMIT, MAX_SCAN } from "../records/browse.ts";
import { decodeRecord, topicRole } from "../records/decode.ts";
import { nonEmpty, offsetParam, scopeOf, timeParam, wholeNumber } from "./query.ts";

const DEFAULT_LIMIT = 50;

/** The cluster page, a topic's events, and one event in full. */
export function clusterRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();
  const ns = deps.namespace;

  routes.get("/", async (c) => {
    const scope = scopeOf(ns.prefix, c.req.query("all"));
    const [brokers, allTopics] = await Promise.all([deps.cluster.brokers(), deps.cluster.topics()]);
    const topics = allTopics.filter((t) => scope.keep(t.name));
    const view = {
      bootstrapServers: deps.bootstrapServers,
      brokers,
      topics: topics.map((info) => ({ info, role: topicRole(ns, info.name) })),
    };
    const body = html`${scopeNote(ns.prefix, scope.all, "/")}${clusterPage(view)}`;
    return c.html(layout("Cluster", body, { writable: c.get("writable") }));
  });

  const topicOr404 = async (name: string) => {
    const info = await deps.cluster.topic(name);
    if (!info) throw new KafkaPairError("TOPIC_NOT_FOUND", `no topic "${name}" on this cluster`);
    return info;
  };

  routes.get("/topics/:name", async (c) => {
    const name = c.req.param("name");
    const info = await topicOr404(name);
    const q = c.req.query();
    const partition = wholeNumber("partition", q.partition, 0, info.partitions.length - 1);
    const query = {
      partition,
      offset: partition === undefined ? undefined : offsetParam("offset", q.offset),
      since: timeParam("since", q.since),
      key: nonEmpty(q.key),
      scan: wholeNumber("scan", q.scan, 1, MAX_SCAN),
      limit: wholeNumber("limit", q.limit, 1, MAX_LIMIT) ?? DEFAULT_LIMIT,
    };
    const result = await browse(deps.cluster, info, query);
    const role = topicRole(ns, name);
    const roleBadge = roleCell(role);
    const records = result.records.map((r) => decodeRecord(role, r));
    const page = topicPage({
      info,
      roleBadge,
      query,
      result,
      records,
      sinceText: q.since ?? "",
      writable: c.get("writable"),
      produceHref:
        role.kind === "contract" && c.get("writable")
          ? `/produce/${encodeURIComponent(role.contract.name)}`
          : undefined,
    });
    return c.html(layout(name, page, { writable: c.get("writable") }));
  });

  routes.get("/topics/:name/records/:partition/:offset", async (c) => {
    const name = c.req.param("name");
    const info = await topicOr404(name);
    const partition = wholeNumber("partition", c.req.param("partition"), 0, info.partitions.length - 1) ?? 0;
    const offset = offsetParam("offset", c.req.param("offset")) ?? 0n;
    const [stored] = await deps.cluster.read({ topic: name, partition, from: offset, to: offset + 1n });
    if (!stored || stored.offset !== String(offset)) {
      throw new KafkaPairError(
        "NOT_FOUND",
        `no record at ${name}/${partition}/${offset} (deleted, aborted, or a transaction marker)`,
      );
    }
    const record = decodeRecord(topicRole(ns, name), stored);
    const title = `${name} / ${partition} / ${offset}`;
    return c.html(
      layout(title, recordPage(record, stored, c.req.query("raw") === "1"), { writable: c.get("writable") }),
    );
  });

  return routes;
}
