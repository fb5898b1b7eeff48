// The store's errors: KafkaPairErrors that name the database (never a password) and what failed.
import { KafkaPairError } from "@kafka-pair/shared/errors";
import type { PositionClaim } from "./types.ts";

/** Whether repeating the same work may succeed: the database was unreachable, busy, or gave up on a conflict. */
export type Failure = "unavailable" | "failed";

/** A one-line view of a statement for a message: its first 80 characters, whitespace folded. */
export function statementOf(sql: string): string {
  const folded = sql.replace(/\s+/g, " ").trim();
  return folded.length > 80 ? `${folded.slice(0, 77)}...` : folded;
}

/** `what` failed on `database`, with the driver's own words and the error kept as the cause. */
export function storeError(database: string, what: string, cause: unknown, failure: Failure): KafkaPairError {
  if (cause instanceof KafkaPairError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const code = failure === "unavailable" ? "STORE_UNAVAILABLE" : "STORE_FAILED";
  return new KafkaPairError(code, `${database}: ${what} failed: ${reason}`, { cause });
}

/** The claim lost: another member (or an earlier run of this one) moved the partition's position on. */
export function fenced(database: string, claim: PositionClaim, stored: string | undefined): KafkaPairError {
  const where = `group ${claim.groupId}, ${claim.topic}[${claim.partition}]`;
  const want = claim.expected === undefined ? "no stored position" : `position ${claim.expected}`;
  const have = stored === undefined ? "none" : stored;
  return new KafkaPairError(
    "STORE_FENCED",
    `${database}: claim on ${where} expected ${want} but the store holds ${have}: another member moved it on; nothing was written`,
  );
}

/** A password in a connection URL stays out of every log line and error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/:@/, "@");
  } catch {
    return "(unparsable database URL)";
  }
}
