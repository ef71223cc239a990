import { seededRandom as random } from '../testing/seeded-random';
import { SLICE } from './metered';
import { chunkedSort, SORT_CHUNK, sortCost } from './sort';

/** The first index where `a` and `b` differ, or -1: Jest's deep equality takes seconds on a million. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function sortReporting(values: Float64Array): { sorted: Float64Array; reports: number[] } {
  const work = chunkedSort(values);
  const reports: number[] = [];
  for (;;) {
    const next = work.next();
    if (next.done) return { sorted: next.value, reports };
    reports.push(next.value);
  }
}

describe('chunkedSort', () => {
  it.each([0, 1, 2, 100, SORT_CHUNK, SORT_CHUNK + 1, 3 * SORT_CHUNK + 17, 4 * SORT_CHUNK])(
    'sorts %i values like a plain sort, reporting its work in slices',
    (length) => {
      const next = random(length);
      // Few distinct values, so that the merges meet many ties.
      const values = Float64Array.from({ length }, () => Math.floor(next() * 50) - 25);
      const expected = values.slice().sort();
      const { sorted, reports } = sortReporting(values);
      expect(sorted).toEqual(expected);
      expect(Math.max(0, ...reports)).toBeLessThanOrEqual(SLICE);
      expect(reports.reduce((sum, count) => sum + count, 0)).toBe(sortCost(length));
    },
  );

  it('sorts 1 000 000 values like a plain sort', () => {
    const next = random(42);
    const values = Float64Array.from({ length: 1_000_000 }, () => (next() - 0.5) * 1e6);
    const expected = values.slice().sort();
    const { sorted, reports } = sortReporting(values);
    expect(firstDifference(sorted, expected)).toBe(-1);
    // 62 chunks, then 6 merge passes of every value.
    expect(sortCost(1_000_000)).toBe(7_000_000);
    expect(reports.reduce((sum, count) => sum + count, 0)).toBe(7_000_000);
    expect(Math.max(...reports)).toBeLessThanOrEqual(SLICE);
  });
});
