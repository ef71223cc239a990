/**
 * Validated input. It keeps the request's shape, so that the worker reading a job's payload runs
 * exactly the check the API ran.
 */
export type StatsInput =
  { csv: string; bins: number } | { columns: Record<string, (number | null)[]>; bins: number };

/** A numeric column as parsed: one value per row, NaN where it is missing (present values are finite). */
export interface NumericColumn {
  name: string;
  values: Float64Array;
  /** How many values are present. */
  count: number;
}

export interface Table {
  rows: number;
  /** In input order. */
  columns: NumericColumn[];
  nonNumeric: string[];
}

export interface Quantiles {
  p01: number;
  p05: number;
  p25: number;
  p50: number;
  p75: number;
  p95: number;
  p99: number;
}

export interface ColumnSummary {
  count: number;
  missing: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  quantiles: Quantiles | null;
}

export interface Histogram {
  edges: number[];
  counts: number[];
}

export interface Outliers {
  count: number;
  lowFence: number;
  highFence: number;
}

export interface ColumnStats extends ColumnSummary {
  histogram: Histogram | null;
  outliers: Outliers | null;
}

export interface Correlation {
  names: string[];
  matrix: (number | null)[][];
}

export interface StatsResult {
  rows: number;
  columns: Record<string, ColumnStats>;
  nonNumeric: string[];
  correlation: Correlation;
}
