import { setImmediate as nextTurn } from 'node:timers/promises';
import { numericTableOf } from '../core/pipelines/stats.pipeline';

/** Inputs smaller than this ride inline in the BullMQ job: one key fewer, no extra round trip. */
export const INLINE_INPUT_BYTES = 64 * 1024;
/** The largest piece of a stored input: a Redis reply or write of this size takes about a millisecond. */
export const INPUT_CHUNK_BYTES = 1024 * 1024;
/** Column values converted to bytes between two turns of the event loop. */
const VALUES_PER_TURN = 262_144;

/**
 * How a stored input's chunks read back. `stats` datasets are kept in the form the worker reads
 * fastest: CSV as its text, columns as little-endian float64s (NaN for null, which a finite
 * dataset never holds otherwise), so that nothing large is ever one `JSON.parse`.
 */
export type InputHeader =
  | { format: 'json' }
  | { format: 'csv'; fields: Record<string, unknown> }
  | { format: 'columns'; names: string[]; rows: number; fields: Record<string, unknown> };

export interface EncodedInput {
  header: InputHeader;
  chunks: Buffer[];
}

/**
 * The input's stored form, or undefined when it is small enough to stay inline. A `stats` dataset
 * whose validation read an all-numeric table (`validated`: what the pipeline's `validate`
 * returned) is stored as that table's columns, so the worker reads numbers, not text, and the
 * result is the same (the specs hold columns and CSV to one result).
 */
export async function encodeInput(
  input: unknown,
  validated?: unknown,
): Promise<EncodedInput | undefined> {
  const table = numericTableOf(validated);
  if (
    table &&
    table.columns.length > 0 &&
    table.columns.length * table.rows * 8 >= INLINE_INPUT_BYTES
  ) {
    const { bins } = validated as { bins: number };
    const chunks = table.columns.flatMap(({ values }) =>
      split(Buffer.from(values.buffer, values.byteOffset, values.byteLength)),
    );
    const names = table.columns.map(({ name }) => name);
    return { header: { format: 'columns', names, rows: table.rows, fields: { bins } }, chunks };
  }
  const dataset = statsDataset(input);
  if (dataset && typeof dataset.csv === 'string') {
    if (dataset.csv.length < INLINE_INPUT_BYTES) return undefined;
    const { csv, ...fields } = dataset;
    return { header: { format: 'csv', fields }, chunks: split(Buffer.from(csv, 'utf8')) };
  }
  if (dataset && isColumns(dataset.columns)) {
    const { columns, ...fields } = dataset;
    const names = Object.keys(columns);
    const rows = names.length === 0 ? 0 : columns[names[0]].length;
    if (names.length * rows * 8 < INLINE_INPUT_BYTES) return undefined;
    return {
      header: { format: 'columns', names, rows, fields },
      chunks: split(await float64Bytes(names.map((name) => columns[name]))),
    };
  }
  const text = JSON.stringify(input);
  if (text.length < INLINE_INPUT_BYTES) return undefined;
  return { header: { format: 'json' }, chunks: split(Buffer.from(text, 'utf8')) };
}

/**
 * Rebuilds an input from its stored chunks as they are read. Columns are copied into their
 * Float64Array chunk by chunk as each read arrives, so no step copies the whole dataset at once
 * (a concatenation and a copy of 8 MB held the event loop for over 10 ms).
 */
export class InputDecoder {
  private readonly values: Float64Array | undefined;
  private readonly bytes: Uint8Array | undefined;
  private readonly chunks: Buffer[] = [];
  private filled = 0;

  constructor(private readonly header: InputHeader) {
    if (header.format === 'columns') {
      // Its own buffer, aligned for Float64Array: a Redis reply's bytes have no alignment guarantee.
      this.values = new Float64Array(header.names.length * header.rows);
      this.bytes = new Uint8Array(this.values.buffer);
    }
  }

  add(chunk: Buffer): void {
    if (!this.bytes) {
      this.chunks.push(chunk);
      return;
    }
    const room = this.bytes.length - this.filled;
    this.bytes.set(chunk.length > room ? chunk.subarray(0, room) : chunk, this.filled);
    this.filled += Math.min(chunk.length, room);
  }

  /** The input again; `stats` columns come back as Float64Arrays. */
  input(): unknown {
    const { header, values } = this;
    if (header.format === 'columns' && values) {
      const columns = Object.fromEntries(
        header.names.map((name, index) => [
          name,
          values.subarray(index * header.rows, (index + 1) * header.rows),
        ]),
      );
      return { ...header.fields, columns };
    }
    const bytes = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    if (header.format === 'csv') return { ...header.fields, csv: bytes.toString('utf8') };
    return JSON.parse(bytes.toString('utf8')) as unknown;
  }
}

function statsDataset(input: unknown): Record<string, unknown> | undefined {
  return typeof input === 'object' && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)
    : undefined;
}

function isColumns(columns: unknown): columns is Record<string, (number | null)[]> {
  if (typeof columns !== 'object' || columns === null) return false;
  const arrays = Object.values(columns);
  return (
    arrays.length > 0 &&
    arrays.every((values) => Array.isArray(values) && values.length === arrays[0].length)
  );
}

/** The columns' values one after the other; converted in turns, so the event loop keeps running. */
async function float64Bytes(columns: (number | null)[][]): Promise<Buffer> {
  const rows = columns[0].length;
  const values = new Float64Array(columns.length * rows);
  let sinceTurn = 0;
  for (const [index, column] of columns.entries()) {
    const offset = index * rows;
    for (let from = 0; from < rows; from += VALUES_PER_TURN) {
      const to = Math.min(rows, from + VALUES_PER_TURN);
      for (let i = from; i < to; i++) {
        const value = column[i];
        values[offset + i] = typeof value === 'number' ? value : NaN;
      }
      sinceTurn += to - from;
      if (sinceTurn >= VALUES_PER_TURN) {
        await nextTurn();
        sinceTurn = 0;
      }
    }
  }
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function split(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let from = 0; from < bytes.length; from += INPUT_CHUNK_BYTES) {
    chunks.push(bytes.subarray(from, from + INPUT_CHUNK_BYTES));
  }
  return chunks;
}
