import { timingSafeEqual } from "node:crypto";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { MiddlewareHandler } from "hono";

export interface GuardOptions {
  /** The console listens on a loopback address only. */
  loopback: boolean;
  /** The producer's token; required on changing routes when the console is not on loopback. */
  apiToken: string | undefined;
}

const LOOPBACK_HOSTS = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Whether the console may change the cluster at all (the pages show their forms only then). */
export const canWrite = (options: GuardOptions) => options.loopback || options.apiToken !== undefined;

/**
 * In front of every route that changes the cluster (replay, produce). The console is read-only
 * unless it listens on loopback, or the producer's token is configured and sent as
 * `Authorization: Bearer <token>`. Requests must be JSON from this console's own origin: a page on
 * another site cannot post here (no CORS, and a JSON body needs a preflight), and on loopback
 * the Host header must name loopback, so a DNS-rebound name cannot reach it either.
 */
export function writeGuard(options: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    const url = new URL(c.req.url);
    if (origin !== undefined && origin !== url.origin) {
      throw new KafkaPairError("FORBIDDEN", `requests from ${origin} may not change the cluster`);
    }
    if (!c.req.header("content-type")?.toLowerCase().startsWith("application/json")) {
      throw new KafkaPairError("UNSUPPORTED_MEDIA_TYPE", "send application/json");
    }
    const authorization = c.req.header("authorization");
    if (options.apiToken !== undefined && authorization !== undefined) {
      const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
      if (!token || !sameToken(token, options.apiToken)) throw new KafkaPairError("UNAUTHORIZED", "wrong token");
      return next();
    }
    if (options.loopback) {
      if (!LOOPBACK_HOSTS.test(c.req.header("host") ?? url.host)) {
        throw new KafkaPairError("FORBIDDEN", "a loopback console answers changes only under a loopback host name");
      }
      return next();
    }
    if (options.apiToken !== undefined) {
      throw new KafkaPairError("UNAUTHORIZED", "send the producer's token as Authorization: Bearer <token>");
    }
    throw new KafkaPairError(
      "FORBIDDEN",
      "the console is read-only: it listens beyond loopback and no PRODUCER_API_TOKEN is configured",
    );
  };
}
