import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { ProducerDeps, ProducerEnv } from "./deps.ts";
import { httpStatusOf } from "./http-status.ts";
import { kafkaHealthRoutes } from "./routes/kafka-health.ts";
import { opsRoutes } from "./routes/ops.ts";
import { topicRoutes } from "./routes/topics.ts";

// The routes import these from deps.ts (not from here): no cycle between the app and its routes.
export type { ProducerDeps, ProducerEnv } from "./deps.ts";

/** The methods of each path; another method gets 405 with this Allow header. HEAD is GET without side effects. */
export const allowedMethods: Record<string, string> = {
  "/topics/:topic": "POST",
  "/kafka/health": "GET",
  "/health": "GET, HEAD",
  "/ready": "GET, HEAD",
  "/metrics": "GET, HEAD",
  "/openapi.json": "GET, HEAD",
};

/**
 * The client hung up before its request was read: not the server's error. The request's signal
 * says so on Deno and on @hono/node-server (which aborts it when the socket closes early).
 */
function clientClosed(request: Request, err: unknown): boolean {
  if (err instanceof KafkaPairError) return false;
  try {
    return request.signal.aborted;
  } catch {
    return false;
  }
}

/** The producer's HTTP edge: web-standard Hono, no Node-only imports, so Deno can serve it too. */
export function createProducerApp(deps: ProducerDeps) {
  const app = new Hono<ProducerEnv>();
  app.use(requestId());
  const { mode, sampleEvery } = deps.accessLog ?? { mode: "sampled", sampleEvery: 100 };
  let answered = 0;
  app.use(async (c, next) => {
    const started = performance.now();
    c.set("logger", deps.logger.child({ requestId: c.get("requestId") }));
    await next();
    const status = c.res.status;
    const route = c.req.routePath;
    deps.metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) });
    // A line per request is a synchronous stdout write: sampled by default (ACCESS_LOG, docs/benchmark.md).
    answered++;
    if (mode === "off" || (mode === "sampled" && status < 500 && answered % sampleEvery !== 0)) return;
    const ms = Math.round((performance.now() - started) * 100) / 100;
    c.get("logger").info({ method: c.req.method, route, status, ms, principal: c.get("principal")?.id }, "request");
  });
  app.route("/", opsRoutes(deps));
  app.route("/", topicRoutes(deps));
  app.route("/", kafkaHealthRoutes(deps));

  // A known path with another method: 405 naming the methods it has (after the real handlers).
  for (const [path, allow] of Object.entries(allowedMethods)) {
    app.all(path, (c) => {
      c.header("Allow", allow);
      throw new KafkaPairError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${allow}`);
    });
  }
  app.notFound(() => {
    throw new KafkaPairError("NOT_FOUND", "no such route");
  });
  app.onError((err, c) => {
    const error = clientClosed(c.req.raw, err)
      ? new KafkaPairError("CLIENT_CLOSED_REQUEST", "the client closed the request before it was read", { cause: err })
      : err instanceof KafkaPairError
        ? err
        : new KafkaPairError("INTERNAL", "internal error", { cause: err });
    const log = c.get("logger") ?? deps.logger;
    const status = httpStatusOf(error.code);
    if (status >= 500 && status !== 499) log.error({ err, code: error.code }, error.message);
    else log.info({ code: error.code, status }, error.message);
    if (status === 503) c.header("Retry-After", "1");
    return c.json(error.toJSON(), status as 400);
  });
  return app;
}
