import type { CommitPosition, ProduceRecord, TopicPartition } from "@kafka-pair/shared/transport";

const keyOf = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;

/** The consumed record whose handling produced some output. */
export interface Source extends TopicPartition {
  offset: string;
}

/**
 * Exactly-once: the records each handled event produced (emitted events, its dead letter), held
 * until the Kafka transaction that commits the event's offset carries them. A transaction for
 * position P of a partition takes every record of that partition's events below P: they are all
 * done (the offset tracker says so), so their output is here.
 */
export class Outputs {
  readonly #partitions = new Map<string, Array<{ offset: bigint; records: ProduceRecord[] }>>();
  #count = 0;

  /** Adds `records` for `source` (kept in offset order; one event may add more than once). */
  add(source: Source, records: readonly ProduceRecord[]): void {
    if (records.length === 0) return;
    const key = keyOf(source);
    let entries = this.#partitions.get(key);
    if (!entries) {
      entries = [];
      this.#partitions.set(key, entries);
    }
    const offset = BigInt(source.offset);
    let i = entries.length;
    while (i > 0 && (entries[i - 1]?.offset as bigint) > offset) i--;
    const same = entries[i - 1];
    if (same?.offset === offset) same.records.push(...records);
    else entries.splice(i, 0, { offset, records: [...records] });
    this.#count += records.length;
  }

  /** The records of events below each position, partition by partition in offset order. */
  below(positions: readonly CommitPosition[]): ProduceRecord[] {
    return positions.flatMap((p) => {
      const limit = BigInt(p.offset);
      return (this.#partitions.get(keyOf(p)) ?? []).filter((e) => e.offset < limit).flatMap((e) => e.records);
    });
  }

  /** Forgets what `below(positions)` answered: Kafka has it (the transaction committed). */
  release(positions: readonly CommitPosition[]): void {
    for (const p of positions) {
      const entries = this.#partitions.get(keyOf(p));
      if (!entries) continue;
      const limit = BigInt(p.offset);
      const kept = entries.filter((e) => e.offset >= limit);
      for (const e of entries) if (e.offset < limit) this.#count -= e.records.length;
      if (kept.length === 0) this.#partitions.delete(keyOf(p));
      else this.#partitions.set(keyOf(p), kept);
    }
  }

  /** Drops a partition's records (it went to another member, whose handling will produce them again). */
  forget(tp: TopicPartition): void {
    for (const e of this.#partitions.get(keyOf(tp)) ?? []) this.#count -= e.records.length;
    this.#partitions.delete(keyOf(tp));
  }

  /** Records held, all partitions. */
  get size(): number {
    return this.#count;
  }
}
