/**
 * A generated dataset to try the stats pipeline on: a few numeric columns
 * with different shapes (normal, correlated, uniform, skewed, with outliers
 * and missing values) and one text column, which the pipeline reports as
 * non-numeric. Seeded, so a sample is the same every time.
 */

export const SAMPLE_COLUMNS = [
  'height_cm',
  'weight_kg',
  'age',
  'income_k',
  'latency_ms',
  'segment',
] as const;

/** mulberry32: small, fast, and good enough for sample data. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function sampleCsv(rows: number, seed = 42): string {
  const random = seeded(seed);
  // Box–Muller: a standard normal from two uniforms.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const segments = ['north', 'south', 'east', 'west'];
  const lines = [SAMPLE_COLUMNS.join(',')];
  for (let row = 0; row < rows; row += 1) {
    const height = 170 + 9 * normal();
    const weight = random() < 0.03 ? '' : (0.9 * (height - 170) + 70 + 8 * normal()).toFixed(1);
    const age = 18 + Math.floor(random() * 63);
    const income = Math.exp(3.8 + 0.5 * normal()).toFixed(1);
    const spike = random() < 0.02 ? 8 : 1;
    const latency = (-Math.log(1 - random()) * 40 * spike).toFixed(2);
    const segment = segments[Math.floor(random() * segments.length)];
    lines.push(`${height.toFixed(1)},${weight},${age},${income},${latency},${segment}`);
  }
  return `${lines.join('\n')}\n`;
}
