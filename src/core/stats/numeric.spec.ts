import { cellValue, cellValueIn } from './numeric';

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

describe('cellValueIn', () => {
  it('reads a cell in place exactly as cellValue reads it trimmed', () => {
    const cells = [
      '0',
      '-0',
      '+1',
      '1.',
      '.5',
      '-.5',
      '+.5',
      '.',
      '-',
      '',
      '  ',
      ' 12.5\r',
      '\t-3.25 ',
      '0.1',
      '0.3',
      '123456789012345',
      '1234567890123456',
      '9007199254740993',
      '1.7976931348623157',
      '0.000000000000000000001',
      '0.00000000000000000000000001',
      '1e3',
      '1E-2',
      '1e999',
      'NaN',
      'Infinity',
      '0x10',
      '1,5',
      '1.2.3',
      '--1',
      'abc',
      '\u00a07',
      '12a',
      '\u00011',
    ];
    for (const cell of cells) {
      const padded = `x,${cell},y`;
      const expected = cellValue(cell.trim());
      expect([cell, cellValueIn(padded, 2, 2 + cell.length)]).toEqual([cell, expected]);
    }
  });

  it('agrees with Number on random decimals of up to 15 digits', () => {
    let state = 7;
    const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648);
    for (let n = 0; n < 20_000; n++) {
      const digits = String(next() * 2_147_483_648 + next()).slice(0, 1 + (next() % 15));
      const point = next() % (digits.length + 1);
      const cell = `${next() % 2 ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
      expect(cellValueIn(cell, 0, cell.length)).toBe(Number(cell));
    }
  });
});
