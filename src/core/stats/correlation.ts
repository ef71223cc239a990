import { CompensatedSum } from './compensated-sum';
import { slices, type Metered } from './metered';
import { isMissing } from './numeric';
import type { Correlation } from './stats.types';

export interface CorrelationColumn {
  name: string;
  /** One per row, NaN where missing. */
  values: Float64Array;
  /** Whether the column has two distinct present values: one that has not is null everywhere. */
  varies: boolean;
}

/** The elements `correlation` reports: two passes over the rows per pair that can correlate, one per other pair. */
export function correlationCost(columns: readonly CorrelationColumn[], rows: number): number {
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const varying = pairs(columns.filter((column) => column.varies).length);
  return varying * 2 * rows + (pairs(columns.length) - varying) + columns.length ** 2;
}

/** Pearson's correlation of every pair of columns, each over the rows where both are present. */
export function* correlation(columns: readonly CorrelationColumn[]): Metered<Correlation> {
  // c × c cells: allocated a row at a time, each row reported as work, like the rest of the step.
  const matrix: (number | null)[][] = [];
  for (let i = 0; i < columns.length; i++) {
    const row = new Array<number | null>(columns.length).fill(null);
    if (columns[i].varies) row[i] = 1;
    matrix.push(row);
    yield columns.length;
  }
  for (let i = 0; i < columns.length; i++) {
    for (let j = i + 1; j < columns.length; j++) {
      if (columns[i].varies && columns[j].varies) {
        matrix[i][j] = matrix[j][i] = yield* pearson(columns[i].values, columns[j].values);
      } else {
        yield 1;
      }
    }
  }
  return { names: columns.map((column) => column.name), matrix };
}

/**
 * Two passes, means first, so that large offsets do not cancel; null with fewer than two shared
 * rows or when either side is constant over them (a zero variance leaves r undefined).
 */
function* pearson(x: Float64Array, y: Float64Array): Metered<number | null> {
  const rows = x.length;
  const sumX = new CompensatedSum();
  const sumY = new CompensatedSum();
  let shared = 0;
  let firstX = NaN;
  let firstY = NaN;
  let xVaries = false;
  let yVaries = false;
  for (const [from, to] of slices(0, rows)) {
    for (let i = from; i < to; i++) {
      const a = x[i];
      const b = y[i];
      if (isMissing(a) || isMissing(b)) continue;
      if (shared++ === 0) {
        firstX = a;
        firstY = b;
      }
      xVaries ||= a !== firstX;
      yVaries ||= b !== firstY;
      sumX.add(a);
      sumY.add(b);
    }
    yield to - from;
  }
  if (!xVaries || !yVaries) {
    yield rows;
    return null;
  }
  const meanX = sumX.value / shared;
  const meanY = sumY.value / shared;
  const xy = new CompensatedSum();
  const xx = new CompensatedSum();
  const yy = new CompensatedSum();
  for (const [from, to] of slices(0, rows)) {
    for (let i = from; i < to; i++) {
      const dx = x[i] - meanX;
      const dy = y[i] - meanY;
      if (isMissing(dx) || isMissing(dy)) continue;
      xy.add(dx * dy);
      xx.add(dx * dx);
      yy.add(dy * dy);
    }
    yield to - from;
  }
  // Each root on its own, as numpy.corrcoef does, so that the product cannot overflow.
  const scale = Math.sqrt(xx.value) * Math.sqrt(yy.value);
  return scale > 0 ? Math.max(-1, Math.min(1, xy.value / scale)) : null;
}
