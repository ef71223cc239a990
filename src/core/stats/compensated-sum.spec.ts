import { CompensatedSum } from './compensated-sum';

describe('CompensatedSum', () => {
  it('keeps the terms a plain sum loses', () => {
    const sum = new CompensatedSum();
    // Plainly, 1e100 + 1 − 1e100 + 1 is 1; exactly it is 2.
    for (const term of [1e100, 1, -1e100, 1]) sum.add(term);
    expect(sum.value).toBe(2);
  });

  it('sums many tenths to the double nearest the exact total', () => {
    const sum = new CompensatedSum();
    // The double 0.1 is 0.1000000000000000055…: a million of them make 100000.0000000000055…,
    // nearest to the double 100000, where a plain loop drifts to 100000.00000133288.
    for (let i = 0; i < 1_000_000; i++) sum.add(0.1);
    expect(sum.value).toBe(100000);
  });
});
