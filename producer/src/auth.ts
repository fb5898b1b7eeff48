import { KafkaPairError } from "@kafka-pair/shared/errors";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";

/** Bearer-token guard for the routes that produce; a no-op when no token is configured. */
export function requireToken(token: string | undefined) {
  // Without a token the guard is a plain pass-through: no async frame on every request.
  if (!token) return createMiddleware((_c, next) => next());
  return createMiddleware(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1] || !(await timingSafeEqual(match[1], token))) {
      c.header("WWW-Authenticate", 'Bearer realm="kafka-pair"');
      throw new KafkaPairError("UNAUTHORIZED", match ? "wrong bearer token" : "missing bearer token");
    }
    await next();
  });
}
