import type { Checkpoint, Work } from '../pipeline.types';

/**
 * Elements of work between two checkpoints: a pass over this many values takes well under a
 * millisecond, well inside the runner's ~5 ms between yields.
 */
export const SLICE = 16_384;

/** Work over data that yields how many elements it processed since its previous yield. */
export type Metered<T> = Generator<number, T, void>;

/** The ranges `[from, to)` that cover `[start, end)`, `size` elements at a time. */
export function* slices(
  start: number,
  end: number,
  size = SLICE,
): Generator<[number, number], void, void> {
  for (let from = start; from < end; from += size) yield [from, Math.min(end, from + size)];
}

/**
 * Turns counts of processed elements into checkpoints, one at least every SLICE elements however
 * the work is split among loops and columns, with `done` the share of the `total` expected.
 */
export class Meter {
  private processed = 0;
  private sinceCheckpoint = 0;

  constructor(private readonly total: number) {}

  tick(elements: number): Checkpoint | undefined {
    this.processed += elements;
    this.sinceCheckpoint += elements;
    if (this.sinceCheckpoint < SLICE) return undefined;
    this.sinceCheckpoint = 0;
    return { done: Math.min(1, this.processed / this.total) };
  }

  *run<T>(work: Metered<T>): Work<T> {
    for (;;) {
      const next = work.next();
      if (next.done) return next.value;
      const checkpoint = this.tick(next.value);
      if (checkpoint) yield checkpoint;
    }
  }
}

/** Runs metered work straight through, for callers that do not slice it. */
export function runMetered<T>(work: Metered<T>): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
  }
}
