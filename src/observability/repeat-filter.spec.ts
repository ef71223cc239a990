import { onceInAWhile } from './repeat-filter';

describe('onceInAWhile', () => {
  it('logs a recurring error once per interval, with how often it recurred meanwhile', () => {
    let clock = 0;
    const lines: [string, number][] = [];
    const report = onceInAWhile(
      (message, repeats) => lines.push([message, repeats]),
      1_000,
      () => clock,
    );
    report(new Error('connect ECONNREFUSED'));
    clock = 400;
    report(new Error('connect ECONNREFUSED'));
    report(new Error('read ECONNRESET'));
    clock = 999;
    report(new Error('connect ECONNREFUSED'));
    expect(lines).toEqual([
      ['connect ECONNREFUSED', 0],
      ['read ECONNRESET', 0],
    ]);
    clock = 1_000;
    report(new Error('connect ECONNREFUSED'));
    expect(lines[2]).toEqual(['connect ECONNREFUSED', 2]);
  });
});
