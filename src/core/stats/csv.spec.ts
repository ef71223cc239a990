import { readCsv } from './csv';
import { Issues } from './issues';
import { SLICE } from './metered';

/** Reads `text`, collecting the rows the sink receives, the issues and the characters reported. */
function read(text: string) {
  const issues = new Issues();
  const cells: string[][] = [];
  const work = readCsv(text, issues, (column, source, start, end) => {
    if (column === 0) cells.push([]);
    cells[cells.length - 1].push(source.slice(start, end).trim());
  });
  const reports: number[] = [];
  for (;;) {
    const next = work.next();
    if (next.done) {
      return { ...next.value, cells, reports, issues: issues.any ? issues.error().issues : [] };
    }
    reports.push(next.value);
  }
}

describe('readCsv', () => {
  it('reads a header and rows', () => {
    expect(read('a,b\n1,2\n3,4')).toMatchObject({
      names: ['a', 'b'],
      rows: 2,
      cells: [
        ['1', '2'],
        ['3', '4'],
      ],
      issues: [],
    });
  });

  it('reads quoted fields holding commas, line ends and escaped quotes', () => {
    const { cells, issues } = read('name,note\n"Smith, J","say ""hi"""\n"two\nlines",""\n');
    expect(cells).toEqual([
      ['Smith, J', 'say "hi"'],
      ['two\nlines', ''],
    ]);
    expect(issues).toEqual([]);
  });

  it('trims cells and names, quoted or not', () => {
    expect(read(' a , b \n 1 ,"  2 "\n')).toMatchObject({ names: ['a', 'b'], cells: [['1', '2']] });
  });

  it('reads CRLF line ends, inside quotes too', () => {
    expect(read('a,b\r\n1,2\r\n"x\r\ny",3\r\n')).toMatchObject({
      names: ['a', 'b'],
      rows: 2,
      cells: [
        ['1', '2'],
        ['x\r\ny', '3'],
      ],
    });
  });

  it('adds no row for a trailing line end', () => {
    expect(read('a\n1\n').rows).toBe(1);
    expect(read('a\n1').rows).toBe(1);
    expect(read('a\r\n1\r\n').rows).toBe(1);
    expect(read('a,b\n')).toMatchObject({ names: ['a', 'b'], rows: 0 });
    expect(read('a,b')).toMatchObject({ names: ['a', 'b'], rows: 0 });
  });

  it('reads a blank line as a record of one empty cell', () => {
    expect(read('a\n1\n\n2\n').cells).toEqual([['1'], [''], ['2']]);
  });

  it('ignores a leading BOM', () => {
    expect(read('\uFEFFa,b\n1,2').names).toEqual(['a', 'b']);
  });

  it('reads a trailing comma as an empty last cell and a quote inside a bare field as text', () => {
    expect(read('a,b\n1,\n5",6\n').cells).toEqual([
      ['1', ''],
      ['5"', '6'],
    ]);
  });

  it('names the line a record with the wrong number of cells starts on', () => {
    // The third record spans lines 3 and 4, so "4,5" is on line 5.
    const { issues, cells } = read('a,b,c\n1,2,3\n"multi\nline",2,3\n4,5\n6\n7,8,9\n');
    expect(issues).toEqual([
      'input.csv line 5 has 2 cells but the header has 3',
      'input.csv line 6 has 1 cell but the header has 3',
    ]);
    expect(cells).toEqual([
      ['1', '2', '3'],
      ['multi\nline', '2', '3'],
      ['7', '8', '9'],
    ]);
    expect(read('a,b\r\n1,2,3\r\n').issues).toEqual([
      'input.csv line 2 has 3 cells but the header has 2',
    ]);
  });

  it('rejects a quoted field that is never closed', () => {
    expect(read('a,b\n1,2\n3,"4\n5,6\n').issues).toEqual([
      'input.csv line 3 has a quoted field that is never closed',
    ]);
    expect(read('"a,b\n1,2\n').issues).toEqual([
      'input.csv line 1 has a quoted field that is never closed',
    ]);
  });

  it('rejects text after a closing quote and goes on with the next line', () => {
    const { issues, cells } = read('a,b\n"1"x,2\n3,4\n');
    expect(issues).toEqual([
      'input.csv line 2 has text after a closing quote (a quoted field must end at a comma or a line end)',
    ]);
    expect(cells).toEqual([['3', '4']]);
  });

  it('rejects an empty text', () => {
    const empty = ['input.csv is empty: its first line must name the columns'];
    expect(read('').issues).toEqual(empty);
    expect(read('\uFEFF').issues).toEqual(empty);
  });

  it('rejects empty and duplicate column names', () => {
    expect(read('a,,c\n').issues).toEqual(['input.csv header: column 2 has an empty name']);
    expect(read(' \n1\n').issues).toEqual(['input.csv header: column 1 has an empty name']);
    expect(read('a,b, a\n').issues).toEqual(['input.csv header names "a" twice (columns 1 and 3)']);
  });

  it('reports every character read, in slices', () => {
    const text = 'x\n' + '12345\n'.repeat(50_000);
    const { reports, rows } = read(text);
    expect(rows).toBe(50_000);
    expect(reports.reduce((sum, count) => sum + count, 0)).toBe(text.length);
    expect(reports.length).toBeGreaterThanOrEqual(Math.floor(text.length / (SLICE + 6)));
    expect(Math.max(...reports)).toBeLessThan(SLICE + 6);
  });
});
