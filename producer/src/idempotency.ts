import { KafkaPairError } from "@kafka-pair/shared/errors";
import canonicalize from "canonicalize";
import { LRUCache } from "lru-cache";
import { mediaType } from "./ingest/parse.ts";

export interface Answer {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  answer: Promise<Answer>;
}

/**
 * Remembers the answer given to each Idempotency-Key for a window, so a client's retry gets the
 * first answer and produces nothing new. Same key with another request: IDEMPOTENCY_KEY_REUSED.
 * A duplicate that arrives while the first is in flight waits for it: one produce, every caller
 * gets the answer. Only stored records are remembered; a failed attempt can be retried.
 */
export interface IdempotencyStore {
  run(
    scope: string,
    key: string,
    fingerprint: string,
    work: () => Promise<Answer>,
  ): Promise<Answer & { replayed: boolean }>;
  /** Releases the store's connections (the shared store); the producer calls it on shutdown. */
  close(): Promise<void>;
}

/** Whether an answer is remembered: something was stored (201, or a 207 with some stored). */
export const isRemembered = (answer: Answer) => answer.status < 300 || answer.status === 207;

/** One instance's store: in memory, bounded (the oldest keys go first), the default. */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #entries: LRUCache<string, Entry>;

  constructor(options: { maxKeys: number; windowMs: number }) {
    this.#entries = new LRUCache({ max: options.maxKeys, ttl: options.windowMs });
  }

  async run(
    scope: string,
    key: string,
    fingerprint: string,
    work: () => Promise<Answer>,
  ): Promise<Answer & { replayed: boolean }> {
    const id = `${scope}\n${key}`;
    const existing = this.#entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint) {
        throw new KafkaPairError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request body");
      }
      // A retry that arrives while the first attempt is still in flight waits for it.
      return { ...(await existing.answer), replayed: true };
    }
    const answer = work();
    this.#entries.set(id, { fingerprint, answer });
    try {
      const result = await answer;
      if (!isRemembered(result)) this.#entries.delete(id);
      return { ...result, replayed: false };
    } catch (err) {
      this.#entries.delete(id);
      throw err;
    }
  }

  async close(): Promise<void> {}
}

/** JSON text in RFC 8785 canonical form (no whitespace, sorted keys); the text itself if it is not JSON. */
function canonicalJson(text: string): string {
  try {
    return canonicalize(JSON.parse(text)) ?? text;
  } catch {
    return text;
  }
}

/**
 * SHA-256 of what makes two produce requests the same request: the media type, atomic, the
 * binary-mode `ce-*` headers, and the body as canonical JSON, so whitespace and key order do not
 * make a retry "another request". NDJSON is compared line by line; a body that is not JSON, byte-wise.
 */
export async function requestFingerprint(
  headers: Record<string, string>,
  atomic: boolean,
  body: string,
): Promise<string> {
  const type = mediaType(headers["content-type"]);
  const ce = Object.entries(headers)
    .filter(([name]) => name.toLowerCase().startsWith("ce-"))
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  const canonical =
    type === "application/x-ndjson"
      ? body
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map(canonicalJson)
          .join("\n")
      : canonicalJson(body);
  return fingerprint(type, String(atomic), ...ce, canonical);
}

/** SHA-256 of the parts, joined by newlines. */
export async function fingerprint(...parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
