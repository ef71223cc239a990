import { correlation, correlationCost, type CorrelationColumn } from './correlation';
import { type Metered } from './metered';

function drain<T>(work: Metered<T>): { value: T; reported: number } {
  let reported = 0;
  for (;;) {
    const next = work.next();
    if (next.done) return { value: next.value, reported };
    reported += next.value;
  }
}

function columns(data: Record<string, (number | null)[]>): CorrelationColumn[] {
  return Object.entries(data).map(([name, values]) => {
    const present = values.filter((value) => value !== null);
    return {
      name,
      values: Float64Array.from(values, (value) => value ?? NaN),
      varies: new Set(present).size > 1,
    };
  });
}

describe('correlation', () => {
  it('is ±1 for perfectly (anti)correlated columns', () => {
    const { value } = drain(
      correlation(columns({ a: [1, 2, 3, 4], b: [3, 5, 7, 9], c: [8, 6, 4, 2] })),
    );
    expect(value.names).toEqual(['a', 'b', 'c']);
    expect(value.matrix).toEqual([
      [1, expect.closeTo(1, 14), expect.closeTo(-1, 14)],
      [expect.closeTo(1, 14), 1, expect.closeTo(-1, 14)],
      [expect.closeTo(-1, 14), expect.closeTo(-1, 14), 1],
    ]);
    for (const row of value.matrix)
      for (const r of row) expect(Math.abs(r!)).toBeLessThanOrEqual(1);
  });

  it('uses only the rows where both columns are present', () => {
    const { value } = drain(
      correlation(columns({ x: [1, 2, null, 4, 5], y: [2, null, 3, 9, 10] })),
    );
    // Shared rows 0, 3, 4: x 1, 4, 5 (mean 10/3), y 2, 9, 10 (mean 7).
    // dx −7/3, 2/3, 5/3; dy −5, 2, 3: Σdx·dy = 18, Σdx² = 26/3, Σdy² = 38.
    expect(value.matrix[0][1]).toBeCloseTo(18 / Math.sqrt((26 / 3) * 38), 14);
  });

  it('is null with fewer than two shared rows', () => {
    const { value } = drain(
      correlation(columns({ p: [1, 2, 3, null], q: [null, null, 5, 6], r: [null, null, null, 7] })),
    );
    expect(value.matrix).toEqual([
      [1, null, null],
      [null, 1, null],
      [null, null, null],
    ]);
  });

  it('is null for a column constant over the shared rows, and for a constant column even with itself', () => {
    const { value } = drain(
      correlation(columns({ x: [1, 2, 3, null], y: [7, 7, 7, 9], k: [5, 5, 5, 5] })),
    );
    expect(value.matrix).toEqual([
      [1, null, null],
      [null, 1, null],
      [null, null, null],
    ]);
  });

  it('allocates its matrix a row at a time, each row reported before the next', () => {
    const names = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const work = correlation(columns(Object.fromEntries(names.map((name) => [name, [1, 1]]))));
    // Constant columns: the first 50 reports are the matrix's rows, then one per pair.
    const firstReports = Array.from({ length: 50 }, () => work.next().value);
    expect(firstReports).toEqual(Array(50).fill(50));
  });

  it('reports exactly its cost', () => {
    const input = columns({ a: [1, 2, 3], b: [2, 1, 3], k: [1, 1, 1], c: [3, 1, null] });
    // Three varying columns: 3 pairs × 2 passes × 3 rows, plus the 3 pairs with k, plus the 4 × 4 matrix.
    expect(correlationCost(input, 3)).toBe(37);
    expect(drain(correlation(input)).reported).toBe(37);
  });
});
