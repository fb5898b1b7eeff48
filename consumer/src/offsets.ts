import type { CommitPosition, TopicPartition } from "@kafka-pair/shared/transport";

/**
 * The offsets of one partition received and not yet finished, in ascending order. Events usually
 * finish near the order they came in (up to `maxInFlight` apart under key ordering), so a finished
 * event at the head moves the head on, and one finished early is only noted: no search per event.
 */
class PendingOffsets {
  /** Received offsets, ascending, from `#head` on; those before `#head` are finished. */
  #offsets: bigint[] = [];
  #head = 0;
  /** Finished offsets still behind an unfinished one. */
  readonly #early = new Set<bigint>();

  /** The lowest unfinished offset. */
  first(): bigint | undefined {
    return this.#offsets[this.#head];
  }

  get size(): number {
    return this.#offsets.length - this.#head - this.#early.size;
  }

  add(offset: bigint): void {
    const offsets = this.#offsets;
    // Received again (a refetch) after finishing early: unfinished again.
    if (this.#early.delete(offset)) return;
    let i = offsets.length;
    while (i > this.#head && (offsets[i - 1] as bigint) > offset) i--;
    if (i > this.#head && offsets[i - 1] === offset) return;
    if (i === offsets.length) offsets.push(offset);
    else offsets.splice(i, 0, offset);
  }

  finish(offset: bigint): void {
    const offsets = this.#offsets;
    if (offsets[this.#head] !== offset) {
      // Finished ahead of an earlier one, or not pending at all (then nothing to note).
      if (this.#holds(offset)) this.#early.add(offset);
      return;
    }
    this.#head++;
    while (this.#head < offsets.length && this.#early.delete(offsets[this.#head] as bigint)) this.#head++;
    // Drop the finished prefix now and then rather than shifting the array per event.
    if (this.#head === offsets.length) {
      this.#offsets = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= offsets.length) {
      this.#offsets = offsets.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Whether `offset` is received and unfinished (binary search: the array is sorted). */
  #holds(offset: bigint): boolean {
    if (this.#early.has(offset)) return false;
    const offsets = this.#offsets;
    let low = this.#head;
    let high = offsets.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const at = offsets[mid] as bigint;
      if (at === offset) return true;
      if (at < offset) low = mid + 1;
      else high = mid - 1;
    }
    return false;
  }
}

/** What one assignment of a partition has received, finished and committed. */
class PartitionOffsets {
  /** Received and not finished. */
  readonly pending = new PendingOffsets();
  highestDone: bigint | undefined;
  /** The first offset received under this assignment: committing it would say nothing new. */
  firstReceived: bigint | undefined;
  /** The group's next offset to read, as last committed (or read back at assignment). */
  committed: bigint | undefined;
  /** Set when the assignment ends: tickets of it finish as no-ops. */
  revoked = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  /**
   * The next offset to read once everything received before it is done; undefined if nothing new.
   * `position` is the client's next offset to deliver: with nothing in hand it may be past records
   * the client never delivers (transaction markers, aborted records), and committing it is what
   * Kafka's Java consumer does, so the lag reads 0 after a transaction.
   */
  committable(position: bigint | undefined): bigint | undefined {
    let next: bigint | undefined;
    if (this.highestDone !== undefined) {
      const first = this.pending.first();
      next = first !== undefined && first <= this.highestDone ? first : this.highestDone + 1n;
      if (this.firstReceived !== undefined && next <= this.firstReceived) next = undefined;
    }
    if (this.highestDone !== undefined && this.pending.size === 0 && position !== undefined) {
      if (next === undefined || position > next) next = position;
    }
    if (next === undefined) return undefined;
    return this.committed === undefined || next > this.committed ? next : undefined;
  }
}

/** Proof that a message was received under one assignment; finishing it after a revocation is a no-op. */
export interface Ticket {
  readonly state: PartitionOffsets;
  readonly offset: bigint;
}

export interface PartitionSnapshot {
  topic: string;
  partition: number;
  committed: string | undefined;
  pending: number;
}

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/**
 * Per partition, which received offsets are finished. An offset becomes committable (as
 * offset + 1) only once it and every offset received before it in its partition are done:
 * gaps left by transaction markers are skipped, unfinished messages are never passed.
 */
export class OffsetTracker {
  readonly #partitions = new Map<string, PartitionOffsets>();
  readonly #position: (tp: TopicPartition) => string | undefined;

  /** `position`: the client's next offset to deliver for a partition, when it knows it and holds nothing queued. */
  constructor(position: (tp: TopicPartition) => string | undefined = () => undefined) {
    this.#position = position;
  }

  /** The partition's state under its current assignment, made on first sight. */
  #stateOf(tp: TopicPartition): PartitionOffsets {
    const key = keyOf(tp);
    let state = this.#partitions.get(key);
    if (state === undefined) {
      state = new PartitionOffsets(tp.topic, tp.partition);
      this.#partitions.set(key, state);
    }
    return state;
  }

  assign(tp: TopicPartition): void {
    this.#stateOf(tp);
  }

  /** Forgets the partition: nothing received under this assignment will be committed from now on. */
  revoke(tp: TopicPartition): void {
    const key = keyOf(tp);
    const state = this.#partitions.get(key);
    if (state) state.revoked = true;
    this.#partitions.delete(key);
  }

  received(tp: TopicPartition, offset: string): Ticket {
    const state = this.#stateOf(tp);
    const value = BigInt(offset);
    if (state.firstReceived === undefined || value < state.firstReceived) state.firstReceived = value;
    state.pending.add(value);
    return { state, offset: value };
  }

  done(ticket: Ticket): void {
    const { state, offset } = ticket;
    if (state.revoked) return;
    state.pending.finish(offset);
    if (state.highestDone === undefined || offset > state.highestDone) state.highestDone = offset;
  }

  /** The committed offset read from the group at assignment; ignored once this member committed. */
  seedCommitted(position: CommitPosition): void {
    const state = this.#partitions.get(keyOf(position));
    if (state && state.committed === undefined) state.committed = BigInt(position.offset);
  }

  /** Positions to commit now: partitions with finished work past their committed offset. */
  committable(): CommitPosition[] {
    const out: CommitPosition[] = [];
    for (const state of this.#partitions.values()) {
      const position = this.#position(state);
      const next = state.committable(position === undefined ? undefined : BigInt(position));
      if (next !== undefined) out.push({ topic: state.topic, partition: state.partition, offset: next.toString() });
    }
    return out;
  }

  markCommitted(positions: readonly CommitPosition[]): void {
    for (const position of positions) {
      const state = this.#partitions.get(keyOf(position));
      const offset = BigInt(position.offset);
      if (state && (state.committed === undefined || offset > state.committed)) state.committed = offset;
    }
  }

  committed(tp: TopicPartition): string | undefined {
    return this.#partitions.get(keyOf(tp))?.committed?.toString();
  }

  snapshot(): PartitionSnapshot[] {
    return [...this.#partitions.values()]
      .map((s) => ({
        topic: s.topic,
        partition: s.partition,
        committed: s.committed?.toString(),
        pending: s.pending.size,
      }))
      .sort((a, b) => a.partition - b.partition);
  }
}
