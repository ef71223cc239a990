import { selectRanks } from './select';

function select(values: Float64Array, ranks: number[]): Float64Array {
  const work = selectRanks(values, ranks);
  while (!work.next().done);
  return values;
}

/** Deterministic values with many repeats, as real data has. */
function dataset(length: number, seed: number, distinct: number): Float64Array {
  let state = seed;
  return Float64Array.from({ length }, () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * distinct) - distinct / 2;
  });
}

describe('selectRanks', () => {
  it.each([
    [1, 1],
    [7, 3],
    [100, 1000],
    [5_000, 10],
    [20_000, 100_000],
  ])('puts the sorted value at each wanted rank (%i values, %i distinct)', (length, distinct) => {
    const values = dataset(length, length + distinct, distinct);
    const sorted = Float64Array.from(values).sort();
    const ranks = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99].flatMap((q) => {
      const below = Math.floor((length - 1) * q);
      return [below, Math.min(below + 1, length - 1)];
    });
    const selected = select(values, ranks);
    for (const rank of ranks) expect(selected[rank]).toBe(sorted[rank]);
    expect(Float64Array.from(selected).sort()).toEqual(sorted);
  });

  it('handles already sorted, reversed and constant input', () => {
    const ascending = Float64Array.from({ length: 1000 }, (_, i) => i);
    for (const values of [ascending, ascending.slice().reverse(), new Float64Array(1000).fill(3)]) {
      const sorted = Float64Array.from(values).sort();
      const selected = select(values.slice(), [0, 499, 500, 999]);
      for (const rank of [0, 499, 500, 999]) expect(selected[rank]).toBe(sorted[rank]);
    }
  });
});
