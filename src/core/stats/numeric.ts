/**
 * Whether a per-row column value is missing: NaN marks one, and no present value is NaN since all
 * are finite. Bound once because hot loops would otherwise look `Number` up per element, a global
 * lookup that is slow in vm contexts such as Jest's.
 */
export const isMissing = Number.isNaN;

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The value of a trimmed CSV cell: NaN when it is empty (a missing value), `undefined` when it is
 * not a finite decimal number. `Number` alone would also accept hex, `Infinity` and whitespace;
 * a decimal too large for a double (`1e999`) is not finite either.
 */
export function cellValue(cell: string): number | undefined {
  if (cell === '') return NaN;
  if (!DECIMAL.test(cell)) return undefined;
  const value = Number(cell);
  return Number.isFinite(value) ? value : undefined;
}

/** Exact powers of ten: a double holds each of 10^0 … 10^22 exactly. */
export const POWERS_OF_TEN = Float64Array.from({ length: 23 }, (_, k) => 10 ** k);
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * `cellValue` of the untrimmed cell `text[start, end)`, without making it a string when it is a
 * plain decimal of at most 15 digits: then its digits as an integer divided by an exact power of
 * ten are both exact doubles, and one correctly rounded division gives exactly what `Number`
 * would (Clinger's fast path). Anything else goes the general way.
 */
export function cellValueIn(text: string, start: number, end: number): number | undefined {
  let from = start;
  let to = end;
  while (from < to && isBlank(text.charCodeAt(from))) from++;
  while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
  if (from === to) return NaN;
  let i = from;
  const first = text.charCodeAt(i);
  const negative = first === MINUS;
  if (negative || first === PLUS) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = 0;
  let dot = false;
  for (; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code >= ZERO && code <= NINE) {
      mantissa = mantissa * 10 + (code - ZERO);
      digits++;
      if (dot) decimals++;
    } else if (code === DOT && !dot) {
      dot = true;
    } else {
      return cellValue(text.slice(from, to).trim());
    }
  }
  if (digits === 0 || digits > 15) return cellValue(text.slice(from, to).trim());
  const value = decimals === 0 ? mantissa : mantissa / POWERS_OF_TEN[decimals];
  return negative ? -value : value;
}

/** The ASCII white space `String.prototype.trim` removes (the rest takes the general way). */
function isBlank(code: number): boolean {
  return code === SPACE || code === TAB || code === CR || (code >= 0x0a && code <= 0x0c);
}
