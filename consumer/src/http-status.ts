import type { ErrorCode } from "@kafka-pair/shared/errors";

/** The consumer's statuses for the codes its ops and orders routes answer with. */
const statuses: Partial<Record<ErrorCode, number>> = {
  INVALID_REQUEST: 400,
  NOT_FOUND: 404,
  // The database could not be reached or was busy: the same read may succeed shortly.
  STORE_UNAVAILABLE: 503,
  KAFKA_UNAVAILABLE: 503,
  SHUTTING_DOWN: 503,
};

/** The status the consumer answers an error code with; a code it does not expect is its own fault (500). */
export function httpStatusOf(code: ErrorCode): number {
  return statuses[code] ?? 500;
}
