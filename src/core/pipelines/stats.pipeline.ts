import type { PipelineDefinition, PipelineStep } from '../pipeline.types';
import { correlation, correlationCost } from '../stats/correlation';
import { histogramOf } from '../stats/histogram';
import { Meter } from '../stats/metered';
import { outliersOf } from '../stats/outliers';
import { DEFAULT_BINS, MAX_BINS, readStatsInput } from '../stats/stats-input';
import type {
  ColumnSummary,
  Correlation,
  Histogram,
  Outliers,
  StatsInput,
  StatsResult,
  Table,
} from '../stats/stats.types';
import { summarize, summaryCost } from '../stats/summary';

/** Held in memory by the runner between steps: the typed arrays never leave the process. */
interface StatsState {
  input: StatsInput;
  table: Table;
  summaries: ColumnSummary[];
  /** Each column's present values, in the order `summarize` left them. */
  present: Float64Array[];
  histograms: (Histogram | null)[];
  outliers: (Outliers | null)[];
  correlation: Correlation;
}

/**
 * The table `validate` read, by the input it returned: the runner hands that very object to
 * `init`, so the `parse` step need not read a large dataset a second time. Weak: it goes with
 * the input. A payload that did not come through `validate` here is read again.
 */
const validatedTables = new WeakMap<StatsInput, Table>();

/**
 * The all-numeric table `validate` read for this validated input, if it read one: a caller that
 * keeps the input for later can keep these typed arrays instead of reading the text again.
 */
export function numericTableOf(input: unknown): Table | undefined {
  const table =
    typeof input === 'object' && input !== null
      ? validatedTables.get(input as StatsInput)
      : undefined;
  return table && table.nonNumeric.length === 0 ? table : undefined;
}

/** A value per numeric column, keyed by name in input order; fromEntries keeps a `__proto__` column. */
function byColumn<T>(table: Table, values: readonly T[]): Record<string, T> {
  return Object.fromEntries(table.columns.map((column, index) => [column.name, values[index]]));
}

const parse: PipelineStep<StatsState> = {
  name: 'parse',
  *run(state) {
    const table = validatedTables.get(state.input) ?? (yield* readStatsInput(state.input)).table;
    const { rows, nonNumeric } = table;
    const columns = table.columns.map((column) => column.name);
    return { state: { ...state, table }, data: { rows, columns, nonNumeric } };
  },
};

const summary: PipelineStep<StatsState> = {
  name: 'summary',
  *run(state) {
    const { columns } = state.table;
    const meter = new Meter(columns.reduce((total, column) => total + summaryCost(column), 0));
    const summaries: ColumnSummary[] = [];
    const present: Float64Array[] = [];
    for (const column of columns) {
      const outcome = yield* meter.run(summarize(column));
      summaries.push(outcome.summary);
      present.push(outcome.present);
    }
    return {
      state: { ...state, summaries, present },
      data: byColumn(state.table, summaries),
    };
  },
};

/** One pass over each column's present values, after its edges. */
const histogramStep: PipelineStep<StatsState> = {
  name: 'histogram',
  *run(state) {
    const { bins } = state.input;
    const meter = new Meter(
      state.present.reduce((total, values) => total + values.length + bins, 0),
    );
    const histograms: (Histogram | null)[] = [];
    for (const [index, values] of state.present.entries()) {
      const { min, max } = state.summaries[index];
      histograms.push(
        min === null || max === null ? null : yield* meter.run(histogramOf(values, bins, min, max)),
      );
    }
    return { state: { ...state, histograms }, data: byColumn(state.table, histograms) };
  },
};

const outliersStep: PipelineStep<StatsState> = {
  name: 'outliers',
  *run(state) {
    const meter = new Meter(state.present.reduce((total, values) => total + values.length, 0));
    const found: (Outliers | null)[] = [];
    for (const [index, values] of state.present.entries()) {
      const quartiles = state.summaries[index].quantiles;
      found.push(quartiles && (yield* meter.run(outliersOf(values, quartiles.p25, quartiles.p75))));
    }
    return { state: { ...state, outliers: found }, data: byColumn(state.table, found) };
  },
};

const correlationStep: PipelineStep<StatsState> = {
  name: 'correlation',
  *run(state) {
    const { table, summaries } = state;
    // min and max differ only for a column with two distinct present values.
    const columns = table.columns.map(({ name, values }, index) => ({
      name,
      values,
      varies: summaries[index].min !== summaries[index].max,
    }));
    const meter = new Meter(correlationCost(columns, table.rows));
    const result = yield* meter.run(correlation(columns));
    return { state: { ...state, correlation: result }, data: result };
  },
};

/** Profiles a numeric dataset: summary statistics, quantiles, histograms, outliers and correlations. */
export const statsPipeline: PipelineDefinition<StatsInput, StatsState, StatsResult> = {
  name: 'stats',
  description:
    'Profiles a numeric dataset given as columns or CSV: per-column summary statistics, quantiles, histogram and Tukey outliers, and pairwise Pearson correlation.',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      columns: {
        type: 'object',
        description: 'Columns by name, all the same length; null is a missing value.',
        additionalProperties: { type: 'array', items: { type: ['number', 'null'] } },
      },
      csv: {
        type: 'string',
        description:
          'RFC 4180 CSV text whose first line names the columns. Cells are trimmed; an empty cell is a missing value; a column with a cell that is not a finite decimal number is listed as non-numeric.',
      },
      bins: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_BINS,
        default: DEFAULT_BINS,
        description: 'Histogram bins per column.',
      },
    },
    oneOf: [{ required: ['columns'] }, { required: ['csv'] }],
    examples: [
      { columns: { height: [1.62, 1.75, null, 1.81], weight: [58, 72, 65, 80] }, bins: 4 },
      { csv: 'height,weight,team\n1.62,58,red\n1.75,72,blue\n,65,red\n1.81,80,blue\n' },
    ],
  },
  *validate(raw) {
    const { input, table } = yield* readStatsInput(raw);
    validatedTables.set(input, table);
    return input;
  },
  init: (input) => ({
    input,
    table: { rows: 0, columns: [], nonNumeric: [] },
    summaries: [],
    present: [],
    histograms: [],
    outliers: [],
    correlation: { names: [], matrix: [] },
  }),
  steps: [parse, summary, histogramStep, outliersStep, correlationStep],
  result: (state) => ({
    rows: state.table.rows,
    columns: byColumn(
      state.table,
      state.summaries.map((columnSummary, index) => ({
        ...columnSummary,
        histogram: state.histograms[index],
        outliers: state.outliers[index],
      })),
    ),
    nonNumeric: state.table.nonNumeric,
    correlation: state.correlation,
  }),
};
