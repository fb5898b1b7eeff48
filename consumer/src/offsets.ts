import type { CommitPosition, TopicPartition } from "@kafka-pair/shared/transport";

/** What one assignment of a partition has received, finished and committed. */
class PartitionOffsets {
  /** Received and not finished, ascending. Usually one entry: partitions are handled in order. */
  readonly pending: bigint[] = [];
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
      const first = this.pending[0];
      next = first !== undefined && first <= this.highestDone ? first : this.highestDone + 1n;
      if (this.firstReceived !== undefined && next <= this.firstReceived) next = undefined;
    }
    if (this.highestDone !== undefined && this.pending.length === 0 && position !== undefined) {
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
    const { pending } = state;
    let i = pending.length;
    while (i > 0 && (pending[i - 1] as bigint) > value) i--;
    if (pending[i - 1] !== value) pending.splice(i, 0, value);
    return { state, offset: value };
  }

  done(ticket: Ticket): void {
    const { state, offset } = ticket;
    if (state.revoked) return;
    const at = state.pending.indexOf(offset);
    if (at >= 0) state.pending.splice(at, 1);
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
        pending: s.pending.length,
      }))
      .sort((a, b) => a.partition - b.partition);
  }
}
