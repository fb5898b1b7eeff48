import type { CommitPosition } from "@kafka-pair/shared/transport";
import pTimeout from "p-timeout";
import type { OffsetTracker } from "./offsets.ts";

export interface CommitHooks {
  committed?(positions: CommitPosition[], seconds: number): void;
  failed?(error: unknown, positions: CommitPosition[]): void;
}

export interface CommitPacing {
  /** Pause before a failed commit is tried again (ms). */
  retryDelayMs?: number;
  /** A commit not answered within this counts as failed (ms). */
  timeoutMs?: number;
  /**
   * Least time between the starts of two commits (ms; 0: the next leaves as soon as the previous
   * is answered). Under a steady flow of finished events a commit is nearly always due: without
   * a floor, each commit's answer sends the next, a request per few events for the brokers.
   */
  intervalMs?: number;
}

/**
 * Commits without a round trip per message and without piling requests up: at most one
 * commit in flight per group, at most one per `intervalMs`; whatever finishes meanwhile rides
 * on the next one, which carries the newest committable offsets.
 */
export class CommitCoalescer {
  readonly #tracker: OffsetTracker;
  readonly #send: (positions: CommitPosition[]) => Promise<void>;
  readonly #hooks: CommitHooks;
  readonly #retryDelayMs: number;
  readonly #timeoutMs: number;
  readonly #intervalMs: number;
  #inFlight: Promise<void> | undefined;
  /** A notify that came while a commit was in flight: it may have looked before the work was done. */
  #again = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Holds the next commit until `intervalMs` after the previous one started. */
  #paceTimer: ReturnType<typeof setTimeout> | undefined;
  #lastStart = Number.NEGATIVE_INFINITY;
  #closed = false;

  constructor(
    tracker: OffsetTracker,
    send: (positions: CommitPosition[]) => Promise<void>,
    hooks: CommitHooks = {},
    { retryDelayMs = 200, timeoutMs = 10_000, intervalMs = 0 }: CommitPacing = {},
  ) {
    this.#tracker = tracker;
    this.#send = send;
    this.#hooks = hooks;
    this.#retryDelayMs = retryDelayMs;
    this.#timeoutMs = timeoutMs;
    this.#intervalMs = intervalMs;
  }

  /** Something finished: commit it now, or once the commit in flight returned and the interval passed. */
  notify(): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    if (this.#paceTimer !== undefined) return;
    const wait = this.#lastStart + this.#intervalMs - performance.now();
    if (wait > 0) {
      this.#paceTimer = setTimeout(() => {
        this.#paceTimer = undefined;
        this.notify();
      }, wait);
      return;
    }
    this.#again = false;
    this.#inFlight = this.#drain().finally(() => {
      this.#inFlight = undefined;
      if (this.#again) this.notify();
    });
  }

  async #drain(): Promise<void> {
    const positions = this.#tracker.committable();
    if (positions.length === 0) return;
    try {
      await this.#commit(positions);
      // Whatever finished while it was in flight goes with the next one.
      this.#again = true;
    } catch {
      // Retried after a pause (or by the next notify/flush), not in a tight loop.
      this.#again = false;
      this.#retryTimer ??= setTimeout(() => {
        this.#retryTimer = undefined;
        this.notify();
      }, this.#retryDelayMs);
    }
  }

  async #commit(positions: CommitPosition[]): Promise<void> {
    const started = performance.now();
    this.#lastStart = started;
    // A commit that never settles (a request stuck behind a coordinator change) would hold
    // back every later one: past the bound it counts as failed and the newest offsets go again.
    try {
      await pTimeout(this.#send(positions), {
        milliseconds: this.#timeoutMs,
        // From the fallback: the error is built only when the bound passes, not once per commit.
        fallback: () => {
          throw new Error(`commit not answered within ${this.#timeoutMs} ms`);
        },
      });
    } catch (err) {
      this.#hooks.failed?.(err, positions);
      throw err;
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
    clearTimeout(this.#paceTimer);
  }
}
