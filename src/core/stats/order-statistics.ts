import { slices, type Metered } from './metered';
import { selectRanks } from './select';

/** Value buckets of the first pass: enough that a rank's bucket holds a handful of values. */
const BUCKETS = 65_536;

/**
 * The values at the given ranks of the ascending order of `values` (non-empty, finite, within
 * [min, max]), without sorting them: a pass counts the values per equal-width bucket (bucket
 * order is value order, since each step of the bucket arithmetic is monotonic), a second pass
 * gathers only the buckets that hold a wanted rank, and a selection within those few finds each
 * rank. Two passes over the values, instead of a sort's n·log n. `values` is left unchanged.
 */
export function* orderStatistics(
  values: Float64Array,
  ranks: readonly number[],
  min: number,
  max: number,
): Metered<Map<number, number>> {
  const found = new Map<number, number>();
  if (min === max) {
    for (const rank of ranks) found.set(rank, min);
    return found;
  }
  const scale = BUCKETS / (max - min);
  const last = BUCKETS - 1;
  const counts = new Int32Array(BUCKETS);
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const bucket = Math.floor((values[i] - min) * scale);
      counts[bucket > last ? last : bucket]++;
    }
    yield to - from;
  }
  // Where each wanted rank falls: its bucket, and the rank's position within that bucket.
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  const slotOf = new Int32Array(BUCKETS).fill(-1);
  const gathered: { values: Float64Array; filled: number; ranks: [number, number][] }[] = [];
  for (let bucket = 0, start = 0, next = 0; bucket < BUCKETS && next < wanted.length; bucket++) {
    const end = start + counts[bucket];
    while (next < wanted.length && wanted[next] < end) {
      if (slotOf[bucket] === -1) {
        slotOf[bucket] = gathered.length;
        gathered.push({ values: new Float64Array(counts[bucket]), filled: 0, ranks: [] });
      }
      gathered[slotOf[bucket]].ranks.push([wanted[next], wanted[next] - start]);
      next++;
    }
    start = end;
  }
  for (const [from, to] of slices(0, values.length)) {
    for (let i = from; i < to; i++) {
      const value = values[i];
      const bucket = Math.floor((value - min) * scale);
      const slot = slotOf[bucket > last ? last : bucket];
      if (slot !== -1) {
        const target = gathered[slot];
        target.values[target.filled++] = value;
      }
    }
    yield to - from;
  }
  for (const slot of gathered) {
    const local = slot.ranks.map(([, within]) => within);
    yield* selectRanks(slot.values, local);
    for (const [rank, within] of slot.ranks) found.set(rank, slot.values[within]);
  }
  return found;
}
