import { runMetered, slices, type Metered } from './metered';
import type { Histogram } from './stats.types';

/**
 * `bins` equal-width bins from `min` to `max` of the non-empty `values` (in any order), each
 * closed on the left and the last on both sides, as numpy.histogram counts them; a constant
 * column gets one bin. One pass: each value's bin is computed, then corrected against the
 * edges, which rounding in the division can put it on the wrong side of.
 */
export function* histogramOf(
  values: Float64Array,
  bins: number,
  min: number,
  max: number,
): Metered<Histogram> {
  const count = values.length;
  if (min === max) {
    yield count;
    return { edges: [min, max], counts: [count] };
  }
  // numpy.linspace's arithmetic, with the last edge pinned to max so that max falls in the last bin.
  const width = (max - min) / bins;
  const edgeArray = Float64Array.from({ length: bins + 1 }, (_, i) =>
    i === bins ? max : min + i * width,
  );
  yield bins;
  const counts = new Float64Array(bins);
  const scale = bins / (max - min);
  const last = bins - 1;
  for (const [from, to] of slices(0, count)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      let bin = Math.floor((value - min) * scale);
      if (bin > last) bin = last;
      if (value < edgeArray[bin]) bin--;
      else if (bin < last && value >= edgeArray[bin + 1]) bin++;
      counts[bin]++;
    }
    yield to - from;
  }
  return { edges: Array.from(edgeArray), counts: Array.from(counts) };
}

/** `histogramOf` straight through, its extremes found by a pass of their own. */
export function histogram(values: Float64Array, bins: number): Histogram {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return runMetered(histogramOf(values, bins, min, max));
}
