import type { ErrorCode } from "@kafka-pair/shared/errors";

/**
 * The edge's HTTP status for each error code: the one map the app's onError, the per-item
 * answers of a batch and the raw socket errors of the Node server read.
 */
const statuses: Record<ErrorCode, number> = {
  MALFORMED_JSON: 400,
  // Valid JSON whose meaning depends on the parser: a member name twice, a lone surrogate (RFC 7493).
  NOT_I_JSON: 400,
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  // Authenticated, but this principal may not produce to this topic.
  FORBIDDEN: 403,
  TOPIC_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  // Node's HTTP parser gave up waiting for the request's headers or body.
  REQUEST_TIMEOUT: 408,
  IDEMPOTENCY_KEY_REUSED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  // An Expect header other than 100-continue.
  EXPECTATION_FAILED: 417,
  INVALID_EVENT: 422,
  // A record of an atomic batch that was valid but not stored because another one failed.
  NOT_STORED: 424,
  HEADERS_TOO_LARGE: 431,
  // The client hung up before its request was read: only a metrics label and a log line, no one hears it.
  CLIENT_CLOSED_REQUEST: 499,
  INTERNAL: 500,
  CONFIG_INVALID: 500,
  CONTRACT_MISMATCH: 500,
  FEATURE_UNAVAILABLE: 501,
  DELIVERY_FAILED: 502,
  TRANSACTION_ABORTED: 502,
  KAFKA_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
  // The token issuer's JWKS could not be fetched: not the client's fault.
  AUTH_UNAVAILABLE: 503,
  // The shared Idempotency-Key store is unreachable, or the first request with the key is still in flight.
  IDEMPOTENCY_UNAVAILABLE: 503,
  DELIVERY_TIMEOUT: 504,
  // The consumer's offset store: the edge never answers these, they are listed to keep the map whole.
  STORE_FENCED: 409,
  STORE_FAILED: 500,
  STORE_UNAVAILABLE: 503,
};

/** The status the edge answers an error code with. */
export function httpStatusOf(code: ErrorCode): number {
  return statuses[code];
}
