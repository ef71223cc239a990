import { integerIssue, isPlainObject, requireObject, unknownKeyIssues } from '../input-checks';
import type { Work } from '../pipeline.types';
import { columnsTable } from './columns-table';
import { csvTable } from './csv-table';
import { Issues } from './issues';
import type { StatsInput, Table } from './stats.types';

export const DEFAULT_BINS = 20;
export const MAX_BINS = 1000;
const FIELDS = ['columns', 'csv', 'bins'];

/**
 * Checks `stats` input completely, reading the whole dataset, and returns it with its table. The
 * API runs it to answer `400` before enqueueing; the `parse` step runs it again on the payload
 * that crossed to the worker. Throws an InputError naming every issue; a `null` field is absent.
 */
export function* readStatsInput(raw: unknown): Work<{ input: StatsInput; table: Table }> {
  const value = requireObject(raw);
  const issues = new Issues();
  unknownKeyIssues(value, FIELDS).forEach((issue) => issues.add(issue));
  const bins = value.bins ?? DEFAULT_BINS;
  const binsIssue = integerIssue(bins, 'input.bins', 1, MAX_BINS);
  if (binsIssue) issues.add(binsIssue);
  const csv = value.csv ?? undefined;
  const columns = value.columns ?? undefined;
  if ((csv === undefined) === (columns === undefined)) {
    issues.add('input must have exactly one of columns or csv');
  } else if (csv !== undefined) {
    if (typeof csv === 'string') {
      const table = yield* csvTable(csv, issues);
      if (!issues.any) return { input: { csv, bins: bins as number }, table };
    } else {
      issues.add('input.csv must be a string: CSV text whose first line names the columns');
    }
  } else if (isPlainObject(columns)) {
    const table = yield* columnsTable(columns, issues);
    const input = { columns: columns as Record<string, (number | null)[]>, bins: bins as number };
    if (!issues.any) return { input, table };
  } else {
    issues.add(
      'input.columns must be an object mapping each column name to an array of numbers or nulls',
    );
  }
  throw issues.error();
}
