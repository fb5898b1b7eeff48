/**
 * One error type for the whole toolkit: a stable machine-readable code and whether retrying
 * the same request can succeed. No HTTP here: each HTTP app maps codes to statuses in its onError.
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

/**
 * Whether retrying the same request (or message) can succeed. HTTP statuses are the edge's
 * business, not this layer's: producer/src/http-status.ts and console/src/http-status.ts map codes.
 */
const retriable: Record<ErrorCode, boolean> = {
  MALFORMED_JSON: false,
  NOT_I_JSON: false,
  TOPIC_NOT_FOUND: false,
  UNAUTHORIZED: false,
  FORBIDDEN: false,
  // The token issuer's JWKS could not be fetched: not the client's fault.
  AUTH_UNAVAILABLE: true,
  IDEMPOTENCY_KEY_REUSED: false,
  // A record of an atomic batch that was valid but not stored because another one failed.
  NOT_STORED: true,
  TRANSACTION_ABORTED: true,
  NOT_FOUND: false,
  INVALID_REQUEST: false,
  METHOD_NOT_ALLOWED: false,
  REQUEST_TIMEOUT: true,
  EXPECTATION_FAILED: false,
  HEADERS_TOO_LARGE: false,
  CLIENT_CLOSED_REQUEST: true,
  FEATURE_UNAVAILABLE: false,
  PAYLOAD_TOO_LARGE: false,
  UNSUPPORTED_MEDIA_TYPE: false,
  INVALID_EVENT: false,
  INTERNAL: false,
  DELIVERY_FAILED: true,
  KAFKA_UNAVAILABLE: true,
  SHUTTING_DOWN: true,
  // The shared Idempotency-Key store is unreachable, or the first request with the key is still in flight.
  IDEMPOTENCY_UNAVAILABLE: true,
  DELIVERY_TIMEOUT: true,
  CONFIG_INVALID: false,
  CONTRACT_MISMATCH: false,
  // The consumer's offset store: another member moved the partition's stored position on, so this
  // claim is stale. Not retriable as it stands: the member must read the position again.
  STORE_FENCED: false,
  // The database could not be reached, was busy or aborted the transaction for a conflict: the same work may succeed.
  STORE_UNAVAILABLE: true,
  // A statement or a migration failed (syntax, constraint, type): repeating it fails the same way.
  STORE_FAILED: false,
};

export class KafkaPairError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "KafkaPairError";
    this.code = code;
    this.retriable = retriable[code];
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
