import type { Quantiles } from './stats.types';

/** The `q`-quantile of ascending, non-empty `sorted` by numpy's default method ("linear"). */
export function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below];
  const high = sorted[Math.min(below + 1, sorted.length - 1)];
  // Interpolating from the nearer neighbour, as numpy does, keeps the result exact at either end.
  return fraction < 0.5 ? low + (high - low) * fraction : high - (high - low) * (1 - fraction);
}

export function quantiles(sorted: Float64Array): Quantiles {
  return {
    p01: quantile(sorted, 0.01),
    p05: quantile(sorted, 0.05),
    p25: quantile(sorted, 0.25),
    p50: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}
