import { h, svg } from './dom';
import { formatNumber } from './format';

type Row = Record<string, unknown>;

/** Nesting shown as structure; deeper values are shown as JSON. */
const MAX_DEPTH = 3;
const MAX_ROWS = 200;

/**
 * A result (or a step's partial result) of a pipeline the page has no view
 * for: records as a table, numeric series as a chart, scalars as a list,
 * anything else as collapsible JSON.
 */
export function genericView(value: unknown, depth = 0): HTMLElement {
  if (isRecordList(value)) return recordTable(value);
  if (isNumberSeries(value)) return seriesChart(value);
  if (isPlainObject(value) && depth < MAX_DEPTH) {
    const entries = Object.entries(value);
    const scalars = entries.filter(([, item]) => isScalar(item));
    const nested = entries.filter(([, item]) => !isScalar(item));
    return h(
      'div',
      { class: 'generic' },
      scalars.length > 0 &&
        h(
          'dl',
          { class: 'scalars' },
          scalars.map(([key, item]) => [h('dt', {}, key), h('dd', {}, scalarText(item))]),
        ),
      nested.map(([key, item]) =>
        h(
          'section',
          { class: 'generic-part', 'data-key': key },
          h('h4', {}, key),
          genericView(item, depth + 1),
        ),
      ),
    );
  }
  if (isScalar(value)) return h('p', { class: 'scalar' }, scalarText(value));
  return jsonBlock(value, 'JSON');
}

/** Collapsible JSON; `div` rather than `pre` so the result's one raw `pre` stays unique. */
export function jsonBlock(value: unknown, summary: string): HTMLElement {
  return h(
    'details',
    { class: 'json' },
    h('summary', {}, summary),
    h('div', { class: 'json-text' }, JSON.stringify(value, null, 2)),
  );
}

function recordTable(rows: Row[]): HTMLElement {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const shown = rows.slice(0, MAX_ROWS);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'records' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          columns.map((column) => h('th', {}, column)),
        ),
      ),
      h(
        'tbody',
        {},
        shown.map((row) =>
          h(
            'tr',
            {},
            columns.map((column) => h('td', {}, scalarText(row[column]))),
          ),
        ),
      ),
    ),
    rows.length > MAX_ROWS &&
      h('p', { class: 'hint' }, `First ${MAX_ROWS} of ${formatNumber(rows.length)} rows.`),
  );
}

/** A line over the series' index, with its range on the side. */
function seriesChart(values: number[]): HTMLElement {
  const width = 320;
  const height = 120;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (index: number) => (index / Math.max(values.length - 1, 1)) * width;
  const y = (value: number) => height - ((value - min) / span) * height;
  const points = values.map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`);
  return h(
    'figure',
    { class: 'series', 'data-points': values.length },
    svg(
      'svg',
      {
        viewBox: `-4 -4 ${width + 8} ${height + 8}`,
        class: 'series-chart',
        role: 'img',
        'aria-label': `${values.length} values from ${min} to ${max}`,
      },
      svg('polyline', {
        points: points.join(' '),
        fill: 'none',
        stroke: 'currentColor',
        'stroke-width': 2,
      }),
      values.length <= 50 &&
        values.map((value, index) => svg('circle', { cx: x(index), cy: y(value), r: 2.5 })),
    ),
    h('figcaption', {}, `${values.length} values, ${formatNumber(min)} to ${formatNumber(max)}`),
  );
}

function isPlainObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function isRecordList(value: unknown): value is Row[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((item) => isPlainObject(item) && Object.values(item).every(isScalar))
  );
}

function isNumberSeries(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((item) => typeof item === 'number' && Number.isFinite(item))
  );
}

function scalarText(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value);
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
