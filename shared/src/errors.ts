/**
 * One error type for the whole toolkit: a stable machine-readable code, the HTTP
 * status it maps to at the edge, and whether retrying the same request can succeed.
 */
export const ErrorCode = {
  MALFORMED_JSON: "MALFORMED_JSON",
  NOT_I_JSON: "NOT_I_JSON",
  TOPIC_NOT_FOUND: "TOPIC_NOT_FOUND",
  INVALID_EVENT: "INVALID_EVENT",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  KAFKA_UNAVAILABLE: "KAFKA_UNAVAILABLE",
  DELIVERY_FAILED: "DELIVERY_FAILED",
  DELIVERY_TIMEOUT: "DELIVERY_TIMEOUT",
  TRANSACTION_ABORTED: "TRANSACTION_ABORTED",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  AUTH_UNAVAILABLE: "AUTH_UNAVAILABLE",
  IDEMPOTENCY_KEY_REUSED: "IDEMPOTENCY_KEY_REUSED",
  IDEMPOTENCY_UNAVAILABLE: "IDEMPOTENCY_UNAVAILABLE",
  NOT_STORED: "NOT_STORED",
  SHUTTING_DOWN: "SHUTTING_DOWN",
  CONFIG_INVALID: "CONFIG_INVALID",
  CONTRACT_MISMATCH: "CONTRACT_MISMATCH",
  NOT_FOUND: "NOT_FOUND",
  INVALID_REQUEST: "INVALID_REQUEST",
  METHOD_NOT_ALLOWED: "METHOD_NOT_ALLOWED",
  REQUEST_TIMEOUT: "REQUEST_TIMEOUT",
  EXPECTATION_FAILED: "EXPECTATION_FAILED",
  HEADERS_TOO_LARGE: "HEADERS_TOO_LARGE",
  CLIENT_CLOSED_REQUEST: "CLIENT_CLOSED_REQUEST",
  FEATURE_UNAVAILABLE: "FEATURE_UNAVAILABLE",
  STORE_FENCED: "STORE_FENCED",
  STORE_UNAVAILABLE: "STORE_UNAVAILABLE",
  STORE_FAILED: "STORE_FAILED",
  INTERNAL: "INTERNAL",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** A failing field of a request body, as a dotted path (`items.0.quantity`). */
export interface FieldIssue {
  path: string;
  message: string;
  expected?: string | null;
  received?: string;
}

interface ErrorSpec {
  status: number;
  retriable: boolean;
}

const specs: Record<ErrorCode, ErrorSpec> = {
  MALFORMED_JSON: { status: 400, retriable: false },
  // Valid JSON whose meaning depends on the parser: a member name twice, a lone surrogate (RFC 7493).
  NOT_I_JSON: { status: 400, retriable: false },
  TOPIC_NOT_FOUND: { status: 404, retriable: false },
  UNAUTHORIZED: { status: 401, retriable: false },
  // Authenticated, but not allowed: this principal may not produce to this topic (producer), or the
  // console refuses a change to the cluster (read-only: not on loopback, no token; or another origin).
  FORBIDDEN: { status: 403, retriable: false },
  // The token issuer's JWKS could not be fetched: not the client's fault.
  AUTH_UNAVAILABLE: { status: 503, retriable: true },
  IDEMPOTENCY_KEY_REUSED: { status: 409, retriable: false },
  // A record of an atomic batch that was valid but not stored because another one failed.
  NOT_STORED: { status: 424, retriable: true },
  TRANSACTION_ABORTED: { status: 502, retriable: true },
  NOT_FOUND: { status: 404, retriable: false },
  INVALID_REQUEST: { status: 400, retriable: false },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false },
  // Node's HTTP parser gave up waiting for the request's headers or body.
  REQUEST_TIMEOUT: { status: 408, retriable: true },
  // An Expect header other than 100-continue.
  EXPECTATION_FAILED: { status: 417, retriable: false },
  HEADERS_TOO_LARGE: { status: 431, retriable: false },
  // The client hung up before its request was read: only a metrics label and a log line, no one hears it.
  CLIENT_CLOSED_REQUEST: { status: 499, retriable: true },
  FEATURE_UNAVAILABLE: { status: 501, retriable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  INVALID_EVENT: { status: 422, retriable: false },
  INTERNAL: { status: 500, retriable: false },
  DELIVERY_FAILED: { status: 502, retriable: true },
  KAFKA_UNAVAILABLE: { status: 503, retriable: true },
  SHUTTING_DOWN: { status: 503, retriable: true },
  // The shared Idempotency-Key store is unreachable, or the first request with the key is still in flight.
  IDEMPOTENCY_UNAVAILABLE: { status: 503, retriable: true },
  DELIVERY_TIMEOUT: { status: 504, retriable: true },
  CONFIG_INVALID: { status: 500, retriable: false },
  CONTRACT_MISMATCH: { status: 500, retriable: false },
  // The consumer's offset store: another member moved the partition's stored position on, so this
  // claim is stale. Not retriable as it stands: the member must read the position again.
  STORE_FENCED: { status: 409, retriable: false },
  // The database could not be reached, was busy or aborted the transaction for a conflict: the same work may succeed.
  STORE_UNAVAILABLE: { status: 503, retriable: true },
  // A statement or a migration failed (syntax, constraint, type): repeating it fails the same way.
  STORE_FAILED: { status: 500, retriable: false },
};

export class KafkaPairError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "KafkaPairError";
    this.code = code;
    this.status = specs[code].status;
    this.retriable = specs[code].retriable;
    this.issues = options.issues;
  }

  toJSON() {
    return {
      error: {
        code: this.code,
        message: this.message,
        retriable: this.retriable,
        ...(this.issues ? { issues: this.issues } : {}),
      },
    };
  }
}
