import { bisectLeft, bisectRight } from './bisect';

describe('bisect', () => {
  const sorted = Float64Array.of(1, 2, 2, 2, 5);

  it('finds the first value ≥ x and the first value > x', () => {
    expect([0, 1, 2, 3, 5, 6].map((x) => bisectLeft(sorted, x))).toEqual([0, 0, 1, 4, 4, 5]);
    expect([0, 1, 2, 3, 5, 6].map((x) => bisectRight(sorted, x))).toEqual([0, 1, 4, 4, 5, 5]);
  });

  it('searches from a given index', () => {
    expect(bisectLeft(sorted, 0, 3)).toBe(3);
    expect(bisectRight(sorted, 2, 4)).toBe(4);
  });
});
