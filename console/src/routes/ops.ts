import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import pTimeout from "p-timeout";
import type { ConsoleDeps, ConsoleEnv } from "../deps.ts";

const READY_TIMEOUT_MS = 5_000;

/** Health (the process is up), readiness (a broker answered), and the browser assets. */
export function opsRoutes(deps: ConsoleDeps) {
  const routes = new Hono<ConsoleEnv>();
  routes.get("/health", (c) => c.json({ status: "ok" }));
  routes.get("/ready", async (c) => {
    // The async thunk turns a synchronous throw (a cluster asked before it connected) into a
    // rejection; pTimeout clears its timer on every path, so nothing is left to fire after the answer.
    const brokers = await pTimeout((async () => deps.cluster.brokers())(), {
      milliseconds: READY_TIMEOUT_MS,
      fallback: () => {
        throw new Error("timed out");
      },
    }).catch((err: Error) => {
      throw new KafkaPairError("KAFKA_UNAVAILABLE", `no answer from the cluster: ${err.message}`);
    });
    const up = brokers.filter((b) => b.reachable).length;
    if (up === 0) throw new KafkaPairError("KAFKA_UNAVAILABLE", "no broker reachable");
    return c.json({ status: "ready", brokers: brokers.length, reachable: up });
  });
  // Browsers ask for it on every page: an empty answer instead of a 404 page.
  routes.get("/favicon.ico", (c) => c.body(null, 204));
  routes.get("/assets/:file", (c) => {
    const asset = deps.assets.get(c.req.param("file"));
    if (!asset) throw new KafkaPairError("NOT_FOUND", "no such asset");
    c.header("Content-Type", asset.type);
    c.header("Cache-Control", "no-cache");
    return c.body(asset.body);
  });
  return routes;
}
