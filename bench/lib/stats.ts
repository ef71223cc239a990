/** Small statistics helpers shared by the orchestrator and the bench processes. */

export function median(values: number[]): number {
  const finite = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
}

/** Nearest-rank percentile of raw samples (`q` in 0..1). */
export function percentile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

const GROWTH = Math.log(1.01);

/**
 * A latency histogram with 1 % relative precision (log buckets over microseconds),
 * cheap to fill in a hot path and to merge across processes. Values are milliseconds.
 */
export class LatencyHistogram {
  private readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;
  min = Number.POSITIVE_INFINITY;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const index = Math.ceil(Math.log(us) / GROWTH);
    this.buckets.set(index, (this.buckets.get(index) ?? 0) + 1);
    this.count += 1;
    if (ms > this.max) this.max = ms;
    if (ms < this.min) this.min = ms;
  }

  merge(other: SerializedHistogram): void {
    for (const [index, count] of other.buckets) {
      this.buckets.set(index, (this.buckets.get(index) ?? 0) + count);
    }
    this.count += other.count;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min ?? Number.POSITIVE_INFINITY);
  }

  /** The value below which a fraction `q` of the samples lie; the exact maximum for q = 1. */
  percentile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (q >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const index of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(index) ?? 0;
      if (seen >= rank) return Math.min(this.max, Math.exp(index * GROWTH) / 1000);
    }
    return this.max;
  }

  serialize(): SerializedHistogram {
    return {
      buckets: [...this.buckets.entries()],
      count: this.count,
      max: this.max,
      min: this.min,
    };
  }

  reset(): void {
    this.buckets.clear();
    this.count = 0;
    this.max = 0;
    this.min = Number.POSITIVE_INFINITY;
  }
}

export interface SerializedHistogram {
  buckets: [number, number][];
  count: number;
  max: number;
  min?: number;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
