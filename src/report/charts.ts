/**
 * Charts as self-contained SVG strings (no scripts, no network): line charts with titled axes
 * and the legend beside the plot, never over the data, and histograms. Pages and plots build on
 * these; they take plain numbers, so they run without the native addon.
 * @module
 */
import { checkArray, checkObject, checkString, describeValue, invalidArgument } from '../util/errors';

/** One series of a line chart: points (x, y); non-finite points are skipped. */
export interface ChartSeries {
  /** legend text */
  name: string;
  /** [x, y] pairs, in x order */
  points: [number, number][];
  /** a CSS colour; a palette colour when absent */
  colour?: string;
  /** 'line' (default), 'points' (markers only, e.g. evaluations), or 'both' */
  style?: 'line' | 'points' | 'both';
  /** a dashed line (for a reference or a second protocol) */
  dashed?: boolean;
}

/** A vertical marker line at an x value, with a label (e.g. "trained with 8 steps"). */
export interface ChartMarker {
  /** where the line stands */
  x: number;
  /** its label, drawn at the top of the plot */
  label: string;
}

/** What a line chart shows. */
export interface LineChartOptions {
  /** the chart's title */
  title: string;
  /** the x axis title */
  xLabel: string;
  /** the y axis title */
  yLabel: string;
  /** the series drawn */
  series: ChartSeries[];
  /** vertical marker lines */
  markers?: ChartMarker[];
  /** a fixed y range (for accuracies, [0, 1]); otherwise the data's range */
  yRange?: [number, number];
  /** a logarithmic (base 2) x axis, for step counts like 1, 2, 4, 8, 16 */
  logX?: boolean;
  /** y tick labels as percentages (values in [0, 1]) */
  percent?: boolean;
  /** the plot area's width in pixels (the legend is added to the right) */
  width?: number;
  /** the plot area's height in pixels */
  height?: number;
}

/** A categorical palette that stays readable for the common forms of colour blindness. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

/** Escapes text for SVG and HTML content and attribute values. */
export function escapeXml(s: string): string {
  checkString(s, 'escapeXml(): s');
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A number as a tick label, with as many decimals as the tick spacing `step` needs. */
export function formatTick(v: number, percent = false, step?: number): string {
  const scaled = percent ? v * 100 : v;
  const spacing = step === undefined ? undefined : percent ? step * 100 : step;
  const unit = percent ? '%' : '';
  if (scaled === 0) return `0${unit}`;
  if (!percent && (Math.abs(scaled) >= 10000 || (spacing === undefined && Math.abs(scaled) < 0.01))) return scaled.toExponential(1);
  if (spacing !== undefined && spacing > 0) {
    const decimals = Math.min(6, Math.max(0, Math.ceil(-Math.log10(spacing) - 1e-9)));
    if (!percent && decimals > 3) return scaled.toExponential(Math.max(1, decimals - Math.floor(-Math.log10(Math.abs(scaled))) - 1));
    return `${scaled.toFixed(decimals)}${unit}`;
  }
  return `${Number(scaled.toPrecision(3))}${unit}`;
}

/** About `n` round tick values covering [a, b] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(a: number, b: number, n = 5): number[] {
  if (!(b > a)) return [a];
  const raw = (b - a) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(a / step - 1e-9) * step; v <= b + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The spacing of evenly spaced ticks (undefined for fewer than two). */
function tickStep(ticks: number[]): number | undefined {
  return ticks.length > 1 ? ticks[1] - ticks[0] : undefined;
}

const MARGIN = { left: 64, right: 16, top: 34, bottom: 46 };
const LEGEND_WIDTH = 190;
const LEGEND_ROW = 16;

/** The checks every chart makes of its options: an object with string titles and positive sizes. */
function checkChartOptions(o: unknown, fn: string): void {
  checkObject(o, `${fn}: options`);
  const opts = o as Record<string, unknown>;
  for (const k of ['title', 'xLabel', 'yLabel']) checkString(opts[k], `${fn}: options.${k}`);
  for (const k of ['width', 'height']) {
    const v = opts[k];
    if (v !== undefined && (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v))) throw invalidArgument(`${fn}: options.${k} must be a positive number of pixels, got ${describeValue(v)}`);
  }
}

/** An SVG line chart; with no finite point it says so instead of drawing empty axes. */
export function lineChart(o: LineChartOptions): string {
  checkChartOptions(o, 'lineChart()');
  checkArray<ChartSeries>(o.series, 'lineChart(): options.series', 'an array of series').forEach((s, i) => {
    checkObject(s, `lineChart(): options.series[${i}]`);
    checkString(s.name, `lineChart(): options.series[${i}].name`);
    checkArray(s.points, `lineChart(): options.series[${i}].points`, 'an array of [x, y] pairs').forEach((p, j) => checkArray(p, `lineChart(): options.series[${i}].points[${j}]`, 'an [x, y] pair'));
  });
  if (o.markers !== undefined) checkArray(o.markers, 'lineChart(): options.markers').forEach((m, i) => checkObject(m, `lineChart(): options.markers[${i}]`));
  if (o.yRange !== undefined && (!Array.isArray(o.yRange) || o.yRange.length !== 2)) throw invalidArgument(`lineChart(): options.yRange must be a [min, max] pair, got ${describeValue(o.yRange)}`);
  const W = o.width ?? 560;
  const H = o.height ?? 260;
  const series = o.series.map((s, i) => ({ ...s, colour: s.colour ?? PALETTE[i % PALETTE.length], points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!o.logX || x > 0)) }));
  const all = series.flatMap((s) => s.points);
  const totalW = MARGIN.left + W + MARGIN.right + LEGEND_WIDTH;
  const totalH = Math.max(MARGIN.top + H + MARGIN.bottom, MARGIN.top + series.length * LEGEND_ROW + 8);
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(o.title)}">`;
  const title = `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="bold">${escapeXml(o.title)}</text>`;
  if (all.length === 0) return `${head}${title}<text x="${MARGIN.left}" y="${MARGIN.top + 20}" fill="#666">no data yet</text></svg>`;

  const tx = (x: number) => (o.logX ? Math.log2(x) : x);
  const xs = all.map((p) => tx(p[0])).concat((o.markers ?? []).map((m) => tx(m.x)).filter(Number.isFinite));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  if (x1 - x0 < 1e-12) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = o.yRange ?? [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => MARGIN.left + ((tx(x) - x0) / (x1 - x0)) * W;
  const sy = (y: number) => MARGIN.top + H - ((y - y0) / (y1 - y0)) * H;

  const parts = [head, title];
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${W}" height="${H}" fill="none" stroke="#ccc"/>`);
  const yTicks = niceTicks(y0, y1);
  for (const y of yTicks) {
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + W}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${MARGIN.left - 5}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${formatTick(y, o.percent, tickStep(yTicks))}</text>`);
  }
  const xTicks = o.logX ? niceTicks(x0, x1).filter((v) => Number.isInteger(v)).map((v) => 2 ** v) : niceTicks(x0, x1);
  for (const x of xTicks) parts.push(`<text x="${sx(x).toFixed(1)}" y="${MARGIN.top + H + 15}" text-anchor="middle">${formatTick(x, false, o.logX ? 1 : tickStep(xTicks))}</text>`);
  parts.push(`<text x="${MARGIN.left + W / 2}" y="${MARGIN.top + H + 34}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  const yMid = MARGIN.top + H / 2;
  parts.push(`<text x="14" y="${yMid}" text-anchor="middle" transform="rotate(-90 14 ${yMid})">${escapeXml(o.yLabel)}</text>`);
  for (const m of o.markers ?? []) {
    const x = sx(m.x).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + H}" stroke="#555" stroke-dasharray="3 3"/>`);
    parts.push(`<text x="${x}" y="${MARGIN.top - 4}" text-anchor="middle" fill="#555">${escapeXml(m.label)}</text>`);
  }
  for (const s of series) {
    const style = s.style ?? (s.points.length === 1 ? 'points' : 'line');
    const coords = s.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`);
    if (style !== 'points' && coords.length > 1) {
      parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${coords.join(' ')}"/>`);
    }
    if (style !== 'line') for (const c of coords) parts.push(`<circle cx="${c.split(',')[0]}" cy="${c.split(',')[1]}" r="3" fill="${s.colour}"/>`);
  }
  const lx = MARGIN.left + W + MARGIN.right;
  series.forEach((s, i) => {
    const y = MARGIN.top + i * LEGEND_ROW;
    parts.push(`<rect x="${lx}" y="${y}" width="12" height="10" fill="${s.colour}"/><text x="${lx + 17}" y="${y + 9}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** What a histogram shows: one bar per labelled bin. */
export interface HistogramOptions {
  /** the chart's title */
  title: string;
  /** the x axis title (what the bins are) */
  xLabel: string;
  /** the y axis title (what the counts count) */
  yLabel: string;
  /** the bins, in order */
  bins: {
    /** the bin's label under its bar */
    label: string;
    /** its count */
    count: number;
  }[];
  /** bar colour */
  colour?: string;
  /** the plot area's width in pixels */
  width?: number;
  /** the plot area's height in pixels */
  height?: number;
}

/** An SVG bar histogram of counts, with each bar's count above it. */
export function histogram(o: HistogramOptions): string {
  checkChartOptions(o, 'histogram()');
  checkArray<HistogramOptions['bins'][number]>(o.bins, 'histogram(): options.bins', 'an array of {label, count}').forEach((b, i) => {
    checkObject(b, `histogram(): options.bins[${i}]`);
    checkString(b.label, `histogram(): options.bins[${i}].label`);
  });
  const W = o.width ?? 560;
  const H = o.height ?? 200;
  const totalW = MARGIN.left + W + MARGIN.right;
  const totalH = MARGIN.top + H + MARGIN.bottom;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${totalW}" height="${totalH}" viewBox="0 0 ${totalW} ${totalH}" font-family="sans-serif" font-size="11" role="img" aria-label="${escapeXml(o.title)}">`,
    `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="bold">${escapeXml(o.title)}</text>`,
  ];
  const max = Math.max(0, ...o.bins.map((b) => b.count));
  if (o.bins.length === 0 || max === 0) return `${parts.join('')}<text x="${MARGIN.left}" y="${MARGIN.top + 20}" fill="#666">no data yet</text></svg>`;
  const bw = W / o.bins.length;
  const sy = (c: number) => MARGIN.top + H - (c / max) * H;
  parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + W}" y1="${MARGIN.top + H}" y2="${MARGIN.top + H}" stroke="#999"/>`);
  for (const y of niceTicks(0, max).filter((v) => Number.isInteger(v))) {
    parts.push(`<text x="${MARGIN.left - 5}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${formatTick(y, false, 1)}</text>`);
  }
  o.bins.forEach((b, i) => {
    const x = MARGIN.left + i * bw;
    parts.push(`<rect x="${(x + bw * 0.1).toFixed(1)}" y="${sy(b.count).toFixed(1)}" width="${(bw * 0.8).toFixed(1)}" height="${(MARGIN.top + H - sy(b.count)).toFixed(1)}" fill="${o.colour ?? PALETTE[0]}"><title>${escapeXml(`${b.label}: ${b.count}`)}</title></rect>`);
    if (b.count > 0) parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${(sy(b.count) - 3).toFixed(1)}" text-anchor="middle">${b.count}</text>`);
    parts.push(`<text x="${(x + bw / 2).toFixed(1)}" y="${MARGIN.top + H + 15}" text-anchor="middle">${escapeXml(b.label)}</text>`);
  });
  parts.push(`<text x="${MARGIN.left + W / 2}" y="${MARGIN.top + H + 34}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  const yMid = MARGIN.top + H / 2;
  parts.push(`<text x="14" y="${yMid}" text-anchor="middle" transform="rotate(-90 14 ${yMid})">${escapeXml(o.yLabel)}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
