import type { Quantiles } from './stats.types';

const LEVELS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/** The positions of a sorted array of `count` values that `quantiles` reads. */
export function quantileRanks(count: number): number[] {
  return LEVELS.flatMap((q) => {
    const below = Math.floor((count - 1) * q);
    return [below, Math.min(below + 1, count - 1)];
  });
}

/**
 * The `q`-quantile of non-empty `sorted` by numpy's default method ("linear"). Only the two
 * positions around `(n − 1)·q` are read: they need to hold their sorted values, not the rest.
 */
export function quantile(sorted: Float64Array, q: number): number {
  return quantileAt(sorted.length, q, (rank) => sorted[rank]);
}

/** The `q`-quantile of `count` values whose sorted value at each of `quantileRanks` `at` gives. */
export function quantileAt(count: number, q: number, at: (rank: number) => number): number {
  const position = (count - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = at(below);
  const high = at(Math.min(below + 1, count - 1));
  // Interpolating from the nearer neighbour, as numpy does, keeps the result exact at either end.
  return fraction < 0.5 ? low + (high - low) * fraction : high - (high - low) * (1 - fraction);
}

/** Reads `quantileRanks(sorted.length)` only. */
export function quantiles(sorted: Float64Array): Quantiles {
  return quantilesAt(sorted.length, (rank) => sorted[rank]);
}

/** The quantiles of `count` values whose sorted value at each of `quantileRanks` `at` gives. */
export function quantilesAt(count: number, at: (rank: number) => number): Quantiles {
  const [p01, p05, p25, p50, p75, p95, p99] = LEVELS.map((q) => quantileAt(count, q, at));
  return { p01, p05, p25, p50, p75, p95, p99 };
}
