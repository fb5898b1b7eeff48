import { randomUUID } from "node:crypto";
import { KafkaPairError } from "@kafka-pair/shared/errors";
import { type Answer, type IdempotencyStore, isRemembered } from "./idempotency.ts";

/** The few key-value operations the shared store needs; Valkey/Redis in production (idempotency-redis.ts). */
export interface KeyValue {
  /** SET NX PX: true if the key was absent and is now set. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | null>;
  /** Deletes the key only while it still holds `value` (a claim that expired may be someone else's now). */
  deleteIf(key: string, value: string): Promise<void>;
  close(): Promise<void>;
}

type Entry =
  | { state: "pending"; fingerprint: string; token: string }
  | { state: "done"; fingerprint: string; answer: Answer };

export interface SharedStoreOptions {
  /** Keeps namespaces apart on one server. */
  prefix: string;
  /** How long an answer is replayed (the key's TTL). */
  windowMs: number;
  /**
   * How long a claim holds while its instance produces: longer than a produce can take (the
   * delivery timeout plus margin). An instance that dies mid-produce loses its claim after it.
   */
  leaseMs: number;
  /** How often a duplicate polls for the first attempt's answer. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * The Idempotency-Key store for a fleet: every producer instance claims a key in one Valkey/Redis
 * server before producing, so a retry sent to another instance replays the first answer. The
 * same rules as the in-memory store; an unreachable server is a 503 for requests with a key (not
 * a silent fall-back to per-instance memory, which would produce twice).
 */
export class SharedIdempotencyStore implements IdempotencyStore {
  readonly #kv: KeyValue;
  readonly #options: Required<SharedStoreOptions>;

  constructor(kv: KeyValue, options: SharedStoreOptions) {
    this.#kv = kv;
    this.#options = {
      pollMs: 25,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      now: Date.now,
      ...options,
    };
  }

  async run(
    scope: string,
    key: string,
    fingerprint: string,
    work: () => Promise<Answer>,
  ): Promise<Answer & { replayed: boolean }> {
    const { prefix, leaseMs, pollMs, sleep, now } = this.#options;
    const id = `${prefix}${scope}\n${key}`;
    const claim = JSON.stringify({ state: "pending", fingerprint, token: randomUUID() } satisfies Entry);
    // A duplicate waits at most one lease for the first attempt, then claims the key itself.
    const giveUpAt = now() + leaseMs + pollMs;
    for (;;) {
      if (await this.#call(() => this.#kv.setIfAbsent(id, claim, leaseMs))) {
        return { ...(await this.#produce(id, claim, work)), replayed: false };
      }
      const stored = await this.#call(() => this.#kv.get(id));
      if (stored !== null) {
        const entry = JSON.parse(stored) as Entry;
        if (entry.fingerprint !== fingerprint) {
          throw new KafkaPairError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request body");
        }
        if (entry.state === "done") return { ...entry.answer, replayed: true };
        if (now() > giveUpAt) {
          throw new KafkaPairError(
            "IDEMPOTENCY_UNAVAILABLE",
            "the first request with this Idempotency-Key is still in flight",
          );
        }
        await sleep(pollMs);
      }
      // Absent: the first attempt failed (nothing stored) or its claim expired; claim it now.
    }
  }

  async #produce(id: string, claim: string, work: () => Promise<Answer>): Promise<Answer> {
    let answer: Answer;
    try {
      answer = await work();
    } catch (err) {
      await this.#kv.deleteIf(id, claim).catch(() => {});
      throw err;
    }
    const { windowMs } = this.#options;
    if (isRemembered(answer)) {
      const entry = JSON.parse(claim) as Entry;
      // The record is stored whatever happens here: answer it. If the store is gone meanwhile,
      // the claim expires after its lease and a later retry produces again (same event id).
      await this.#kv
        .set(id, JSON.stringify({ state: "done", fingerprint: entry.fingerprint, answer } satisfies Entry), windowMs)
        .catch(() => {});
    } else {
      await this.#kv.deleteIf(id, claim).catch(() => {});
    }
    return answer;
  }

  async #call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (cause) {
      throw new KafkaPairError(
        "IDEMPOTENCY_UNAVAILABLE",
        `the Idempotency-Key store is unreachable: ${(cause as Error).message}; retry, or send without Idempotency-Key`,
        { cause },
      );
    }
  }

  close(): Promise<void> {
    return this.#kv.close();
  }
}
