/** Pure statistics for the harness: medians, percentiles, paired ratios, round order. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median that ignores nulls; null when nothing is left. */
export function medianOrNull(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return present.length === 0 ? null : median(present);
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * Ratio of a target to its baseline: the median of per-round ratios. Rounds alternate, so the
 * two members of a pair ran seconds apart and share the machine's noise; pairing cancels drift
 * that a ratio of two medians would keep.
 */
export function pairedRatio(target: readonly number[], baseline: readonly number[]): number | null {
  const n = Math.min(target.length, baseline.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const b = baseline[i]!;
    if (b > 0 && Number.isFinite(b) && Number.isFinite(target[i]!)) ratios.push(target[i]! / b);
  }
  return ratios.length === 0 ? null : median(ratios);
}

/**
 * Order of targets in each round: forward in even rounds, reversed in odd ones (ABC, CBA, ABC…),
 * so no target always runs first (cold) or right after the heaviest one.
 */
export function roundOrder(targets: number, rounds: number): number[][] {
  const forward = Array.from({ length: targets }, (_, i) => i);
  return Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? forward : [...forward].reverse()));
}
