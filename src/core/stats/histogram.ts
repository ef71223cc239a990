import { bisectLeft } from './bisect';
import type { Histogram } from './stats.types';

/**
 * `bins` equal-width bins from min to max of ascending, non-empty `sorted`, each closed on the
 * left and the last on both sides, as numpy.histogram counts them; a constant column gets one bin.
 * Counting by binary search on the edges costs `bins · log n`, not a pass over the values.
 */
export function histogram(sorted: Float64Array, bins: number): Histogram {
  const count = sorted.length;
  const min = sorted[0];
  const max = sorted[count - 1];
  if (min === max) return { edges: [min, max], counts: [count] };
  // numpy.linspace's arithmetic, with the last edge pinned to max so that max falls in the last bin.
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts: number[] = [];
  for (let bin = 0, start = 0; bin < bins; bin++) {
    const end = bin === bins - 1 ? count : bisectLeft(sorted, edges[bin + 1], start);
    counts.push(end - start);
    start = end;
  }
  return { edges, counts };
}
