import { formatDuration, formatNumber, formatPercent } from './format';

describe('formatNumber', () => {
  it.each([
    [null, '—'],
    [0, '0'],
    [20000, '20,000'],
    [-3, '-3'],
    [169.89712345, '169.897'],
    [0.000012345, '1.2345e-5'],
    [12345678901.5, '1.2346e+10'],
    [-13.73751, '-13.7375'],
  ])('shows %p as %p', (value, shown) => {
    expect(formatNumber(value)).toBe(shown);
  });
});

describe('formatDuration and formatPercent', () => {
  it('reads as a person would say it', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1_540)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatPercent(99.99)).toBe('99%');
  });
});
