import { nestedDeeperThan } from './input-depth';

function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < levels; level += 1) value = level % 2 ? [value] : { value };
  return value;
}

describe('nestedDeeperThan', () => {
  it('counts arrays and objects as levels, not the primitives they hold', () => {
    expect(nestedDeeperThan('text', 0)).toBe(false);
    expect(nestedDeeperThan({ a: 1 }, 0)).toBe(true);
    expect(nestedDeeperThan(nested(3), 3)).toBe(false);
    expect(nestedDeeperThan(nested(4), 3)).toBe(true);
    expect(nestedDeeperThan({ columns: { a: [1, 2, null] } }, 3)).toBe(false);
  });

  it('walks any depth without overflowing the stack', () => {
    expect(nestedDeeperThan(nested(200_000), 256)).toBe(true);
  });
});
