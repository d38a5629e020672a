/**
 * The training report: loss and accuracy curves as SVG, in one HTML page, from metrics.jsonl.
 * @module
 */
import * as path from 'path';
import { writeFileAtomic } from '../util/atomic';
import { METRICS_FILE, MetricsRecord, readMetrics } from './run-folder';

/** One line of a {@link lineChart}. */
export interface ChartSeries {
  /** the legend's label */
  name: string;
  /** (step, value) points */
  points: [number, number][];
  /** an SVG colour */
  colour: string;
}

/** An SVG line chart of several series against the step. */
export function lineChart(title: string, series: ChartSeries[], opts: { width?: number; height?: number; yLabel?: string } = {}): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 280;
  const m = { l: 56, r: 16, t: 28, b: 36 };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="60"><text x="8" y="30">${esc(title)}: no data yet</text></svg>`;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const ticks = (a: number, b: number, n = 5) => Array.from({ length: n + 1 }, (_, i) => a + ((b - a) * i) / n);
  const fmt = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : Number(v.toPrecision(3)).toString());
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`];
  parts.push(`<text x="${m.l}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`);
  for (const y of ticks(y0, y1)) parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/><text x="${m.l - 4}" y="${sy(y) + 4}" text-anchor="end">${fmt(y)}</text>`);
  for (const x of ticks(x0, x1)) parts.push(`<text x="${sx(x)}" y="${H - m.b + 14}" text-anchor="middle">${Math.round(x)}</text>`);
  parts.push(`<text x="${(W + m.l) / 2}" y="${H - 4}" text-anchor="middle">step</text>`);
  series.forEach((s, i) => {
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length) parts.push(`<polyline fill="none" stroke="${s.colour}" stroke-width="1.5" points="${pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    if (pts.length === 1) parts.push(`<circle cx="${sx(pts[0][0])}" cy="${sy(pts[0][1])}" r="3" fill="${s.colour}"/>`);
    parts.push(`<rect x="${W - m.r - 150}" y="${m.t + i * 15}" width="10" height="10" fill="${s.colour}"/><text x="${W - m.r - 136}" y="${m.t + 9 + i * 15}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Reads <dir>/metrics.jsonl and writes <dir>/report.html (atomically). Returns its path. */
export function writeReport(dir: string): string {
  const records: MetricsRecord[] = readMetrics(path.join(dir, METRICS_FILE));
  const train = records.filter((r) => r.kind === 'train');
  const evals = records.filter((r) => r.kind === 'eval');
  const pts = (rs: Record<string, unknown>[], key: string): [number, number][] => rs.filter((r) => typeof r[key] === 'number').map((r) => [r.step as number, r[key] as number]);
  const smooth = (p: [number, number][], w = 20): [number, number][] =>
    p.map(([x], i) => [x, p.slice(Math.max(0, i - w + 1), i + 1).reduce((a, [, y]) => a + y, 0) / Math.min(i + 1, w)]);
  const charts = [
    lineChart('training loss (per example, smoothed)', [
      { name: 'lm_loss', points: smooth(pts(train, 'lm_loss')), colour: '#1f77b4' },
      { name: 'q_halt_loss', points: smooth(pts(train, 'q_halt_loss')), colour: '#ff7f0e' },
      { name: 'q_continue_loss', points: smooth(pts(train, 'q_continue_loss')), colour: '#2ca02c' },
    ]),
    lineChart('accuracy', [
      { name: 'train token acc.', points: smooth(pts(train, 'accuracy')), colour: '#9467bd' },
      { name: 'train exact acc.', points: smooth(pts(train, 'exact_accuracy')), colour: '#8c564b' },
      { name: 'eval exact acc.', points: pts(evals, 'exact_accuracy'), colour: '#d62728' },
      { name: 'eval token acc.', points: pts(evals, 'accuracy'), colour: '#e377c2' },
    ]),
    lineChart('halting', [{ name: 'mean steps (train, halted rows)', points: smooth(pts(train, 'steps')), colour: '#17becf' }]),
    lineChart('learning rate', [{ name: 'lr', points: pts(train, 'lr'), colour: '#7f7f7f' }]),
  ];
  const last = evals[evals.length - 1];
  const summary = last
    ? `<p>Last evaluation at step ${last.step}: exact accuracy <b>${((last.exact_accuracy as number) * 100).toFixed(2)}%</b>, token accuracy ${((last.accuracy as number) * 100).toFixed(2)}%, mean steps ${(last.steps as number).toFixed(2)}.</p>`
    : '<p>No evaluation yet.</p>';
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>hrm-torch training report</title>
<style>body{font-family:sans-serif;margin:24px;max-width:720px} svg{display:block;margin:12px 0}</style></head><body>
<h1>Training report</h1><p>${train.length} training steps logged (last: step ${train.length ? train[train.length - 1].step : 0}); ${evals.length} evaluations. Source: metrics.jsonl.</p>
${summary}${charts.join('\n')}</body></html>`;
  const out = path.join(dir, 'report.html');
  writeFileAtomic(out, [html]);
  for (const [i, name] of ['loss', 'accuracy', 'halting', 'lr'].entries()) writeFileAtomic(path.join(dir, `report-${name}.svg`), [charts[i]]);
  return out;
}
