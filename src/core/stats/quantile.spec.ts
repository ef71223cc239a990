import { quantile, quantiles } from './quantile';

describe('quantile', () => {
  it('interpolates linearly at (n − 1)·q, as numpy.quantile does', () => {
    // n = 4: h = 3q. p25: h = 0.75 → 1 + 0.75·(2 − 1); p99: h = 2.97 → 3 + 0.97·(4 − 3).
    expect(quantiles(Float64Array.of(1, 2, 3, 4))).toEqual({
      p01: expect.closeTo(1.03, 14),
      p05: expect.closeTo(1.15, 14),
      p25: 1.75,
      p50: 2.5,
      p75: 3.25,
      p95: expect.closeTo(3.85, 14),
      p99: expect.closeTo(3.97, 14),
    });
  });

  it('matches numpy on uneven gaps', () => {
    const sorted = Float64Array.of(-5, 0, 0.5, 10, 100);
    // h = 4q. p05: h = 0.2 → −5 + 0.2·5 = −4; p75: h = 3 → 10; p95: h = 3.8 → 10 + 0.8·90 = 82.
    expect(quantile(sorted, 0.05)).toBeCloseTo(-4, 12);
    expect(quantile(sorted, 0.75)).toBe(10);
    expect(quantile(sorted, 0.95)).toBeCloseTo(82, 12);
    expect(quantile(sorted, 0)).toBe(-5);
    expect(quantile(sorted, 1)).toBe(100);
  });

  it('gives the value itself for one value', () => {
    expect(Object.values(quantiles(Float64Array.of(7)))).toEqual([7, 7, 7, 7, 7, 7, 7]);
  });
});
