import { KafkaPairError } from "@kafka-pair/shared/errors";
import { createMiddleware } from "hono/factory";
import { singleTokenAuthenticator } from "./api-keys.ts";
import type { Authenticator, Principal } from "./principal.ts";

export { type ApiKey, apiKeyAuthenticator, parseApiKeys, singleTokenAuthenticator } from "./api-keys.ts";
export { type JwtSettings, jwtAuthenticator } from "./jwt.ts";
export { type Authenticator, mayProduce, type Principal } from "./principal.ts";

/** Tries each scheme in turn (JWTs, then API keys): the first that recognises the credential decides. */
export function anyOf(...schemes: Authenticator[]): Authenticator {
  return async (credential) => {
    for (const scheme of schemes) {
      const principal = await scheme(credential);
      if (principal) return principal;
    }
    return undefined;
  };
}

const challenge = (error?: string) =>
  error ? `Bearer realm="kafka-pair", error="${error}"` : 'Bearer realm="kafka-pair"';

/**
 * Identifies the caller of a producing route from `Authorization: Bearer <credential>` and sets
 * `principal`; 401 (with WWW-Authenticate) when it is missing or not valid. A no-op without any
 * configured scheme. Which topics the principal may write is checked by the route (403).
 */
export function authenticate(authenticator: Authenticator | undefined) {
  // Without authentication the guard is a plain pass-through: no async frame on every request.
  if (!authenticator) return createMiddleware((_c, next) => next());
  return createMiddleware<{ Variables: { principal?: Principal } }>(async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) {
      c.header("WWW-Authenticate", challenge());
      throw new KafkaPairError("UNAUTHORIZED", "missing bearer token");
    }
    let principal: Principal | undefined;
    try {
      principal = await authenticator(match[1]);
    } catch (err) {
      if (err instanceof KafkaPairError && err.code === "UNAUTHORIZED")
        c.header("WWW-Authenticate", challenge("invalid_token"));
      throw err;
    }
    if (!principal) {
      c.header("WWW-Authenticate", challenge("invalid_token"));
      throw new KafkaPairError("UNAUTHORIZED", "wrong bearer token");
    }
    c.set("principal", principal);
    await next();
  });
}

/** 403 unless the request's principal (if any: none without authentication) may produce to the topic. */
export function authorize(principal: Principal | undefined, topic: string): void {
  if (principal && !(principal.topics === "*" || principal.topics.has(topic))) {
    throw new KafkaPairError("FORBIDDEN", `${principal.id} may not produce to topic ${topic}`);
  }
}

/** The scheme a producer app uses: the one given, else the single token, else none. */
export function authenticatorOf(deps: {
  auth?: Authenticator;
  apiToken: string | undefined;
}): Authenticator | undefined {
  return deps.auth ?? (deps.apiToken ? singleTokenAuthenticator(deps.apiToken) : undefined);
}
