import type { CommitPosition } from "@kafka-pair/shared/transport";
import type { OffsetTracker } from "./offsets.ts";

export interface CommitHooks {
  committed?(positions: CommitPosition[], seconds: number): void;
  failed?(error: unknown, positions: CommitPosition[]): void;
}

/**
 * Commits without a round trip per message and without piling requests up: at most one
 * commit in flight per group; whatever finishes meanwhile rides on the next one, which
 * leaves as soon as the previous returns, carrying the newest committable offsets.
 */
export class CommitCoalescer {
  readonly #tracker: OffsetTracker;
  readonly #send: (positions: CommitPosition[]) => Promise<void>;
  readonly #hooks: CommitHooks;
  readonly #retryDelayMs: number;
  readonly #timeoutMs: number;
  #inFlight: Promise<void> | undefined;
  /** A notify that came while a drain was finishing: that drain may have looked before the work was done. */
  #again = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    tracker: OffsetTracker,
    send: (positions: CommitPosition[]) => Promise<void>,
    hooks: CommitHooks = {},
    retryDelayMs = 200,
    timeoutMs = 10_000,
  ) {
    this.#tracker = tracker;
    this.#send = send;
    this.#hooks = hooks;
    this.#retryDelayMs = retryDelayMs;
    this.#timeoutMs = timeoutMs;
  }

  /** Something finished: commit it now, or right after the commit in flight. */
  notify(): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#again = false;
    this.#inFlight = this.#drain().finally(() => {
      this.#inFlight = undefined;
      if (this.#again) this.notify();
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      const positions = this.#tracker.committable();
      if (positions.length === 0 || this.#closed) return;
      try {
        await this.#commit(positions);
      } catch {
        // Retried after a pause (or by the next notify/flush), not in a tight loop.
        this.#retryTimer ??= setTimeout(() => {
          this.#retryTimer = undefined;
          this.notify();
        }, this.#retryDelayMs);
        return;
      }
    }
  }

  async #commit(positions: CommitPosition[]): Promise<void> {
    const started = performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A commit that never settles (a request stuck behind a coordinator change) would hold
    // back every later one: past the bound it counts as failed and the newest offsets go again.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`commit not answered within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    try {
      await Promise.race([this.#send(positions), timeout]);
    } catch (err) {
      this.#hooks.failed?.(err, positions);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.#tracker.markCommitted(positions);
    this.#hooks.committed?.(positions, (performance.now() - started) / 1000);
  }

  /**
   * Commits everything finished so far and resolves when Kafka has it (revocation, shutdown).
   * Rejects if that last commit fails.
   */
  async flush(): Promise<void> {
    await this.#inFlight;
    const positions = this.#tracker.committable();
    if (positions.length === 0) return;
    const commit = this.#commit(positions);
    this.#inFlight = commit.then(
      () => undefined,
      () => undefined,
    );
    try {
      await commit;
    } finally {
      this.#inFlight = undefined;
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
  }
}
