import { csvTable } from './csv-table';
import { Issues } from './issues';
import type { Table } from './stats.types';
import { runToCompletion } from '../work';

function table(text: string): Table {
  const issues = new Issues();
  const result = runToCompletion(csvTable(text, issues));
  expect(issues.any).toBe(false);
  return result;
}

const shape = ({ rows, columns, nonNumeric }: Table) => ({
  rows,
  columns: columns.map(({ name, values, count }) => ({ name, values: Array.from(values), count })),
  nonNumeric,
});

describe('csvTable', () => {
  it('keeps numeric columns, NaN marking empty cells, and lists the others as non-numeric', () => {
    expect(shape(table('a,b,c,d,e\n1,x,,1e3,NaN\n2,3, 4 ,,1\n'))).toEqual({
      rows: 2,
      columns: [
        { name: 'a', values: [1, 2], count: 2 },
        { name: 'c', values: [NaN, 4], count: 1 },
        { name: 'd', values: [1000, NaN], count: 1 },
      ],
      nonNumeric: ['b', 'e'],
    });
  });

  it('keeps every column of a header-only text, without values', () => {
    expect(shape(table('a,b\n'))).toEqual({
      rows: 0,
      columns: [
        { name: 'a', values: [], count: 0 },
        { name: 'b', values: [], count: 0 },
      ],
      nonNumeric: [],
    });
  });

  it('grows columns as rows arrive', () => {
    const values = Array.from({ length: 3000 }, (_, i) => i / 8);
    const { columns } = table('v\n' + values.join('\n'));
    expect(Array.from(columns[0].values)).toEqual(values);
  });
});
