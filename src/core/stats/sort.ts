import { slices, type Metered } from './metered';

/** Values sorted by one native typed-array sort: about a millisecond of uninterrupted work. */
export const SORT_CHUNK = 16_384;

function mergePasses(length: number): number {
  let passes = 0;
  for (let width = SORT_CHUNK; width < length; width *= 2) passes++;
  return passes;
}

/** The elements `chunkedSort` reports for `length` values: each chunk once, then once per merge pass. */
export function sortCost(length: number): number {
  return length * (1 + mergePasses(length));
}

/**
 * Sorts ascending without a long pause: native sorts of SORT_CHUNK-sized chunks, then bottom-up
 * merges of neighbouring runs. Sorts `values` in place and may use it as the merge scratch, so the
 * returned array, not `values`, holds the result.
 */
export function* chunkedSort(values: Float64Array): Metered<Float64Array> {
  const length = values.length;
  for (const [from, to] of slices(0, length, SORT_CHUNK)) {
    values.subarray(from, to).sort();
    yield to - from;
  }
  let source: Float64Array = values;
  let target: Float64Array = new Float64Array(length > SORT_CHUNK ? length : 0);
  for (let width = SORT_CHUNK; width < length; width *= 2) {
    for (let low = 0; low < length; low += 2 * width) {
      yield* merge(
        source,
        target,
        low,
        Math.min(low + width, length),
        Math.min(low + 2 * width, length),
      );
    }
    [source, target] = [target, source];
  }
  return source;
}

/** Merges the ascending runs `source[low, middle)` and `source[middle, high)` into `target[low, high)`. */
function* merge(
  source: Float64Array,
  target: Float64Array,
  low: number,
  middle: number,
  high: number,
): Metered<void> {
  let left = low;
  let right = middle;
  for (const [from, to] of slices(low, high)) {
    for (let k = from; k < to; k++) {
      target[k] =
        right >= high || (left < middle && source[left] <= source[right])
          ? source[left++]
          : source[right++];
    }
    yield to - from;
  }
}
