/**
 * The order of a round's phases: rotated by one per round, so with as many rounds as phases each
 * phase runs once in every position (first on the cluster, last after everything else).
 */
export function roundOrder<T>(phases: readonly T[], round: number): T[] {
  const shift = (round - 1) % Math.max(1, phases.length);
  return [...phases.slice(shift), ...phases.slice(0, shift)];
}
