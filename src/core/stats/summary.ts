import { CompensatedSum } from './compensated-sum';
import { slices, type Metered } from './metered';
import { isMissing } from './numeric';
import { quantiles } from './quantile';
import { chunkedSort, sortCost } from './sort';
import type { ColumnSummary, NumericColumn } from './stats.types';

export interface SummaryOutcome {
  summary: ColumnSummary;
  /** The present values, ascending: what histograms and outlier counts are read from. */
  sorted: Float64Array;
}

/** The elements `summarize` reports: a pass over the rows, the sort, then two passes over the values. */
export function summaryCost({ values, count }: NumericColumn): number {
  return count === 0 ? 0 : values.length + sortCost(count) + 2 * count;
}

export function* summarize({ values, count }: NumericColumn): Metered<SummaryOutcome> {
  const missing = values.length - count;
  if (count === 0) {
    const summary = {
      count,
      missing,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles: null,
    };
    return { summary, sorted: new Float64Array(0) };
  }
  const sorted = yield* chunkedSort(yield* presentValues(values, count));
  const min = sorted[0];
  const max = sorted[count - 1];
  // The mean lies within [min, max]: clamping only undoes rounding, which would otherwise give
  // a constant column a mean a hair off its value and a tiny non-zero std.
  const mean = Math.min(max, Math.max(min, (yield* sum(sorted)) / count));
  const squares = yield* squaredDeviations(sorted, mean);
  const std = count > 1 ? Math.sqrt(squares / (count - 1)) : null;
  return { summary: { count, missing, mean, std, min, max, quantiles: quantiles(sorted) }, sorted };
}

function* presentValues(values: Float64Array, count: number): Metered<Float64Array> {
  const present = new Float64Array(count);
  let next = 0;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) if (!isMissing(values[i])) present[next++] = values[i];
    yield to - from;
  }
  return present;
}

function* sum(values: Float64Array): Metered<number> {
  const total = new CompensatedSum();
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) total.add(values[i]);
    yield to - from;
  }
  return total.value;
}

/** The second pass of the two-pass variance, which avoids the cancellation of `Σx² − n·mean²`. */
function* squaredDeviations(values: Float64Array, mean: number): Metered<number> {
  const total = new CompensatedSum();
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) total.add((values[i] - mean) ** 2);
    yield to - from;
  }
  return total.value;
}
