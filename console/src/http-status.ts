import type { ErrorCode } from "@kafka-pair/shared/errors";

/** The console's statuses for the codes it answers with (its guard, its routes, the cluster). */
const statuses: Partial<Record<ErrorCode, number>> = {
  MALFORMED_JSON: 400,
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  // Read-only: not on loopback and no token, or a change from another origin.
  FORBIDDEN: 403,
  TOPIC_NOT_FOUND: 404,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  KAFKA_UNAVAILABLE: 503,
};

/** The status the console answers an error code with; a code it does not expect is its own fault (500). */
export function httpStatusOf(code: ErrorCode): number {
  return statuses[code] ?? 500;
}
