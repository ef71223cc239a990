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

describe('csvTable on rows of plain decimals and rows that are not', () => {
  const cell = (text: string): number => {
    const { columns } = table(`v\n${text}\n`);
    return columns[0]?.values[0] ?? Number.NaN;
  };

  it('reads plain decimals exactly as Number does', () => {
    for (const text of ['0', '-0', '+7', '1.', '.5', '-.25', '123456789012345', '0.1', '999.9']) {
      expect(Object.is(cell(text), Number(text))).toBe(true);
    }
  });

  it('reads every other cell the general way, row by row, with the same result', () => {
    const text = 'a,b\n1,2\n 3 ,4\r\n5,"6"\n1e3,1234567890123456789\n,8\n9,10\n-1.5,+2.\n"x",11\n';
    expect(shape(table(text))).toEqual({
      rows: 8,
      columns: [
        { name: 'b', values: [2, 4, 6, Number('1234567890123456789'), 8, 10, 2, 11], count: 8 },
      ],
      nonNumeric: ['a'],
    });
  });

  it('reads a last row without a line end', () => {
    expect(shape(table('a,b\n1,2\n3,4'))).toEqual({
      rows: 2,
      columns: [
        { name: 'a', values: [1, 3], count: 2 },
        { name: 'b', values: [2, 4], count: 2 },
      ],
      nonNumeric: [],
    });
  });

  it('names a row with too few or too many cells', () => {
    const issues = new Issues();
    runToCompletion(csvTable('a,b\n1,2\n3\n4,5,6\n', issues));
    expect(issues.error().message).toContain('line 3 has 1 cell but the header has 2');
    expect(issues.error().message).toContain('line 4 has 3 cells but the header has 2');
  });
});
