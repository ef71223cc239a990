import { outliers } from './outliers';
import { quantile } from './quantile';

describe('outliers', () => {
  it('counts values strictly outside Tukey fences', () => {
    // Q1 2, Q3 4, IQR 2: fences 2 − 3 = −1 and 4 + 3 = 7. −1 and 7 sit on the fences; −2 and 7.5 are out.
    const sorted = Float64Array.of(-2, -1, 2, 3, 4, 7, 7.5);
    expect(outliers(sorted, 2, 4)).toEqual({ count: 2, lowFence: -1, highFence: 7 });
  });

  it('reads the fences from the quartiles', () => {
    // [1, 2, 3, 4, 100]: Q1 (h = 1) = 2, Q3 (h = 3) = 4, fences −1 and 7: 100 is out.
    const sorted = Float64Array.of(1, 2, 3, 4, 100);
    expect(outliers(sorted, quantile(sorted, 0.25), quantile(sorted, 0.75))).toEqual({
      count: 1,
      lowFence: -1,
      highFence: 7,
    });
  });

  it('counts every other value when the IQR is zero', () => {
    // [0, 4, 4, 4, 4, 10]: Q1 (h = 1.25) = Q3 (h = 3.75) = 4, so both fences are 4.
    const sorted = Float64Array.of(0, 4, 4, 4, 4, 10);
    expect(outliers(sorted, 4, 4)).toEqual({ count: 2, lowFence: 4, highFence: 4 });
  });
});
