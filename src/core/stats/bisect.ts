/** The first index from `from` on whose value is `>= x` in ascending `sorted`. */
export function bisectLeft(sorted: Float64Array, x: number, from = 0): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The first index from `from` on whose value is `> x` in ascending `sorted`. */
export function bisectRight(sorted: Float64Array, x: number, from = 0): number {
  let low = from;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] <= x) low = middle + 1;
    else high = middle;
  }
  return low;
}
