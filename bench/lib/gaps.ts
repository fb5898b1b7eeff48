/** One handled message: its partition and when its handler finished (epoch ms). */
export type Handled = readonly [partition: number, at: number];

/**
 * The longest stretch without a handled message that starts in [from, to): from a handling to
 * the next one (or to `to` when none follows). A stretch open when the window starts belongs to
 * the window before it; a partition with no handling in the window counts from `from`.
 */
export function longestGap(times: readonly number[], from: number, to: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  const inWindow = sorted.findIndex((t) => t >= from);
  if (inWindow === -1 || (sorted[inWindow] as number) >= to) return (sorted[inWindow] ?? to) - from;
  let longest = 0;
  for (let i = inWindow; i < sorted.length && (sorted[i] as number) < to; i++) {
    longest = Math.max(longest, (sorted[i + 1] ?? to) - (sorted[i] as number));
  }
  return longest;
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
