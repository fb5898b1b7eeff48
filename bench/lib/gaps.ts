/** One handled message: its partition and when its handler finished (epoch ms). */
export type Handled = readonly [partition: number, at: number];

/**
 * The longest stretch without a handled message that ends in (from, to]: from a handling to the
 * next one, or, at the window's end, from the last handling to `to`. A hand-over (the old owner's
 * last message, then the new owner's first) thus counts in the window where processing resumed,
 * even when the old owner stopped a moment before the change was made.
 */
export function longestGap(times: readonly number[], from: number, to: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let longest = 0;
  let last: number | undefined;
  for (const t of sorted) {
    if (t > to) break;
    if (t > from && last !== undefined) longest = Math.max(longest, t - last);
    last = t;
  }
  // Still waiting when the window ends (or nothing handled at all): up to `to`.
  return Math.max(longest, to - Math.max(last ?? from, from));
}

export interface WindowGaps {
  /** Per partition, the longest gap in its processing (ms). */
  perPartition: Record<number, number>;
  /** The longest gap of any partition. */
  worstPartition: number;
  /** The longest stretch with no message handled on any partition. */
  overall: number;
}

/** The gaps of a window, from every member's handled messages together. */
export function windowGaps(handled: readonly Handled[], partitions: number, from: number, to: number): WindowGaps {
  const byPartition = Array.from({ length: partitions }, () => [] as number[]);
  for (const [partition, at] of handled) byPartition[partition]?.push(at);
  const perPartition: Record<number, number> = {};
  byPartition.forEach((times, partition) => {
    perPartition[partition] = longestGap(times, from, to);
  });
  return {
    perPartition,
    worstPartition: Math.max(...Object.values(perPartition)),
    overall: longestGap(
      handled.map(([, at]) => at),
      from,
      to,
    ),
  };
}
