import type {
  ColumnStats,
  ColumnSummary,
  Correlation,
  Histogram,
  Outliers,
  StatsResult,
} from '../core/stats/stats.types';
import type { JobView } from './job-model';

/** A `stats` result as far as it is known: filled in step by step, whole once completed. */
export interface PartialStats {
  rows?: number;
  /** Numeric columns in input order. */
  names: string[];
  nonNumeric: string[];
  columns: Record<string, Partial<ColumnStats>>;
  correlation?: Correlation;
  complete: boolean;
}

interface ParseData {
  rows: number;
  columns: string[];
  nonNumeric: string[];
}

/** Each `stats` step's intermediate result, keyed by step name. */
interface StepData {
  parse?: ParseData;
  summary?: Record<string, ColumnSummary>;
  histogram?: Record<string, Histogram | null>;
  outliers?: Record<string, Outliers | null>;
  correlation?: Correlation;
}

export function statsOf(job: JobView): PartialStats | undefined {
  if (job.pipeline !== 'stats') return undefined;
  if (job.result) {
    const result = job.result as StatsResult;
    return {
      rows: result.rows,
      names: Object.keys(result.columns),
      nonNumeric: result.nonNumeric,
      columns: result.columns,
      correlation: result.correlation,
      complete: true,
    };
  }
  const data = Object.fromEntries(
    job.steps.filter((step) => step.state === 'done').map((step) => [step.name, step.data]),
  ) as StepData;
  if (!data.parse) return undefined;
  const names = data.parse.columns;
  const columns = Object.fromEntries(
    names.map((name): [string, Partial<ColumnStats>] => [
      name,
      {
        ...data.summary?.[name],
        ...(data.histogram ? { histogram: data.histogram[name] } : {}),
        ...(data.outliers ? { outliers: data.outliers[name] } : {}),
      },
    ]),
  );
  return {
    rows: data.parse.rows,
    names,
    nonNumeric: data.parse.nonNumeric,
    columns,
    ...(data.correlation ? { correlation: data.correlation } : {}),
    complete: false,
  };
}
