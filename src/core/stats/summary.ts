import { CompensatedSum } from './compensated-sum';
import { slices, type Metered } from './metered';
import { isMissing } from './numeric';
import { orderStatistics } from './order-statistics';
import { quantileRanks, quantilesAt } from './quantile';
import type { ColumnSummary, NumericColumn } from './stats.types';

export interface SummaryOutcome {
  summary: ColumnSummary;
  /** The present values, in row order: what histograms and outlier counts are read from. */
  present: Float64Array;
}

/**
 * The elements `summarize` reports, but for the selections within the quantiles' gathered buckets,
 * which are few values unless the data crowds into a few buckets: a pass over the rows, four
 * over the values.
 */
export function summaryCost({ values, count }: NumericColumn): number {
  return count === 0 ? 0 : values.length + 4 * count;
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
    return { summary, present: new Float64Array(0) };
  }
  const present = yield* presentValues(values, count);
  const { min, max, total } = yield* extremesAndSum(present);
  // The mean lies within [min, max]: clamping only undoes rounding, which would otherwise give
  // a constant column a mean a hair off its value and a tiny non-zero std.
  const mean = Math.min(max, Math.max(min, total / count));
  const squares = yield* squaredDeviations(present, mean);
  const std = count > 1 ? Math.sqrt(squares / (count - 1)) : null;
  const ranks = quantileRanks(count);
  const order = yield* orderStatistics(present, ranks, min, max);
  const at = (rank: number): number => order.get(rank) ?? NaN;
  return {
    summary: { count, missing, mean, std, min, max, quantiles: quantilesAt(count, at) },
    present,
  };
}

function* presentValues(values: Float64Array, count: number): Metered<Float64Array> {
  if (count === values.length) {
    // Nothing below writes to the values: the column itself will do.
    for (const [from, to] of slices(0, values.length)) yield to - from;
    return values;
  }
  const present = new Float64Array(count);
  let next = 0;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) if (!isMissing(values[i])) present[next++] = values[i];
    yield to - from;
  }
  return present;
}

function* extremesAndSum(
  values: Float64Array,
): Metered<{ min: number; max: number; total: number }> {
  const total = new CompensatedSum();
  let min = Infinity;
  let max = -Infinity;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      if (value < min) min = value;
      if (value > max) max = value;
      total.add(value);
    }
    yield to - from;
  }
  return { min, max, total: total.value };
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
