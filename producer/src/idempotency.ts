import { KafkaPairError } from "@kafka-pair/shared/errors";
import { LRUCache } from "lru-cache";

export interface Answer {
  status: number;
  body: unknown;
}

interface Entry {
  fingerprint: string;
  answer: Promise<Answer>;
}

/**
 * Remembers the answer given to each Idempotency-Key for a window, so a client's retry
 * gets the first answer and produces nothing new. Bounded: the oldest keys go first.
 * Only stored records are remembered; a failed attempt can be retried with the same key.
 */
export class IdempotencyStore {
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
      if (result.status >= 300 && result.status !== 207) this.#entries.delete(id);
      return { ...result, replayed: false };
    } catch (err) {
      this.#entries.delete(id);
      throw err;
    }
  }
}

/** SHA-256 of what makes two requests the same request. */
export async function fingerprint(...parts: string[]): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(parts.join("\n")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
