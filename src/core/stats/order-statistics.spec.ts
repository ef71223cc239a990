import { orderStatistics } from './order-statistics';

describe('orderStatistics', () => {
  it.each([
    ['uniform', (i: number) => (i * 7919) % 10_007],
    ['crowded by one far outlier', (i: number) => (i === 0 ? 1e12 : (i * 31) % 97)],
    ['two values', (i: number) => i % 2],
    ['tiny spread', (i: number) => 1 + ((i * 13) % 7) * Number.EPSILON],
  ])('finds each rank as a full sort does (%s)', (_, valueAt) => {
    const values = Float64Array.from({ length: 30_001 }, (__, i) => valueAt(i));
    const copy = values.slice();
    const sorted = values.slice().sort();
    const ranks = [0, 1, 299, 300, 15_000, 29_700, 30_000];
    const work = orderStatistics(values, ranks, sorted[0], sorted[sorted.length - 1]);
    let next = work.next();
    while (!next.done) next = work.next();
    for (const rank of ranks) expect(next.value.get(rank)).toBe(sorted[rank]);
    expect(values).toEqual(copy);
  });
});
