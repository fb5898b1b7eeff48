import { KafkaPairError } from "@kafka-pair/shared/errors";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { ConsoleDeps, ConsoleEnv } from "./deps.ts";
import { canWrite } from "./guard/guard.ts";
import { httpStatusOf } from "./http-status.ts";
import { clusterRoutes } from "./routes/cluster.ts";
import { deadLetterRoutes } from "./routes/dead-letters.ts";
import { groupRoutes } from "./routes/groups.ts";
import { opsRoutes } from "./routes/ops.ts";
import { produceRoutes } from "./routes/produce.ts";
import { tailRoutes } from "./routes/tail.ts";

export type { ConsoleDeps, ConsoleEnv } from "./deps.ts";

/**
 * The console: server-rendered pages (hono/html escapes every interpolated value), a few JSON
 * and server-sent-event routes under /api, and the browser scripts under /assets.
 */
export function createConsoleApp(deps: ConsoleDeps) {
  const app = new Hono<ConsoleEnv>();
  // Scripts only from this origin's files: no inline script, no eval, no plug-ins, no framing.
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  const writable = canWrite(deps.guard);
  app.use(async (c, next) => {
    c.set("writable", writable);
    await next();
  });
  app.route("/", opsRoutes(deps));
  app.route("/", clusterRoutes(deps));
  app.route("/", groupRoutes(deps));
  app.route("/", deadLetterRoutes(deps));
  app.route("/", tailRoutes(deps));
  app.route("/", produceRoutes(deps));

  app.notFound(() => {
    throw new KafkaPairError("NOT_FOUND", "no such page");
  });
  app.onError((err, c) => {
    const error =
      err instanceof KafkaPairError
        ? err
        : new KafkaPairError("KAFKA_UNAVAILABLE", `the cluster did not answer: ${err.message}`, { cause: err });
    const status = httpStatusOf(error.code);
    if (status >= 500) deps.logger.error({ err, path: c.req.path }, "console request failed");
    const body = {
      error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
    };
    if (c.req.path.startsWith("/api/") || c.req.header("accept")?.includes("application/json")) {
      return c.json(body, status as 400);
    }
    return c.html(errorPage(error, status), status as 400);
  });
  return app;
}

const escapeText = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function errorPage(error: KafkaPairError, status: number): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${status} · kafka-pair console</title>
<link rel="stylesheet" href="/assets/console.css"></head><body><main><h1>${status} ${escapeText(error.code)}</h1>
<p>${escapeText(error.message)}</p><p><a href="/">back to the cluster</a></p></main></body></html>`;
}
