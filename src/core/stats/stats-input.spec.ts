import { InputError } from '../input-error';
import type { Work } from '../pipeline.types';
import { runToCompletion } from '../work';
import { readStatsInput } from './stats-input';

function issuesOf(raw: unknown): string[] {
  try {
    runToCompletion(readStatsInput(raw));
  } catch (error) {
    if (error instanceof InputError) return error.issues;
    throw error;
  }
  throw new Error('the input was accepted');
}

function checkpoints(work: Work<unknown>): number[] {
  const done: number[] = [];
  for (let next = work.next(); !next.done; next = work.next()) {
    if ('done' in next.value) done.push(next.value.done);
  }
  return done;
}

describe('readStatsInput limits', () => {
  const names = (count: number) => Array.from({ length: count }, (_, i) => `c${i}`);

  it('refuses a CSV header of more than 1,000 columns before reading any row', () => {
    const csv = `${names(100_000).join(',')}\n${Array(100_000).fill('1').join(',')}\n`;
    const before = process.memoryUsage().arrayBuffers;
    expect(issuesOf({ csv })).toEqual(['input.csv has 100000 columns: stats accepts at most 1000']);
    // No column was allocated (8 KiB each would be 800 MB).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50_000_000);
  });

  it('accepts exactly 1,000 columns', () => {
    const csv = `${names(1_000).join(',')}\n${Array(1_000).fill('1').join(',')}\n`;
    expect(runToCompletion(readStatsInput({ csv })).table.columns).toHaveLength(1_000);
  });

  it('refuses more than 1,000 columns given as arrays', () => {
    const columns = Object.fromEntries(names(1_001).map((name) => [name, [1]]));
    expect(issuesOf({ columns })).toEqual([
      'input.columns has 1001 columns: stats accepts at most 1000',
    ]);
  });

  it('refuses more than 10,000,000 cells, as arrays or as CSV rows', () => {
    const column = new Array<number>(5_000_001).fill(0);
    expect(issuesOf({ columns: { a: column, b: column } })).toEqual([
      'input.columns has more than 10000000 cells: stats accepts at most 10000000',
    ]);
    const csv = `a,b\n${'1,2\n'.repeat(5_000_001)}`;
    expect(issuesOf({ csv })).toEqual([
      'input.csv has more than 10000000 cells: stats accepts at most 10000000',
    ]);
  });
});

describe('readStatsInput', () => {
  it('returns the input with bins defaulted, and the table', () => {
    const { input, table } = runToCompletion(readStatsInput({ csv: 'a\n1\n', columns: null }));
    expect(input).toEqual({ csv: 'a\n1\n', bins: 20 });
    expect(table.rows).toBe(1);
    const columns = { a: [1, null], b: [2, 3] };
    expect(runToCompletion(readStatsInput({ columns, bins: 5 })).input).toEqual({
      columns,
      bins: 5,
    });
    expect(runToCompletion(readStatsInput({ columns, bins: null })).input.bins).toBe(20);
  });

  it('accepts what it returns, so that the worker can check it again', () => {
    const { input } = runToCompletion(readStatsInput({ columns: { a: [1] } }));
    expect(runToCompletion(readStatsInput(input)).input).toEqual(input);
  });

  it.each(['x', [], null, 3])('rejects %j as a whole', (raw) => {
    expect(issuesOf(raw)).toEqual(['input must be an object']);
  });

  it.each([0, 1001, 2.5, '20', true])('rejects bins %j', (bins) => {
    expect(issuesOf({ csv: 'a\n1', bins })).toEqual([
      'input.bins must be an integer from 1 to 1000',
    ]);
  });

  it.each([{}, { csv: 'a\n1', columns: { a: [1] } }])(
    'wants exactly one of columns or csv: %j',
    (raw) => {
      expect(issuesOf(raw)).toEqual(['input must have exactly one of columns or csv']);
    },
  );

  it('rejects unknown fields', () => {
    expect(issuesOf({ csv: 'a\n1', bin: 3 })).toEqual([
      'input.bin is not a known field (known: columns, csv, bins)',
    ]);
  });

  it('rejects a csv that is not text', () => {
    expect(issuesOf({ csv: ['a', 1] })).toEqual([
      'input.csv must be a string: CSV text whose first line names the columns',
    ]);
  });

  it('names the csv line whose cells do not match the header', () => {
    expect(issuesOf({ csv: 'a,b,c\n1,2,3\n4,5,6\n7,8\n' })).toEqual([
      'input.csv line 4 has 2 cells but the header has 3',
    ]);
  });

  it.each([[[1, 2]], ['a,b'], [3]])('rejects columns %j that are not an object', (columns) => {
    expect(issuesOf({ columns })).toEqual([
      'input.columns must be an object mapping each column name to an array of numbers or nulls',
    ]);
  });

  it('rejects columns without a column, or with an empty name', () => {
    expect(issuesOf({ columns: {} })).toEqual(['input.columns must have at least one column']);
    expect(issuesOf({ columns: { ' ': [1] } })).toEqual([
      'input.columns has a column with an empty name',
    ]);
  });

  it('rejects a column that is not an array', () => {
    expect(issuesOf({ columns: { a: [1], b: 'x' } })).toEqual([
      'input.columns.b must be an array of numbers or nulls',
    ]);
  });

  it('rejects columns of different lengths', () => {
    expect(issuesOf({ columns: { a: [1, 2, 3, 4], b: [1, 2, 3], c: [1, 2, 3, 4] } })).toEqual([
      'input.columns.b has 3 values but input.columns.a has 4 (all columns must be the same length)',
    ]);
  });

  it('rejects each value that is neither a finite number nor null', () => {
    expect(issuesOf({ columns: { a: [1, null, '2', true, {}, Infinity] } })).toEqual([
      'input.columns.a[2] must be a number or null',
      'input.columns.a[3] must be a number or null',
      'input.columns.a[4] must be a number or null',
      'input.columns.a[5] must be a number or null, not Infinity',
    ]);
  });

  it('reports every issue at once', () => {
    expect(issuesOf({ csv: 'a,a\n1\n', bins: 0, extra: 1 })).toEqual([
      'input.extra is not a known field (known: columns, csv, bins)',
      'input.bins must be an integer from 1 to 1000',
      'input.csv header names "a" twice (columns 1 and 2)',
      'input.csv line 2 has 1 cell but the header has 2',
    ]);
  });

  it('lists the first twenty issues and counts the rest', () => {
    const issues = issuesOf({ columns: { a: Array.from({ length: 100 }, () => 'x') } });
    expect(issues).toHaveLength(21);
    expect(issues[19]).toBe('input.columns.a[19] must be a number or null');
    expect(issues[20]).toBe('…and 80 more issues');
  });

  it('yields checkpoints while it reads a large dataset', () => {
    const csv = 'a,b\n' + '1.5,2\n'.repeat(100_000);
    const done = checkpoints(readStatsInput({ csv }));
    expect(done.length).toBeGreaterThan(10);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const columns = { a: new Array(100_000).fill(1), b: new Array(100_000).fill(null) };
    expect(checkpoints(readStatsInput({ columns })).length).toBeGreaterThan(5);
  });
});
