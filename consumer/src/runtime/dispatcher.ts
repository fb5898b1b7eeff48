import type { TopicPartition } from "@kafka-pair/shared/transport";
import type { LaneOf } from "../policies/ordering.ts";

/** Work handed out for one event: resolves when the event is finished with (it never rejects). */
export type Work = () => Promise<void>;

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** One assigned partition: its lanes' tails and how many of its events are held (waiting or running). */
class PartitionLanes {
  readonly lanes = new Map<string, Promise<void>>();
  held = 0;
  /** Set by a "stop the partition" policy: no new event is handed out until it is cleared. */
  halted = false;
  /** Called whenever an event of the partition finishes (room freed, maybe idle). */
  readonly #wakers = new Set<() => void>();
  /** Signals already waking this partition when they abort: one listener per signal, not one per wait. */
  readonly #watched = new WeakSet<AbortSignal>();

  wake(): void {
    // Deleting the current entry while iterating a Set is safe: each waker runs once.
    for (const wake of this.#wakers) wake();
  }

  /** Resolves when `ready()` holds (checked now and after each finished event), or rejects once `signal` aborts. */
  waitFor(ready: () => boolean, signal?: AbortSignal): Promise<void> {
    if (ready()) return Promise.resolve();
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (signal && !this.#watched.has(signal)) {
      this.#watched.add(signal);
      signal.addEventListener("abort", () => this.wake(), { once: true });
    }
    return new Promise((resolve, reject) => {
      const check = () => {
        if (signal?.aborted) {
          this.#wakers.delete(check);
          reject(signal.reason);
        } else if (ready()) {
          this.#wakers.delete(check);
          resolve();
        }
      };
      this.#wakers.add(check);
    });
  }
}

/**
 * The hand-out: decides when an event's work starts. Events of one lane (see the ordering
 * strategy) run one after the other in the order they were scheduled; lanes run at once.
 * Each partition may hold at most `maxHeld` events (running or waiting for
 * their lane): `schedule` resolves only once the event is taken, so the transport's per-
 * partition fetch loop (which awaits it) stops pulling and, its buffer full, pauses the
 * partition: memory stays bounded however large the backlog. The bound is per partition, not
 * shared, so a partition whose held events all wait behind one slow key never starves the
 * others (how many handlers run at once is bounded apart, by the invoker's slots).
 */
export class Dispatcher {
  readonly #laneOf: LaneOf;
  readonly #maxHeld: number;
  readonly #partitions = new Map<string, PartitionLanes>();

  constructor(laneOf: LaneOf, maxHeld: number) {
    if (!Number.isInteger(maxHeld) || maxHeld < 1) throw new RangeError("maxInFlight must be an integer >= 1");
    this.#laneOf = laneOf;
    this.#maxHeld = maxHeld;
  }

  #lanesOf(tp: TopicPartition): PartitionLanes {
    const key = keyOf(tp);
    let lanes = this.#partitions.get(key);
    if (!lanes) {
      lanes = new PartitionLanes();
      this.#partitions.set(key, lanes);
    }
    return lanes;
  }

  assign(tp: TopicPartition): void {
    this.#lanesOf(tp);
  }

  /** Forgets the partition (after its work drained or was given up). */
  forget(tp: TopicPartition): void {
    this.#partitions.delete(keyOf(tp));
  }

  /**
   * Hands `work` out for an event of `tp` with `key`, once the partition has room (and is not
   * halted). Resolves as soon as the work is scheduled, not when it finishes; rejects, without
   * scheduling, if `signal` aborts while waiting for room.
   */
  async schedule(tp: TopicPartition, key: string | null, work: Work, signal?: AbortSignal): Promise<void> {
    const lanes = this.#lanesOf(tp);
    await lanes.waitFor(() => !lanes.halted && lanes.held < this.#maxHeld, signal);
    lanes.held++;
    const lane = this.#laneOf({ key });
    const finish = () => {
      lanes.held--;
      lanes.wake();
    };
    if (lane === undefined) {
      void work().finally(finish);
      return;
    }
    const previous = lanes.lanes.get(lane);
    const run: Promise<void> = (previous ? previous.then(work) : work()).finally(() => {
      if (lanes.lanes.get(lane) === run) lanes.lanes.delete(lane);
      finish();
    });
    lanes.lanes.set(lane, run);
  }

  /** Events of `tp` held (running or waiting for their lane). */
  held(tp: TopicPartition): number {
    return this.#partitions.get(keyOf(tp))?.held ?? 0;
  }

  /** Lanes of `tp` with work in them (one per key in flight under key ordering). */
  lanes(tp: TopicPartition): number {
    return this.#partitions.get(keyOf(tp))?.lanes.size ?? 0;
  }

  /** Stops (or resumes) handing out events of `tp`; work already scheduled goes on. */
  halt(tp: TopicPartition, halted: boolean): void {
    const lanes = this.#lanesOf(tp);
    lanes.halted = halted;
    lanes.wake();
  }

  /** Resolves once every event of `tp` scheduled so far has finished. */
  idle(tp: TopicPartition): Promise<void> {
    const lanes = this.#partitions.get(keyOf(tp));
    return lanes ? lanes.waitFor(() => lanes.held === 0) : Promise.resolve();
  }
}
