import type { ColumnStats, Quantiles } from '../core/stats/stats.types';
import { correlationColor, heatMap, histogramChart } from './charts';
import { h } from './dom';
import { formatNumber } from './format';
import type { PartialStats } from './stats-model';

/** A statistic of a column: its name in `data-stat`, how to read it from the column's stats, its label. */
interface Row {
  stat: string;
  label: string;
  read(column: Partial<ColumnStats>): number | null | undefined;
}

const quantile = (key: keyof Quantiles) => (column: Partial<ColumnStats>) =>
  column.quantiles === undefined ? undefined : (column.quantiles?.[key] ?? null);
const outlier = (key: 'count' | 'lowFence' | 'highFence') => (column: Partial<ColumnStats>) =>
  column.outliers === undefined ? undefined : (column.outliers?.[key] ?? null);

const ROWS: Row[] = [
  { stat: 'count', label: 'Count', read: (column) => column.count },
  { stat: 'missing', label: 'Missing', read: (column) => column.missing },
  { stat: 'mean', label: 'Mean', read: (column) => column.mean },
  { stat: 'std', label: 'Std deviation', read: (column) => column.std },
  { stat: 'min', label: 'Min', read: (column) => column.min },
  { stat: 'p01', label: '1st percentile', read: quantile('p01') },
  { stat: 'p05', label: '5th percentile', read: quantile('p05') },
  { stat: 'p25', label: '25th percentile', read: quantile('p25') },
  { stat: 'p50', label: 'Median', read: quantile('p50') },
  { stat: 'p75', label: '75th percentile', read: quantile('p75') },
  { stat: 'p95', label: '95th percentile', read: quantile('p95') },
  { stat: 'p99', label: '99th percentile', read: quantile('p99') },
  { stat: 'max', label: 'Max', read: (column) => column.max },
  { stat: 'outliers', label: 'Outliers', read: outlier('count') },
  { stat: 'lowFence', label: 'Low fence', read: outlier('lowFence') },
  { stat: 'highFence', label: 'High fence', read: outlier('highFence') },
];

/** `undefined`: its step has not reported yet; `null`: the statistic does not exist for this column. */
function valueCell(value: number | null | undefined): HTMLTableCellElement {
  if (value === undefined) return h('td', { class: 'num pending' }, '…');
  return h(
    'td',
    { class: 'num', 'data-value': value === null ? 'null' : value },
    formatNumber(value),
  );
}

function columnCard(name: string, column: Partial<ColumnStats>): HTMLElement {
  const chart =
    column.histogram === undefined
      ? h('div', { class: 'chart-placeholder' }, 'Histogram pending…')
      : column.histogram === null
        ? h('div', { class: 'chart-placeholder' }, 'No values to plot')
        : histogramChart(name, column.histogram);
  return h(
    'article',
    { class: 'column-card', 'data-column': name },
    h('h4', {}, name),
    chart,
    h(
      'table',
      { class: 'stats-table' },
      h(
        'tbody',
        {},
        ROWS.map((row) =>
          h('tr', { 'data-stat': row.stat }, h('th', {}, row.label), valueCell(row.read(column))),
        ),
      ),
    ),
  );
}

function legend(): HTMLElement {
  const stops = [-1, -0.5, 0, 0.5, 1];
  return h(
    'div',
    { class: 'legend' },
    stops.map((r) =>
      h('span', {}, h('i', { style: `background:${correlationColor(r)}` }), r.toFixed(1)),
    ),
  );
}

export function statsView(stats: PartialStats): HTMLElement {
  const correlation = stats.correlation;
  return h(
    'section',
    { class: `stats ${stats.complete ? 'complete' : 'partial'}` },
    h(
      'div',
      { class: 'overview' },
      h(
        'div',
        { class: 'metric' },
        h('span', {}, 'Rows'),
        h('strong', { 'data-stat': 'rows' }, formatNumber(stats.rows)),
      ),
      h(
        'div',
        { class: 'metric' },
        h('span', {}, 'Numeric columns'),
        h('strong', {}, formatNumber(stats.names.length)),
      ),
      h(
        'div',
        { class: 'metric' },
        h('span', {}, 'Non-numeric columns'),
        h(
          'strong',
          { class: 'non-numeric' },
          stats.nonNumeric.length > 0 ? stats.nonNumeric.join(', ') : 'none',
        ),
      ),
      !stats.complete &&
        h(
          'div',
          { class: 'metric partial-note' },
          'Intermediate results: filling in as steps finish',
        ),
    ),
    h(
      'div',
      { class: 'columns' },
      stats.names.map((name) => columnCard(name, stats.columns[name] ?? {})),
    ),
    correlation &&
      correlation.names.length > 0 &&
      h(
        'div',
        { class: 'card correlation' },
        h('h3', {}, 'Correlation (Pearson)'),
        heatMap(correlation),
        legend(),
      ),
  );
}
