import { randomBytes } from "node:crypto";
import { contracts } from "@kafka-pair/shared/contracts";
import { declaredTopics } from "@kafka-pair/shared/runtime";
import type { AdminTransport } from "@kafka-pair/shared/transport";
import { beforeAll, describe, expect, it } from "vitest";
import { anOrder, readJson } from "../helpers/events.ts";
import { totalEndOffset, useAdmin, useNamespace } from "../helpers/kafka.ts";
import { startWorker, type Worker } from "../helpers/workers.ts";
import { reportFigures } from "./helpers.ts";

const TOKEN = randomBytes(24).toString("hex");
/** Routes that never write to Kafka; every other route of the OpenAPI document must need the token. */
const READ_ONLY = new Set(["/health", "/ready", "/metrics", "/openapi.json"]);

function bodyFor(path: string): { body?: string; headers: Record<string, string> } {
  if (path === "/topics/health") return { body: '"ok"', headers: { "content-type": "application/json" } };
  if (path.startsWith("/topics/"))
    return { body: JSON.stringify(anOrder()), headers: { "content-type": "application/json" } };
  return { headers: {} };
}

// With PRODUCER_API_TOKEN set, nothing is written without it; and no URL ever creates a topic.
describe("producer security basics", () => {
  const ns = useNamespace();
  let admin: AdminTransport;
  let producer: Worker;
  const topics = declaredTopics(contracts).map((t) => ns.topic(t.logicalName));
  const offsets = () => Promise.all(topics.map((t) => totalEndOffset(admin, t)));

  beforeAll(async () => {
    admin = await useAdmin();
    producer = await startWorker("producer", { KAFKA_NAMESPACE: ns.prefix, PRODUCER_API_TOKEN: TOKEN });
  });

  it("refuses every producing route without the right bearer token, and accepts it with the token", async () => {
    const doc = await readJson(await fetch(`${producer.url}/openapi.json`));
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => !READ_ONLY.has(path))
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ path, method: method.toUpperCase() })));
    // The tutorial's ping and one route per contract topic, at least.
    expect(routes.length).toBeGreaterThanOrEqual(1 + contracts.length);

    const before = await offsets();
    const refused: string[] = [];
    for (const { path, method } of routes) {
      for (const auth of [undefined, "Bearer wrong-token-of-some-length", `Basic ${TOKEN}`, TOKEN, "Bearer "]) {
        for (const query of ["", "?atomic=true"]) {
          const { body, headers } = bodyFor(path);
          const res = await fetch(`${producer.url}${path}${query}`, {
            method,
            headers: { ...headers, ...(auth === undefined ? {} : { authorization: auth }) },
            body: body && query ? `[${body}]` : body,
          });
          expect({ path, method, auth, status: res.status, code: (await readJson(res)).error?.code }).toEqual({
            path,
            method,
            auth,
            status: 401,
            code: "UNAUTHORIZED",
          });
          expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
          refused.push(`${method} ${path}${query}`);
        }
      }
    }
    expect(await offsets()).toEqual(before);

    for (const { path, method } of routes) {
      const { body, headers } = bodyFor(path);
      const res = await fetch(`${producer.url}${path}`, {
        method,
        headers: { ...headers, authorization: `Bearer ${TOKEN}` },
        body,
      });
      expect({ path, status: res.status }).toEqual({ path, status: path === "/kafka/health" ? 200 : 201 });
    }
    const stored = (await offsets()).reduce((sum, o, i) => sum + Number(o - (before[i] ?? 0n)), 0);
    expect(stored).toBe(routes.length);
    reportFigures("8a. bearer token on producing routes", {
      acknowledged: routes.length,
      readBack: stored,
      lost: routes.length - stored,
      duplicated: 0,
      refusedWithoutToken: refused.length,
      offsetsMovedByRefused: 0,
    });
  });

  it("writes only contract topics: a URL naming another topic gets 404 and creates nothing", async () => {
    const names = ["brand-new-topic", `x${randomBytes(3).toString("hex")}`, "orders.dlq", "__consumer_offsets"];
    for (const name of names) {
      const res = await fetch(`${producer.url}/topics/${encodeURIComponent(name)}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(anOrder()),
      });
      expect({ name, status: res.status, code: (await readJson(res)).error?.code }).toEqual({
        name,
        status: 404,
        code: "TOPIC_NOT_FOUND",
      });
    }
    const fresh = names.slice(0, 2);
    const existing = await admin.describeTopics([...fresh, ...fresh.map((n) => ns.topic(n))]);
    expect([...existing.keys()]).toEqual([]);
  });
});
