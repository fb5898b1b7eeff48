import { KafkaPairError } from "@kafka-pair/shared/errors";
import { errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";
import type { Authenticator, Principal } from "./principal.ts";

export interface JwtSettings {
  /** The keys: `createRemoteJWKSet(new URL(PRODUCER_JWKS_URL))` in production. */
  keys: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Claim listing the topics the subject may produce to: an array, a space-separated string, or "*". */
  topicsClaim: string;
}

// A compact JWS: three base64url parts. Anything else is left to the API keys.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const unauthorized = (message: string) => new KafkaPairError("UNAUTHORIZED", message);

function topicsOf(payload: JWTPayload, claim: string): Principal["topics"] {
  const value = payload[claim];
  if (value === "*") return "*";
  const list = typeof value === "string" ? value.split(" ").filter(Boolean) : value;
  if (!Array.isArray(list) || !list.every((t) => typeof t === "string"))
    throw unauthorized(`token has no "${claim}" claim listing topics`);
  return new Set(list as string[]);
}

/**
 * JWTs signed by a key of the issuer's JWKS (jose: signature, `exp`/`nbf` with 30 s of clock
 * tolerance, `iss`, `aud`; asymmetric algorithms only, so a token can't be signed with a public
 * key as an HMAC secret). The subject (`sub`) is the principal.
 */
export function jwtAuthenticator(settings: JwtSettings): Authenticator {
  return async (credential) => {
    if (!COMPACT_JWS.test(credential)) return undefined;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(credential, settings.keys, {
        issuer: settings.issuer,
        audience: settings.audience,
        clockTolerance: 30,
        algorithms: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"],
      }));
    } catch (err) {
      throw refusal(err);
    }
    if (!payload.sub) throw unauthorized("token has no subject (sub)");
    return { id: payload.sub, type: "user", topics: topicsOf(payload, settings.topicsClaim) };
  };
}

/** jose's error → 401 naming the reason, or 503 when the issuer's keys could not be fetched. */
function refusal(err: unknown): KafkaPairError {
  if (err instanceof errors.JWTExpired) return unauthorized("token expired");
  if (err instanceof errors.JWTClaimValidationFailed)
    return unauthorized(`token claim ${err.claim} is not valid: ${err.reason}`);
  if (err instanceof errors.JWSSignatureVerificationFailed) return unauthorized("token signature does not verify");
  if (err instanceof errors.JWKSNoMatchingKey) return unauthorized("token is not signed by a key of the issuer's JWKS");
  if (err instanceof errors.JOSEAlgNotAllowed) return unauthorized("token algorithm is not allowed");
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError))
    return new KafkaPairError("AUTH_UNAVAILABLE", "the token issuer's keys (JWKS) could not be fetched", {
      cause: err,
    });
  return unauthorized(`token is not valid: ${(err as Error).message}`);
}
