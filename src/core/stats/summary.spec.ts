import { SLICE, type Metered } from './metered';
import { quantiles } from './quantile';
import type { NumericColumn } from './stats.types';
import { summarize, summaryCost } from './summary';

function drain<T>(work: Metered<T>): { value: T; reported: number } {
  let reported = 0;
  for (;;) {
    const next = work.next();
    if (next.done) return { value: next.value, reported };
    expect(next.value).toBeLessThanOrEqual(SLICE);
    reported += next.value;
  }
}

function column(values: (number | null)[]): NumericColumn {
  return {
    name: 'x',
    values: Float64Array.from(values, (value) => value ?? NaN),
    count: values.filter((value) => value !== null).length,
  };
}

describe('summarize', () => {
  it('describes the present values, reporting at least its estimated cost', () => {
    const input = column([4, null, 1, 3, null, 2]);
    const { value, reported } = drain(summarize(input));
    // mean 10/4 = 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; std = √(5/3).
    expect(value.summary).toEqual({
      count: 4,
      missing: 2,
      mean: 2.5,
      std: Math.sqrt(5 / 3),
      min: 1,
      max: 4,
      quantiles: quantiles(Float64Array.of(1, 2, 3, 4)),
    });
    expect(value.present).toEqual(Float64Array.of(4, 1, 3, 2));
    expect(reported).toBeGreaterThanOrEqual(summaryCost(input));
  });

  it('has no std for one value', () => {
    const { value } = drain(summarize(column([null, -3.5])));
    expect(value.summary).toMatchObject({ count: 1, missing: 1, mean: -3.5, std: null, min: -3.5 });
  });

  it('gives a constant column its exact mean and a zero std', () => {
    // A plain 0.1 + 0.1 + 0.1 = 0.30000000000000004, whose third is not 0.1.
    const { value } = drain(summarize(column([0.1, 0.1, 0.1])));
    expect(value.summary).toMatchObject({ mean: 0.1, std: 0, min: 0.1, max: 0.1 });
  });

  it('keeps its accuracy on a large offset', () => {
    // 1e9 + 1, 1e9 + 2, 1e9 + 3 → mean 1e9 + 2, std 1.
    const { value } = drain(summarize(column([1e9 + 1, 1e9 + 2, 1e9 + 3])));
    expect(value.summary).toMatchObject({ mean: 1e9 + 2, std: 1 });
  });

  it('has only nulls for a column without a present value', () => {
    const input = column([null, null, null]);
    const { value, reported } = drain(summarize(input));
    expect(value.summary).toEqual({
      count: 0,
      missing: 3,
      mean: null,
      std: null,
      min: null,
      max: null,
      quantiles: null,
    });
    expect(reported).toBe(summaryCost(input));
  });
});
