import type { TopicPartition } from "@kafka-pair/shared/transport";
import type { Clock } from "./clock.ts";

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

interface Pending<T> {
  tp: TopicPartition;
  items: T[];
  timer: AbortController;
}

/**
 * Gathers the events of each partition into batches: one is handed to `flush` once it holds
 * `maxEvents`, or `maxWaitMs` after its first event arrived, whichever comes first. `add`
 * resolves at once while the batch fills, and with `flush`'s result when the event fills it,
 * so the back-pressure of handing a batch out reaches the transport's fetch loop.
 */
export class Batcher<T> {
  readonly #maxEvents: number;
  readonly #maxWaitMs: number;
  readonly #clock: Clock;
  readonly #flush: (tp: TopicPartition, items: T[]) => Promise<void>;
  readonly #pending = new Map<string, Pending<T>>();

  constructor(options: {
    maxEvents: number;
    maxWaitMs: number;
    clock: Clock;
    flush: (tp: TopicPartition, items: T[]) => Promise<void>;
  }) {
    if (!Number.isInteger(options.maxEvents) || options.maxEvents < 1) {
      throw new RangeError("batch.maxEvents must be an integer >= 1");
    }
    if (!(options.maxWaitMs >= 0)) throw new RangeError("batch.maxWaitMs must be >= 0");
    this.#maxEvents = options.maxEvents;
    this.#maxWaitMs = options.maxWaitMs;
    this.#clock = options.clock;
    this.#flush = options.flush;
  }

  add(tp: TopicPartition, item: T): Promise<void> {
    const key = keyOf(tp);
    let pending = this.#pending.get(key);
    if (!pending) {
      const started: Pending<T> = {
        tp: { topic: tp.topic, partition: tp.partition },
        items: [],
        timer: new AbortController(),
      };
      pending = started;
      this.#pending.set(key, started);
      this.#clock.sleep(this.#maxWaitMs, started.timer.signal).then(
        // Handed out by the timer: nobody awaits it, so a partition going away meanwhile is not an error.
        () => this.#take(key, started)?.catch(() => undefined),
        () => undefined,
      );
    }
    pending.items.push(item);
    return pending.items.length >= this.#maxEvents
      ? (this.#take(key, pending) ?? Promise.resolve())
      : Promise.resolve();
  }

  #take(key: string, pending: Pending<T>): Promise<void> | undefined {
    if (this.#pending.get(key) !== pending) return undefined;
    this.#pending.delete(key);
    pending.timer.abort();
    return this.#flush(pending.tp, pending.items);
  }

  /** Forgets the partition's unfinished batch (its partition is going away); returns its items. */
  drop(tp: TopicPartition): T[] {
    const key = keyOf(tp);
    const pending = this.#pending.get(key);
    if (!pending) return [];
    this.#pending.delete(key);
    pending.timer.abort();
    return pending.items;
  }
}
