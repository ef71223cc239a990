import type { Correlation, Histogram } from '../core/stats/stats.types';
import { svg } from './dom';
import { formatNumber } from './format';

const HIST = { width: 320, height: 150, left: 44, right: 8, top: 10, bottom: 24 };

/** Bars of equal width over [min, max], scaled to the fullest bin; each bar's tooltip gives its range and count. */
export function histogramChart(column: string, histogram: Histogram): SVGElement {
  const { edges, counts } = histogram;
  const plotWidth = HIST.width - HIST.left - HIST.right;
  const plotHeight = HIST.height - HIST.top - HIST.bottom;
  const highest = Math.max(1, ...counts);
  const barWidth = plotWidth / counts.length;
  const gap = barWidth > 6 ? 1 : 0;
  const baseline = HIST.top + plotHeight;
  const bars = counts.map((count, bin) => {
    const height = (count / highest) * plotHeight;
    const last = bin === counts.length - 1;
    const range = `[${formatNumber(edges[bin])}, ${formatNumber(edges[bin + 1])}${last ? ']' : ')'}`;
    return svg(
      'rect',
      {
        class: 'bar',
        x: (HIST.left + bin * barWidth + gap / 2).toFixed(2),
        y: (baseline - height).toFixed(2),
        width: Math.max(0.5, barWidth - gap).toFixed(2),
        height: height.toFixed(2),
        'data-count': count,
      },
      svg('title', {}, `${range}: ${formatNumber(count)}`),
    );
  });
  return svg(
    'svg',
    {
      class: 'histogram',
      viewBox: `0 0 ${HIST.width} ${HIST.height}`,
      role: 'img',
      'aria-label': `Histogram of ${column}`,
    },
    svg('line', {
      class: 'axis',
      x1: HIST.left,
      x2: HIST.width - HIST.right,
      y1: baseline,
      y2: baseline,
    }),
    svg('line', { class: 'axis', x1: HIST.left, x2: HIST.left, y1: HIST.top, y2: baseline }),
    svg(
      'text',
      { class: 'tick', x: HIST.left - 4, y: HIST.top + 8, 'text-anchor': 'end' },
      formatNumber(highest),
    ),
    svg('text', { class: 'tick', x: HIST.left - 4, y: baseline, 'text-anchor': 'end' }, '0'),
    bars,
    svg('text', { class: 'tick', x: HIST.left, y: HIST.height - 6 }, formatNumber(edges[0])),
    svg(
      'text',
      { class: 'tick', x: HIST.width - HIST.right, y: HIST.height - 6, 'text-anchor': 'end' },
      formatNumber(edges[edges.length - 1]),
    ),
  );
}

/** A diverging scale: blue for −1, white for 0, red for +1. */
export function correlationColor(r: number): string {
  const strength = Math.min(1, Math.abs(r));
  const [red, green, blue] = r >= 0 ? [185, 28, 28] : [29, 78, 216];
  const mix = (channel: number) => Math.round(255 + (channel - 255) * strength);
  return `rgb(${mix(red)}, ${mix(green)}, ${mix(blue)})`;
}

/** The correlation matrix as a grid of colored cells; a null correlation is grey with a dash. */
export function heatMap({ names, matrix }: Correlation): SVGElement {
  const cell = Math.max(14, Math.min(56, Math.floor(520 / Math.max(1, names.length))));
  // Room for the longest name, written left of the rows and slanted above the columns.
  const label = Math.min(110, 24 + 7 * Math.max(...names.map((name) => clip(name).length)));
  const size = label + cell * names.length;
  // Column labels lean right, past the last column.
  const width = size + label / 2;
  const showValues = cell >= 34;
  const cells = matrix.flatMap((row, i) =>
    row.map((r, j) => {
      const x = label + j * cell;
      const y = label + i * cell;
      // Rounded to two decimals, a tiny negative r would read "-0.00".
      const text = r === null ? '–' : (Math.abs(r) < 0.005 ? 0 : r).toFixed(2);
      return svg(
        'g',
        {
          class: 'cell',
          'data-row': names[i],
          'data-column': names[j],
          'data-value': r === null ? 'null' : r,
        },
        svg('rect', {
          x,
          y,
          width: cell - 1,
          height: cell - 1,
          fill: r === null ? '#e5e7eb' : correlationColor(r),
        }),
        showValues &&
          svg(
            'text',
            {
              x: x + cell / 2,
              y: y + cell / 2 + 4,
              'text-anchor': 'middle',
              class: r !== null && Math.abs(r) > 0.6 ? 'value light' : 'value',
            },
            text,
          ),
        svg(
          'title',
          {},
          `${names[i]} × ${names[j]}: ${r === null ? 'undefined' : formatNumber(r)}`,
        ),
      );
    }),
  );
  const rowLabels = names.map((name, i) =>
    svg(
      'text',
      { class: 'label', x: label - 6, y: label + i * cell + cell / 2 + 4, 'text-anchor': 'end' },
      clip(name),
    ),
  );
  const columnLabels = names.map((name, j) =>
    svg(
      'text',
      {
        class: 'label',
        transform: `translate(${label + j * cell + cell / 2 + 4}, ${label - 6}) rotate(-45)`,
      },
      clip(name),
    ),
  );
  return svg(
    'svg',
    {
      class: 'heatmap',
      viewBox: `0 0 ${width} ${size}`,
      width,
      role: 'img',
      'aria-label': 'Correlation heat map',
    },
    rowLabels,
    columnLabels,
    cells,
  );
}

function clip(name: string): string {
  return name.length > 14 ? `${name.slice(0, 13)}…` : name;
}
