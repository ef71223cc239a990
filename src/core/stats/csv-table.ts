import { readCsv } from './csv';
import type { Issues } from './issues';
import { Meter } from './metered';
import { cellValueIn, isMissing } from './numeric';
import type { NumericColumn, Table } from './stats.types';
import type { Work } from '../pipeline.types';

/** Reads CSV text into a table; every issue goes to `issues`, and the table is only sound without any. */
export function* csvTable(text: string, issues: Issues): Work<Table> {
  const builders: ColumnBuilder[] = [];
  const { names, rows } = yield* new Meter(text.length).run(
    readCsv(
      text,
      issues,
      (column, source, start, end) =>
        (builders[column] ??= new ColumnBuilder()).add(source, start, end),
      (column, value) => (builders[column] ??= new ColumnBuilder()).addValue(value),
    ),
  );
  const table: Table = { rows, columns: [], nonNumeric: [] };
  // A refused input needs no table: above all not one column per name of a too-wide header.
  if (issues.any) return table;
  names.forEach((name, index) => {
    const builder = builders[index] ?? new ColumnBuilder();
    if (builder.numeric) table.columns.push(builder.column(name));
    else table.nonNumeric.push(name);
  });
  return table;
}

/** One column's values as rows arrive, until a cell that is not a number makes it non-numeric. */
class ColumnBuilder {
  numeric = true;
  /** Grows on the first cell, so a column that gets none costs nothing. */
  private values = new Float64Array(0);
  private length = 0;
  private count = 0;

  add(text: string, start: number, end: number): void {
    if (!this.numeric) return;
    const value = cellValueIn(text, start, end);
    if (value === undefined) {
      this.numeric = false;
      this.values = new Float64Array(0);
      return;
    }
    this.addValue(value);
  }

  /** A cell already read as a number (NaN: missing). */
  addValue(value: number): void {
    if (!this.numeric) return;
    if (this.length === this.values.length) {
      const grown = new Float64Array(Math.max(1024, 2 * this.length));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
    if (!isMissing(value)) this.count++;
  }

  column(name: string): NumericColumn {
    return { name, values: this.values.subarray(0, this.length), count: this.count };
  }
}
