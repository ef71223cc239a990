import { runMetered, slices, type Metered } from './metered';
import type { Outliers } from './stats.types';

/** Tukey's fences from the quartiles, and how many of the values (in any order) lie strictly outside. */
export function* outliersOf(values: Float64Array, q1: number, q3: number): Metered<Outliers> {
  const reach = 1.5 * (q3 - q1);
  const lowFence = q1 - reach;
  const highFence = q3 + reach;
  let count = 0;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      if (value < lowFence || value > highFence) count++;
    }
    yield to - from;
  }
  return { count, lowFence, highFence };
}

export function outliers(values: Float64Array, q1: number, q3: number): Outliers {
  return runMetered(outliersOf(values, q1, q3));
}
