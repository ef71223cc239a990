import { MAX_CELLS, MAX_COLUMNS, tooManyCells, tooManyColumns } from './csv';
import type { Issues } from './issues';
import { Meter, slices, type Metered } from './metered';
import type { NumericColumn, Table } from './stats.types';
import type { Work } from '../pipeline.types';

/** Reads `{ name: [number | null, …] }` into a table; every issue goes to `issues`. */
export function* columnsTable(columns: Record<string, unknown>, issues: Issues): Work<Table> {
  const names = Object.keys(columns);
  if (names.length === 0) issues.add('input.columns must have at least one column');
  if (names.length > MAX_COLUMNS) {
    issues.add(tooManyColumns('input.columns', names.length));
    return { rows: 0, columns: [], nonNumeric: [] };
  }
  const arrays: [string, ArrayLike<unknown>][] = [];
  for (const name of names) {
    const values = columns[name];
    if (name.trim() === '') issues.add('input.columns has a column with an empty name');
    if (!Array.isArray(values) && !(values instanceof Float64Array)) {
      issues.add(`input.columns.${name} must be an array of numbers or nulls`);
      continue;
    }
    const [first, firstValues] = arrays[0] ?? [name, values];
    if (values.length !== firstValues.length) {
      issues.add(
        `input.columns.${name} has ${values.length} values but input.columns.${first} has ${firstValues.length} (all columns must be the same length)`,
      );
    }
    arrays.push([name, values]);
  }
  const cells = arrays.reduce((total, [, values]) => total + values.length, 0);
  if (cells > MAX_CELLS) {
    issues.add(tooManyCells('input.columns'));
    return { rows: 0, columns: [], nonNumeric: [] };
  }
  const meter = new Meter(cells);
  const table: Table = { rows: arrays[0]?.[1].length ?? 0, columns: [], nonNumeric: [] };
  for (const [name, values] of arrays) {
    table.columns.push(yield* meter.run(numericColumn(name, values, issues)));
  }
  return table;
}

function* numericColumn(
  name: string,
  values: ArrayLike<unknown>,
  issues: Issues,
): Metered<NumericColumn> {
  if (values instanceof Float64Array) return yield* storedColumn(name, values, issues);
  const numbers = new Float64Array(values.length);
  let count = 0;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      if (typeof value === 'number' && Number.isFinite(value)) {
        numbers[i] = value;
        count++;
      } else if (value === null) {
        numbers[i] = NaN;
      } else {
        const got = typeof value === 'number' ? `, not ${value}` : '';
        issues.add(`input.columns.${name}[${i}] must be a number or null${got}`);
      }
    }
    yield to - from;
  }
  return { name, values: numbers, count };
}

/**
 * A column as the worker reads a stored input back: float64s with NaN for null (JSON cannot
 * carry a Float64Array, so only a stored input has one). Its values are checked again all the same.
 */
function* storedColumn(name: string, values: Float64Array, issues: Issues): Metered<NumericColumn> {
  let count = 0;
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      if (value - value === 0) count++;
      else if (value === value)
        issues.add(`input.columns.${name}[${i}] must be a number or null, not ${value}`);
    }
    yield to - from;
  }
  return { name, values, count };
}
