import { median, round } from './stats';

/** One row of the table: a figure of the service beside the same figure of its bare baseline. */
export interface Row {
  scenario: number;
  cell: string;
  figure: string;
  unit: string;
  /** Median of the runs. */
  service: number;
  bare: number;
  /** service ÷ bare. */
  ratio: number;
  /** The issue's target, as text, and whether the medians meet it (null: no target). */
  target: string;
  met: boolean | null;
  /** Median background load over the cell's runs, in cores, and the 1-minute load average. */
  backgroundCores: number;
  loadavg1: number;
  runs: { service: number[]; bare: number[] };
  /** Anything else measured for this row (per-run details, counters, profiles). */
  details?: Record<string, unknown>;
}

export interface RowInput {
  scenario: number;
  cell: string;
  figure: string;
  unit: string;
  service: number[];
  bare: number[];
  background: number[];
  loadavg: number[];
  target?: string;
  /** Decides `met` from the medians; omitted when the figure has no target. */
  check?: (service: number, bare: number) => boolean;
  details?: Record<string, unknown>;
}

export function row(input: RowInput): Row {
  const service = median(input.service);
  const bare = median(input.bare);
  return {
    scenario: input.scenario,
    cell: input.cell,
    figure: input.figure,
    unit: input.unit,
    service: round(service, 3),
    bare: round(bare, 3),
    ratio: round(service / bare, 3),
    target: input.target ?? '',
    met: input.check ? input.check(service, bare) : null,
    backgroundCores: round(median(input.background), 2),
    loadavg1: round(median(input.loadavg), 2),
    runs: {
      service: input.service.map((v) => round(v, 3)),
      bare: input.bare.map((v) => round(v, 3)),
    },
    ...(input.details ? { details: input.details } : {}),
  };
}

/**
 * A row comparing the service with auth on (in the `service` column) to the
 * same service with auth off (in the `bare` column), same runs and machine:
 * the target is that auth costs at most 10 %.
 */
export function authRow(
  input: Omit<RowInput, 'service' | 'bare' | 'target' | 'check'> & {
    on: number[];
    off: number[];
    higherIsBetter: boolean;
  },
): Row {
  const { on, off, higherIsBetter, ...rest } = input;
  return row({
    ...rest,
    cell: `${input.cell}: auth on ÷ auth off`,
    service: on,
    bare: off,
    target: higherIsBetter ? '≥ 0.9×' : '≤ 1.1×',
    check: (withAuth, without) =>
      higherIsBetter ? withAuth >= 0.9 * without : withAuth <= 1.1 * without,
  });
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function markdownTable(rows: Row[]): string {
  const lines = [
    '| # | cell | figure | service | bare | ratio | target | met | bg load (cores) | loadavg |',
    '| --- | --- | --- | ---: | ---: | ---: | --- | --- | ---: | ---: |',
  ];
  for (const r of rows) {
    const met = r.met === null ? '' : r.met ? '✅' : '❌';
    lines.push(
      `| ${r.scenario} | ${r.cell} | ${r.figure} (${r.unit}) | ${formatNumber(r.service)} | ${formatNumber(
        r.bare,
      )} | ${Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : '–'} | ${r.target} | ${met} | ${r.backgroundCores.toFixed(
        2,
      )} | ${r.loadavg1.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
