import { cellValue } from './numeric';

describe('cellValue', () => {
  it.each([
    ['1', 1],
    ['-1', -1],
    ['+1.5', 1.5],
    ['.5', 0.5],
    ['5.', 5],
    ['007', 7],
    ['1e3', 1000],
    ['1E-3', 0.001],
    ['-.5e+2', -50],
    ['0.1', 0.1],
  ])('reads the finite decimal %j', (cell, value) => {
    expect(cellValue(cell)).toBe(value);
  });

  it('reads an empty cell as a missing value', () => {
    expect(cellValue('')).toBeNaN();
  });

  it.each([
    'NaN',
    'Infinity',
    '-Infinity',
    '0x10',
    '0b1',
    'abc',
    '1,5',
    '1e',
    'e3',
    '.',
    '+',
    '1 2',
    '1e999',
  ])('rejects %j', (cell) => {
    expect(cellValue(cell)).toBeUndefined();
  });
});
