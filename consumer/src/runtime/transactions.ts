import type { CommitPosition, GroupMetadata, ProducerTransport } from "@kafka-pair/shared/transport";

/** A producer's `transaction`: runs of one transactional.id follow one another. */
export type RunTransaction = NonNullable<ProducerTransport["transaction"]>;

import type { OffsetTracker } from "../offsets.ts";
import type { Clock } from "./clock.ts";
import type { Crash } from "./crash.ts";
import type { Outputs } from "./outputs.ts";

/** How many finished events one transaction waits for, and how long at most. */
export interface TransactionBounds {
  /** A transaction starts at once when this many events finished since the last one. */
  maxEvents: number;
  /** Otherwise it starts this long after the first of them finished. */
  maxWaitMs: number;
}

export interface TransactionHooks {
  committed?(positions: CommitPosition[], records: number, seconds: number): void;
  failed?(error: unknown, positions: CommitPosition[]): void;
}

export interface TransactionCommitterDeps {
  tracker: OffsetTracker;
  outputs: Outputs;
  /** Its own producer's `transaction`. */
  transaction: RunTransaction;
  /** The consuming member's group metadata, read when each transaction sends its offsets. */
  group: () => GroupMetadata;
  clock: Clock;
  bounds: TransactionBounds;
  hooks?: TransactionHooks;
  /** Pause before a failed transaction is tried again (default 200 ms). */
  retryDelayMs?: number;
  /** Fault tests: may kill the process inside an open transaction, or right after its commit. */
  crash?: Crash;
}

/**
 * Exactly-once's committer, in place of the offset commit: one Kafka transaction carries the
 * records of every event finished since the last one (emitted events, dead letters) and the
 * offsets past them (sendOffsets, bound to the member's group metadata), so read_committed
 * readers see those records if and only if the offsets moved. Batched: a transaction waits for
 * `maxEvents` finished events or `maxWaitMs`; at most one runs at a time, and what finishes
 * meanwhile rides on the next. A failed transaction aborted everything in it: the same records
 * and offsets (or newer) go again in the next one, after a pause; nothing is released before a
 * commit succeeded, and no timeout lets a second transaction start while one's outcome is open.
 */
export class TransactionCommitter {
  readonly #deps: TransactionCommitterDeps;
  /** Every transaction chains on the previous one. */
  #chain: Promise<unknown> = Promise.resolve();
  #draining: Promise<void> | undefined;
  /** Counts notifications: a drain that found nothing to do stops only if none came meanwhile. */
  #notified = 0;
  /** Events finished since the last transaction started. */
  #finished = 0;
  #linger: AbortController | undefined;
  #closed = false;

  constructor(deps: TransactionCommitterDeps) {
    this.#deps = deps;
  }

  /** An event finished (its output is in `outputs`, the tracker marked it done). */
  notify(): void {
    if (this.#closed) return;
    this.#finished++;
    this.#notified++;
    if (this.#finished >= this.#deps.bounds.maxEvents) this.#linger?.abort();
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  async #drain(): Promise<void> {
    const { clock, bounds } = this.#deps;
    while (!this.#closed) {
      if (this.#finished < bounds.maxEvents && bounds.maxWaitMs > 0) {
        this.#linger = new AbortController();
        await clock.sleep(bounds.maxWaitMs, this.#linger.signal).catch(() => {});
        this.#linger = undefined;
      }
      const seen = this.#notified;
      try {
        // Nothing committable (a gap before the finished events) and nothing new since: done until the next notify.
        if (!(await this.#next()) && seen === this.#notified) return;
      } catch {
        // Aborted: everything stays held; tried again after a pause, not in a tight loop.
        await clock.sleep(this.#deps.retryDelayMs ?? 200).catch(() => {});
      }
    }
  }

  /** One transaction with what is committable now; false when there was nothing to do. */
  #next(): Promise<boolean> {
    const run = this.#chain.then(() => this.#transaction());
    this.#chain = run.catch(() => {});
    return run;
  }

  async #transaction(): Promise<boolean> {
    const { tracker, outputs, transaction, group, hooks, crash } = this.#deps;
    const positions = tracker.committable();
    if (positions.length === 0) return false;
    this.#finished = 0;
    const records = outputs.below(positions);
    const started = performance.now();
    try {
      await transaction(async (tx) => {
        await Promise.all(records.map((record) => tx.send(record)));
        await tx.sendOffsets(positions, group());
        crash?.("in-transaction");
      });
      crash?.("after-transaction");
    } catch (err) {
      hooks?.failed?.(err, positions);
      throw err;
    }
    outputs.release(positions);
    tracker.markCommitted(positions);
    hooks?.committed?.(positions, records.length, (performance.now() - started) / 1000);
    return true;
  }

  /**
   * Commits everything finished so far in one transaction, after any in flight, and resolves
   * when Kafka has it (revocation, shutdown); rejects if that transaction aborted.
   */
  async flush(): Promise<void> {
    this.#linger?.abort();
    await this.#next();
  }

  close(): void {
    this.#closed = true;
    this.#linger?.abort();
  }
}
