import { Meter, SLICE, slices, type Metered } from './metered';

function* units(...counts: number[]): Metered<string> {
  for (const count of counts) yield count;
  return 'finished';
}

describe('slices', () => {
  it('covers a range SLICE at a time, or by a given size', () => {
    expect([...slices(0, 2 * SLICE + 1)]).toEqual([
      [0, SLICE],
      [SLICE, 2 * SLICE],
      [2 * SLICE, 2 * SLICE + 1],
    ]);
    expect([...slices(3, 10, 4)]).toEqual([
      [3, 7],
      [7, 10],
    ]);
    expect([...slices(5, 5)]).toEqual([]);
  });
});

describe('Meter', () => {
  it('yields a checkpoint once SLICE elements have accumulated, as a share of the total', () => {
    const meter = new Meter(4 * SLICE);
    const work = meter.run(units(SLICE / 2, SLICE / 2, SLICE, 10, 2 * SLICE - 10));
    const checkpoints = [];
    let next = work.next();
    for (; !next.done; next = work.next()) checkpoints.push(next.value);
    expect(checkpoints).toEqual([{ done: 0.25 }, { done: 0.5 }, { done: 1 }]);
    expect(next.value).toBe('finished');
  });

  it('never reports more than all of the work', () => {
    expect(new Meter(SLICE).tick(3 * SLICE)).toEqual({ done: 1 });
    expect(new Meter(0).tick(SLICE)).toEqual({ done: 1 });
  });
});
