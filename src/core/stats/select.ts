import { SLICE, type Metered } from './metered';

/** Below this many values a range is finished by insertion sort: cheaper than partitioning. */
const SMALL = 24;

/**
 * Rearranges `values` in place so that each index in `ranks` holds the value it would hold if the
 * array were sorted ascending: a multi-quickselect with three-way partitions (runs of equal
 * values cost one pass). The quantiles need 14 order statistics, which takes a few passes over
 * the values instead of the n·log n of a full sort. Yields the elements each partition scanned.
 */
export function* selectRanks(values: Float64Array, ranks: readonly number[]): Metered<void> {
  const wanted = [...new Set(ranks)]
    .filter((r) => r >= 0 && r < values.length)
    .sort((a, b) => a - b);
  // Pending ranges, each with the slice of `wanted` that falls inside it.
  const stack: [low: number, high: number, from: number, to: number][] = [];
  if (wanted.length > 0) stack.push([0, values.length - 1, 0, wanted.length]);
  let seed = 0x9e3779b9;
  while (stack.length > 0) {
    const [low, high, from, to] = stack.pop()!;
    if (high - low < SMALL) {
      insertionSort(values, low, high);
      yield high - low + 1;
      continue;
    }
    // A pseudo-random pivot keeps crafted inputs from forcing quadratic work.
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    const pivot = values[low + (seed % (high - low + 1))];
    const [lt, gt] = yield* partition(values, low, high, pivot);
    // [low, lt) < pivot, [lt, gt] = pivot, (gt, high] > pivot.
    let split = from;
    while (split < to && wanted[split] < lt) split++;
    let after = split;
    while (after < to && wanted[after] <= gt) after++;
    if (split > from) stack.push([low, lt - 1, from, split]);
    if (to > after) stack.push([gt + 1, high, after, to]);
  }
}

/**
 * Dijkstra's three-way partition of `values[low..high]` around `pivot`; returns its equal range.
 * Yields every SLICE elements placed, so that the first partitions of a large column are sliced.
 */
function* partition(
  values: Float64Array,
  low: number,
  high: number,
  pivot: number,
): Metered<[number, number]> {
  let lt = low;
  let i = low;
  let gt = high;
  let placed = 0;
  while (i <= gt) {
    // i − low + high − gt elements have been placed so far.
    if (i - low + high - gt - placed >= SLICE) {
      yield SLICE;
      placed += SLICE;
    }
    const value = values[i];
    if (value < pivot) {
      values[i++] = values[lt];
      values[lt++] = value;
    } else if (value > pivot) {
      values[i] = values[gt];
      values[gt--] = value;
    } else i++;
  }
  yield high - low + 1 - placed;
  return [lt, gt];
}

function insertionSort(values: Float64Array, low: number, high: number): void {
  for (let i = low + 1; i <= high; i++) {
    const value = values[i];
    let j = i - 1;
    while (j >= low && values[j] > value) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = value;
  }
}
