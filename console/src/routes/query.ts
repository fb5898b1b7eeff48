import { KafkaPairError } from "@kafka-pair/shared/errors";

/** An optional whole-number query parameter within bounds, or 400 naming it. */
export function wholeNumber(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new KafkaPairError("INVALID_REQUEST", `${name} must be a whole number from ${min} to ${max}`, {
      issues: [{ path: name, message: `must be a whole number from ${min} to ${max}`, received: text }],
    });
  }
  return value;
}

/** An optional offset (a non-negative 64-bit integer) query parameter, or 400. */
export function offsetParam(name: string, text: string | undefined): bigint | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (!/^\d{1,19}$/.test(text.trim())) {
    throw new KafkaPairError("INVALID_REQUEST", `${name} must be an offset (a whole number >= 0)`, {
      issues: [{ path: name, message: "must be a whole number >= 0", received: text }],
    });
  }
  return BigInt(text.trim());
}

/** An optional point in time: ISO 8601 or epoch milliseconds, or 400. */
export function timeParam(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Date.parse(text.trim());
  if (!Number.isFinite(value)) {
    throw new KafkaPairError("INVALID_REQUEST", `${name} must be an ISO 8601 time or epoch milliseconds`, {
      issues: [{ path: name, message: "must be an ISO 8601 time or epoch milliseconds", received: text }],
    });
  }
  return value;
}

export const nonEmpty = (text: string | undefined) => (text === undefined || text === "" ? undefined : text);

/** The list pages' scope: the configured namespace's names, or (`?all=1`, or no namespace) all of them. */
export function scopeOf(prefix: string, allParam: string | undefined) {
  const all = prefix === "" || allParam === "1";
  return { all, keep: (name: string) => all || name.startsWith(prefix) };
}
