import type { Issues } from './issues';
import { SLICE, type Metered } from './metered';
import { POWERS_OF_TEN } from './numeric';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * Receives each data cell of a well-formed row, with its column's index, as the range
 * `text[start, end)`, untrimmed: a cell need not become a string of its own to be read.
 */
export type CellSink = (column: number, text: string, start: number, end: number) => void;

/** Receives the value of each cell of a row that `simpleRow` read, in place of `CellSink`. */
export type ValueSink = (column: number, value: number) => void;

/** `stats` bounds its work: checked before anything is allocated per column or per cell. */
export const MAX_COLUMNS = 1_000;
export const MAX_CELLS = 10_000_000;

export const tooManyColumns = (field: string, columns: number): string =>
  `${field} has ${columns} columns: stats accepts at most ${MAX_COLUMNS}`;
export const tooManyCells = (field: string): string =>
  `${field} has more than ${MAX_CELLS} cells: stats accepts at most ${MAX_CELLS}`;

export interface CsvShape {
  /** The header's cells, trimmed. */
  names: string[];
  /** Data records read, well-formed or not. */
  rows: number;
}

interface CsvRecord {
  /** Untrimmed. */
  cells: string[];
  /** The physical line the record starts on. */
  line: number;
  /** Why the record is malformed, naming its line. */
  issue?: string;
}

/**
 * Reads RFC 4180 text (comma separator, optional double quotes, LF or CRLF line ends, a leading
 * BOM ignored): a header naming the columns, then data rows. Reports every malformed line to
 * `issues`, hands the cells of well-formed rows to `sink` and yields the characters it has read.
 */
export function* readCsv(
  text: string,
  issues: Issues,
  sink: CellSink,
  valueSink?: ValueSink,
): Metered<CsvShape> {
  const reader = new RecordReader(text);
  if (reader.atEnd) {
    issues.add('input.csv is empty: its first line must name the columns');
    return { names: [], rows: 0 };
  }
  const header = reader.next();
  const names = header.cells.map((cell) => cell.trim());
  if (header.issue) {
    issues.add(header.issue);
    return { names, rows: 0 };
  }
  if (names.length > MAX_COLUMNS) {
    issues.add(tooManyColumns('input.csv', names.length));
    return { names, rows: 0 };
  }
  checkNames(names, issues);
  const maxRows = Math.floor(MAX_CELLS / names.length);
  let rows = 0;
  let reported = 0;
  const columns = names.length;
  const bounds = new Int32Array(columns + 1);
  const values = new Float64Array(columns);
  while (!reader.atEnd) {
    if (++rows > maxRows) {
      issues.add(tooManyCells('input.csv'));
      return { names, rows };
    }
    const simpleEnd = valueSink ? simpleRow(text, reader.position, values) : -1;
    if (simpleEnd !== -1) {
      reader.skipLine(simpleEnd);
      for (let column = 0; column < columns; column++) valueSink!(column, values[column]);
    } else {
      const plain = reader.plainLine();
      if (plain) {
        // The common case, a line without quotes: its cells are read where they lie.
        const { start, end, line } = plain;
        // Cell k spans (bounds[k], bounds[k + 1]): the commas, framed by the line's ends.
        let cells = 1;
        bounds[0] = start - 1;
        for (let i = start; i < end; i++) {
          if (text.charCodeAt(i) === COMMA && cells++ < columns) bounds[cells - 1] = i;
        }
        if (cells !== columns) {
          issues.add(
            `input.csv line ${line} has ${plural(cells, 'cell')} but the header has ${columns}`,
          );
        } else {
          bounds[columns] = end;
          for (let column = 0; column < columns; column++) {
            sink(column, text, bounds[column] + 1, bounds[column + 1]);
          }
        }
      } else {
        readQuoted(reader.next(), names, issues, sink);
      }
    }
    if (reader.position - reported >= SLICE) {
      yield reader.position - reported;
      reported = reader.position;
    }
  }
  yield text.length - reported;
  return { names, rows };
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;

/**
 * Reads the line at `start` into `values` when it is the common case: exactly `values.length`
 * cells, each a plain decimal (optional sign, at most 15 digits, at most one dot, nothing else:
 * no blanks, quotes or exponent). Returns where the line ends (its LF, or the text's end), or -1
 * for any other line, which the general path then reads. One pass over the characters, with the
 * value of each cell exactly as `cellValueIn` gives it (Clinger's fast path); this is what makes
 * a large numeric CSV quick to read. The digit loop is `cellValueIn`'s, written out again on
 * purpose: one shared function, called per cell, made reading 1,000,000 cells ~25 % slower.
 */
function simpleRow(text: string, start: number, values: Float64Array): number {
  const columns = values.length;
  let i = start;
  for (let column = 0; column < columns; column++) {
    let code = text.charCodeAt(i);
    const negative = code === MINUS;
    if (negative || code === PLUS) code = text.charCodeAt(++i);
    let mantissa = 0;
    let digits = 0;
    let decimals = 0;
    let dot = false;
    for (;;) {
      if (code >= DIGIT_0 && code <= DIGIT_9) {
        mantissa = mantissa * 10 + (code - DIGIT_0);
        digits++;
        if (dot) decimals++;
      } else if (code === DOT && !dot) {
        dot = true;
      } else break;
      code = text.charCodeAt(++i);
    }
    if (digits === 0 || digits > 15) return -1;
    const value = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals];
    values[column] = negative ? -value : value;
    // After the last cell the line must end (charCodeAt past the end is NaN); before it, a comma.
    if (column === columns - 1) return code === LF || i >= text.length ? i : -1;
    if (code !== COMMA) return -1;
    i++;
  }
  return -1;
}

function readQuoted(
  { cells, line, issue }: CsvRecord,
  names: string[],
  issues: Issues,
  sink: CellSink,
): void {
  if (issue) issues.add(issue);
  else if (cells.length !== names.length) {
    issues.add(
      `input.csv line ${line} has ${plural(cells.length, 'cell')} but the header has ${names.length}`,
    );
  } else {
    for (let column = 0; column < cells.length; column++) {
      sink(column, cells[column], 0, cells[column].length);
    }
  }
}

function checkNames(names: string[], issues: Issues): void {
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    const first = seen.get(name);
    if (name === '') issues.add(`input.csv header: column ${index + 1} has an empty name`);
    else if (first !== undefined) {
      issues.add(`input.csv header names "${name}" twice (columns ${first + 1} and ${index + 1})`);
    } else seen.set(name, index);
  });
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Splits text into records, tracking physical lines; quote-free lines take a fast native path. */
class RecordReader {
  position: number;
  private line = 1;
  private nextQuote: number;

  constructor(private readonly text: string) {
    this.position = text.charCodeAt(0) === BOM ? 1 : 0;
    this.nextQuote = this.findQuote();
  }

  /** The next record's range when it is one line without quotes (then consumed), else undefined. */
  plainLine(): { start: number; end: number; line: number } | undefined {
    const lineEnd = this.text.indexOf('\n', this.position);
    const end = lineEnd === -1 ? this.text.length : lineEnd;
    if (this.nextQuote < end) return undefined;
    const start = this.position;
    this.position = end + 1;
    return { start, end, line: this.line++ };
  }

  /** Consumes a quote-free line that ends at `end` (its LF, or the text's end). */
  skipLine(end: number): void {
    this.position = end + 1;
    this.line++;
  }

  get atEnd(): boolean {
    return this.position >= this.text.length;
  }

  next(): CsvRecord {
    const lineEnd = this.text.indexOf('\n', this.position);
    const end = lineEnd === -1 ? this.text.length : lineEnd;
    if (this.nextQuote < end) return this.quotedRecord();
    // A CR before the LF stays in the last cell, which trimming removes.
    const cells = this.text.slice(this.position, end).split(',');
    this.position = end + 1;
    return { cells, line: this.line++ };
  }

  private findQuote(): number {
    const quote = this.text.indexOf('"', this.position);
    return quote === -1 ? Infinity : quote;
  }

  private quotedRecord(): CsvRecord {
    const record = this.readQuotedRecord();
    this.nextQuote = this.findQuote();
    return record;
  }

  private readQuotedRecord(): CsvRecord {
    const { text } = this;
    const cells: string[] = [];
    const line = this.line;
    for (;;) {
      if (text.charCodeAt(this.position) === QUOTE) {
        const cell = this.quotedCell();
        if (cell === undefined) {
          return {
            cells,
            line,
            issue: `input.csv line ${line} has a quoted field that is never closed`,
          };
        }
        cells.push(cell);
      } else {
        let end = this.position;
        while (end < text.length && text.charCodeAt(end) !== COMMA && text.charCodeAt(end) !== LF) {
          end++;
        }
        cells.push(text.slice(this.position, end));
        this.position = end;
      }
      const code = text.charCodeAt(this.position);
      if (code === COMMA) {
        this.position++;
      } else if (this.atEnd) {
        return { cells, line };
      } else if (code === LF || (code === CR && text.charCodeAt(this.position + 1) === LF)) {
        this.position += code === LF ? 1 : 2;
        this.line++;
        return { cells, line };
      } else {
        // Only a closing quote stops a field elsewhere than at a comma or a line feed.
        const issue = `input.csv line ${line} has text after a closing quote (a quoted field must end at a comma or a line end)`;
        const lineEnd = text.indexOf('\n', this.position);
        this.position = lineEnd === -1 ? text.length : lineEnd + 1;
        this.line++;
        return { cells, line, issue };
      }
    }
  }

  /** Reads the quoted field at `position`: its text with `""` unescaped, or undefined if it never closes. */
  private quotedCell(): string | undefined {
    const { text } = this;
    let cell = '';
    for (let from = this.position + 1; ;) {
      const close = text.indexOf('"', from);
      if (close === -1) {
        this.position = text.length;
        return undefined;
      }
      for (
        let lf = text.indexOf('\n', from);
        lf !== -1 && lf < close;
        lf = text.indexOf('\n', lf + 1)
      ) {
        this.line++;
      }
      if (text.charCodeAt(close + 1) !== QUOTE) {
        this.position = close + 1;
        return cell + text.slice(from, close);
      }
      cell += text.slice(from, close + 1);
      from = close + 2;
    }
  }
}
