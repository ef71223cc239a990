import { bisectLeft, bisectRight } from './bisect';
import type { Outliers } from './stats.types';

/** Tukey's fences from the quartiles, and how many of the ascending values lie strictly outside. */
export function outliers(sorted: Float64Array, q1: number, q3: number): Outliers {
  const reach = 1.5 * (q3 - q1);
  const lowFence = q1 - reach;
  const highFence = q3 + reach;
  const count = bisectLeft(sorted, lowFence) + sorted.length - bisectRight(sorted, highFence);
  return { count, lowFence, highFence };
}
