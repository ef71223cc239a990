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
