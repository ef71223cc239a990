import { seededRandom as random } from '../testing/seeded-random';
import { InputError } from '../input-error';
import type { StepContext, Work } from '../pipeline.types';
import { SLICE } from '../stats/metered';
import type { StatsInput, StatsResult } from '../stats/stats.types';
import { runToCompletion } from '../work';
import { statsPipeline } from './stats.pipeline';

const context: StepContext = { random: () => 0.5 };

/** Drives work to its end, recording the `done` of every checkpoint it yields. */
function drive<T>(work: Work<T>, done: number[]): T {
  for (;;) {
    const next = work.next();
    if (next.done) return next.value;
    if ('done' in next.value) done.push(next.value.done);
  }
}

/** Runs the pipeline as the worker does, recording each step's data and checkpoints. */
function run(raw: unknown) {
  const checkpoints: Record<string, number[]> = { validate: [] };
  const data: Record<string, unknown> = {};
  let state = statsPipeline.init(drive(statsPipeline.validate(raw), checkpoints.validate));
  for (const step of statsPipeline.steps) {
    const outcome = drive(step.run(state, context), (checkpoints[step.name] = []));
    state = outcome.state;
    data[step.name] = outcome.data;
  }
  return { result: statsPipeline.result(state), data, checkpoints };
}

/** The shares of work between consecutive checkpoints, from the start to the end of the step. */
function gaps(done: number[]): number[] {
  const points = [0, ...done, 1];
  return points.slice(1).map((point, i) => point - points[i]);
}

/** `expected` with every fraction matched to 12 decimals: the hand arithmetic rounds differently. */
function approx(expected: unknown): unknown {
  if (typeof expected === 'number' && !Number.isInteger(expected))
    return expect.closeTo(expected, 12);
  if (Array.isArray(expected)) return expected.map(approx);
  if (expected !== null && typeof expected === 'object') {
    return Object.fromEntries(Object.entries(expected).map(([key, value]) => [key, approx(value)]));
  }
  return expected;
}

const nulls = { mean: null, std: null, min: null, max: null, quantiles: null };
const same = (v: number) => ({ p01: v, p05: v, p25: v, p50: v, p75: v, p95: v, p99: v });

/**
 * x = [1, 2, 3, 4, 10], y = 2x where present, z constant, w empty, v a single value; bins 3.
 * x: mean 20/5 = 4; squared deviations 9 + 4 + 1 + 0 + 36 = 50, std √(50/4); quantiles at
 * h = 4q (p95: h = 3.8 → 4 + 0.8·6 = 8.8); edges 1, 4, 7, 10 hold 1 2 3 | 4 | 10; Q1 2, Q3 4,
 * fences −1 and 7, so 10 is an outlier.
 * y = [2, 4, 8, 20]: mean 8.5; squared deviations 42.25 + 20.25 + 0.25 + 132.25 = 195, std √65;
 * quantiles at h = 3q (p75: h = 2.25 → 8 + 0.25·12 = 11); edges 2, 8, 14, 20 hold 2 4 | 8 | 20;
 * Q1 3.5, Q3 11, fences 3.5 − 11.25 and 11 + 11.25. corr(x, y) over rows 0, 1, 3, 4 is 1.
 */
const columnsInput = {
  columns: {
    x: [1, 2, 3, 4, 10],
    y: [2, 4, null, 8, 20],
    z: [5, 5, 5, 5, 5],
    w: [null, null, null, null, null],
    v: [null, 7, null, null, null],
  },
  bins: 3,
};
const csvInput = {
  csv: 'x,y,z,w,v,label\n1,2,5,,,a\n2,4,5,,7,b\n3,,5,,,c\n4,8,5,,,d\n10,20,5,,,e\n',
  bins: 3,
};
const expected: StatsResult = {
  rows: 5,
  columns: {
    x: {
      count: 5,
      missing: 0,
      mean: 4,
      std: Math.sqrt(12.5),
      min: 1,
      max: 10,
      quantiles: { p01: 1.04, p05: 1.2, p25: 2, p50: 3, p75: 4, p95: 8.8, p99: 9.76 },
      histogram: { edges: [1, 4, 7, 10], counts: [3, 1, 1] },
      outliers: { count: 1, lowFence: -1, highFence: 7 },
    },
    y: {
      count: 4,
      missing: 1,
      mean: 8.5,
      std: Math.sqrt(65),
      min: 2,
      max: 20,
      quantiles: { p01: 2.06, p05: 2.3, p25: 3.5, p50: 6, p75: 11, p95: 18.2, p99: 19.64 },
      histogram: { edges: [2, 8, 14, 20], counts: [2, 1, 1] },
      outliers: { count: 0, lowFence: -7.75, highFence: 22.25 },
    },
    z: {
      count: 5,
      missing: 0,
      mean: 5,
      std: 0,
      min: 5,
      max: 5,
      quantiles: same(5),
      histogram: { edges: [5, 5], counts: [5] },
      outliers: { count: 0, lowFence: 5, highFence: 5 },
    },
    w: { count: 0, missing: 5, ...nulls, histogram: null, outliers: null },
    v: {
      count: 1,
      missing: 4,
      mean: 7,
      std: null,
      min: 7,
      max: 7,
      quantiles: same(7),
      histogram: { edges: [7, 7], counts: [1] },
      outliers: { count: 0, lowFence: 7, highFence: 7 },
    },
  },
  nonNumeric: [],
  correlation: {
    names: ['x', 'y', 'z', 'w', 'v'],
    matrix: [
      [1, 1, null, null, null],
      [1, 1, null, null, null],
      [null, null, null, null, null],
      [null, null, null, null, null],
      [null, null, null, null, null],
    ],
  },
};

describe('statsPipeline', () => {
  it('describes its steps and input', () => {
    expect(statsPipeline.name).toBe('stats');
    expect(statsPipeline.steps.map((step) => step.name)).toEqual([
      'parse',
      'summary',
      'histogram',
      'outliers',
      'correlation',
    ]);
    expect(statsPipeline.input).toMatchObject({
      type: 'object',
      additionalProperties: false,
      oneOf: [{ required: ['columns'] }, { required: ['csv'] }],
    });
    expect(Object.keys(statsPipeline.input.properties as object)).toEqual([
      'columns',
      'csv',
      'bins',
    ]);
  });

  it('accepts its own examples', () => {
    for (const example of statsPipeline.input.examples as unknown[]) {
      expect(() => run(example)).not.toThrow();
    }
  });

  it('profiles columns', () => {
    const { result } = run(columnsInput);
    expect(result).toEqual(approx(expected));
    expect(Object.keys(result.columns)).toEqual(['x', 'y', 'z', 'w', 'v']);
  });

  it('profiles the same data as CSV, listing the non-numeric column apart', () => {
    expect(run(csvInput).result).toEqual(approx({ ...expected, nonNumeric: ['label'] }));
  });

  it('sends each step a small partial result', () => {
    const { data, result } = run(csvInput);
    expect(data.parse).toEqual({
      rows: 5,
      columns: ['x', 'y', 'z', 'w', 'v'],
      nonNumeric: ['label'],
    });
    const { x } = result.columns;
    expect(data.summary).toMatchObject({
      x: { count: 5, missing: 0, mean: 4, std: x.std, min: 1, max: 10, quantiles: x.quantiles },
      w: { count: 0, missing: 5, ...nulls },
    });
    expect((data.summary as Record<string, object>).x).not.toHaveProperty('histogram');
    expect(data.histogram).toMatchObject({ x: x.histogram, w: null });
    expect(data.outliers).toMatchObject({ x: x.outliers, w: null });
    expect(data.correlation).toEqual(result.correlation);
  });

  it('returns plain JSON', () => {
    const { result } = run(csvInput);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('profiles a header-only CSV as zero rows', () => {
    const { result } = run({ csv: 'a,b\n' });
    expect(result).toEqual({
      rows: 0,
      columns: {
        a: { count: 0, missing: 0, ...nulls, histogram: null, outliers: null },
        b: { count: 0, missing: 0, ...nulls, histogram: null, outliers: null },
      },
      nonNumeric: [],
      correlation: {
        names: ['a', 'b'],
        matrix: [
          [null, null],
          [null, null],
        ],
      },
    });
  });

  it('profiles a dataset whose only column is non-numeric', () => {
    expect(run({ csv: 'name\nada\n\nbob\n' }).result).toEqual({
      rows: 3,
      columns: {},
      nonNumeric: ['name'],
      correlation: { names: [], matrix: [] },
    });
  });

  it('keeps columns in input order, whatever their names', () => {
    const { result } = run({ csv: 'b,__proto__,a\n1,2,3\n2,1,3\n' });
    expect(Object.keys(result.columns)).toEqual(['b', '__proto__', 'a']);
    expect(Object.getPrototypeOf(result.columns)).toBe(Object.prototype);
    const r = expect.closeTo(-1, 14);
    expect(result.correlation).toEqual({
      names: ['b', '__proto__', 'a'],
      matrix: [
        [1, r, null],
        [r, 1, null],
        [null, null, null],
      ],
    });
  });

  it('checks the payload again in its parse step', () => {
    const bad = [
      { csv: 'a,b\n1\n', bins: 20 },
      { columns: { a: ['x'] }, bins: 20 },
    ] as StatsInput[];
    for (const input of bad) {
      const parse = statsPipeline.steps[0].run(statsPipeline.init(input), context);
      expect(() => runToCompletion(parse)).toThrow(InputError);
    }
  });

  it('checkpoints a histogram step over many columns', () => {
    const columns = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`c${i}`, [i, 0, 1]]));
    let state = statsPipeline.init(
      runToCompletion(statsPipeline.validate({ columns, bins: 1000 })),
    );
    for (const step of statsPipeline.steps.slice(0, 2)) {
      state = runToCompletion(step.run(state, context)).state;
    }
    const done: number[] = [];
    drive(statsPipeline.steps[2].run(state, context), done);
    // 500 columns × (1000 edges + 3 values), a column at a time: a checkpoint once SLICE are done.
    expect(done.length).toBeGreaterThanOrEqual(Math.floor((500 * 1003) / (SLICE + 1003)));
    expect(done.length).toBeLessThanOrEqual(Math.floor((500 * 1003) / SLICE));
    expect(gaps(done)).toEqual(new Array(done.length + 1).fill(expect.any(Number)));
    expect(Math.max(...gaps(done))).toBeLessThanOrEqual((2 * SLICE) / (500 * 1003));
    expect(Math.min(...gaps(done))).toBeGreaterThanOrEqual(0);
  });
});

/** The plain reading of each definition: a library sort, naive sums, a linear scan of the edges. */
function reference(values: (number | null)[], bins: number) {
  const present = values.filter((value): value is number => value !== null);
  const n = present.length;
  const sorted = Float64Array.from(present).sort();
  let sum = 0;
  for (const value of present) sum += value;
  const mean = sum / n;
  let squares = 0;
  for (const value of present) squares += (value - mean) ** 2;
  const q = (p: number) => {
    const h = (n - 1) * p;
    const low = Math.floor(h);
    return sorted[low] + (sorted[Math.min(low + 1, n - 1)] - sorted[low]) * (h - low);
  };
  const [min, max] = [sorted[0], sorted[n - 1]];
  const width = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  const counts = new Array<number>(bins).fill(0);
  for (const value of present) {
    let bin = 0;
    while (bin < bins - 1 && value >= edges[bin + 1]) bin++;
    counts[bin]++;
  }
  const [q1, q3] = [q(0.25), q(0.75)];
  const [lowFence, highFence] = [q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)];
  return {
    count: n,
    missing: values.length - n,
    mean,
    std: Math.sqrt(squares / (n - 1)),
    min,
    max,
    quantiles: {
      p01: q(0.01),
      p05: q(0.05),
      p25: q1,
      p50: q(0.5),
      p75: q3,
      p95: q(0.95),
      p99: q(0.99),
    },
    histogram: { edges, counts },
    outliers: {
      count: present.filter((value) => value < lowFence || value > highFence).length,
      lowFence,
      highFence,
    },
  };
}

function referencePearson(x: (number | null)[], y: (number | null)[]): number {
  const rows = x.flatMap((a, i) => (a !== null && y[i] !== null ? [[a, y[i] as number]] : []));
  const meanX = rows.reduce((sum, [a]) => sum + a, 0) / rows.length;
  const meanY = rows.reduce((sum, [, b]) => sum + b, 0) / rows.length;
  let [xy, xx, yy] = [0, 0, 0];
  for (const [a, b] of rows) {
    xy += (a - meanX) * (b - meanY);
    xx += (a - meanX) ** 2;
    yy += (b - meanY) ** 2;
  }
  return xy / Math.sqrt(xx * yy);
}

/** Every number of `actual` within 1e-9 of `expected`'s, relatively; everything else equal. */
function expectRelative(actual: unknown, expected: unknown, path = 'result'): void {
  if (typeof expected === 'number') {
    expect(typeof actual).toBe('number');
    const error = Math.abs((actual as number) - expected);
    if (error > 1e-9 * Math.abs(expected)) throw new Error(`${path}: ${actual} is not ${expected}`);
  } else if (expected !== null && typeof expected === 'object') {
    expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
    for (const [key, value] of Object.entries(expected)) {
      expectRelative((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
  } else {
    expect(actual).toEqual(expected);
  }
}

describe('statsPipeline on 1 000 000 values', () => {
  const ROWS = 250_000;
  const BINS = 20;
  const next = random(2024);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const columns: Record<string, (number | null)[]> = { g: [], offset: [], y: [], digit: [] };
  for (let row = 0; row < ROWS; row++) {
    const g = 10 + 3 * normal();
    columns.g.push(next() < 0.01 ? null : g);
    // A large offset and a small spread: the case where one-pass variance formulas fail.
    columns.offset.push(1e6 + (next() - 0.5) * 1e3);
    columns.y.push(next() < 0.02 ? null : 2 * g + normal());
    // Few distinct values: ties in the sort, values exactly on histogram edges.
    columns.digit.push(Math.floor(next() * 10));
  }
  const names = Object.keys(columns);
  const csv =
    names.join(',') +
    '\n' +
    Array.from({ length: ROWS }, (_, row) =>
      names.map((name) => columns[name][row] ?? '').join(','),
    ).join('\n') +
    '\n';
  const fromCsv = run({ csv, bins: BINS });

  it('matches a straightforward computation to 1e-9', () => {
    expectRelative(fromCsv.result, {
      rows: ROWS,
      columns: Object.fromEntries(names.map((name) => [name, reference(columns[name], BINS)])),
      nonNumeric: [],
      correlation: {
        names,
        matrix: names.map((a) =>
          names.map((b) => (a === b ? 1 : referencePearson(columns[a], columns[b]))),
        ),
      },
    });
  });

  it('gives the same result from columns as from CSV', () => {
    expect(run({ columns, bins: BINS }).result).toEqual(fromCsv.result);
  });

  it('checkpoints every step that passes over the values, at most 2·SLICE values apart', () => {
    const { checkpoints } = fromCsv;
    // The parse step takes the table validate read: nothing to read again, so no checkpoint.
    expect(checkpoints.parse).toEqual([]);
    for (const name of ['validate', 'summary', 'histogram', 'outliers', 'correlation']) {
      const done = checkpoints[name];
      expect(done.length).toBeGreaterThan(0);
      expect(Math.min(...gaps(done))).toBeGreaterThanOrEqual(0);
      // Each step's work is at least one element per value, so a gap of 2·SLICE elements is at
      // most this share of it.
      expect(Math.max(...gaps(done))).toBeLessThanOrEqual((2 * SLICE) / (4 * ROWS));
    }
  });
});
