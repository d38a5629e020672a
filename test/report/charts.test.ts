/** SVG charts: titled axes, legends beside the plot, skipped non-finite points, histograms; and how they render in Chromium. */
import * as fs from 'fs';
import * as path from 'path';
import { histogram, lineChart, niceTicks } from '../../src/report/charts';
import { browserAvailable, launchBrowser } from '../helpers/browser';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/report/charts';
import { expectInvalidArgument } from '../helpers/errors';

const numbers = (svg: string, re: RegExp) => [...svg.matchAll(re)].map((m) => Number(m[1]));

describe('lineChart', () => {
  const svg = lineChart({
    title: 'accuracy',
    xLabel: 'step',
    yLabel: 'exact accuracy',
    yRange: [0, 1],
    percent: true,
    series: [
      { name: 'train', points: [[1, 0.1], [2, NaN], [3, 0.5], [4, 0.7]] },
      { name: 'eval', points: [[2, 0.2], [4, 0.6]], style: 'points' },
    ],
    markers: [{ x: 3, label: 'trained with 3' }],
  });

  test('titles both axes and the chart', () => {
    expect(svg).toContain('>accuracy</text>');
    expect(svg).toContain('>step</text>');
    expect(svg).toMatch(/rotate\(-90[^>]*>exact accuracy<\/text>/);
    expect(svg).toContain('>trained with 3</text>');
    expect(svg).toContain('>100%</text>');
  });

  test('draws the legend to the right of the plot area, never over the data', () => {
    const plotRight = 64 + 560;
    const legendX = numbers(svg, /<rect x="([\d.]+)" y="[\d.]+" width="12"/g);
    expect(legendX).toHaveLength(2);
    for (const x of legendX) expect(x).toBeGreaterThan(plotRight);
    const dataX = numbers(svg, /<circle cx="([\d.]+)"/g);
    for (const x of dataX) expect(x).toBeLessThanOrEqual(plotRight);
  });

  test('skips non-finite points and draws evaluation as a series of markers', () => {
    const line = /<polyline[^>]*points="([^"]+)"/.exec(svg)![1].split(' ');
    expect(line).toHaveLength(3); // the NaN point is left out, not drawn as 0
    expect(numbers(svg, /<circle cx="([\d.]+)"/g)).toHaveLength(2);
  });

  test('says "no data yet" when nothing is finite', () => {
    expect(lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[1, NaN]] }] })).toContain('no data yet');
  });

  test('a log2 x axis puts 1, 2, 4, 8 at equal spacing', () => {
    const s = lineChart({ title: 't', xLabel: 'steps', yLabel: 'y', logX: true, series: [{ name: 'a', points: [[1, 0], [2, 1], [4, 2], [8, 3]], style: 'points' }] });
    const xs = numbers(s, /<circle cx="([\d.]+)"/g);
    const gaps = xs.slice(1).map((x, i) => x - xs[i]);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0], 0);
  });
});

test('niceTicks are round and cover the range', () => {
  expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(niceTicks(3, 97)).toEqual([20, 40, 60, 80]);
});

test('histogram draws one bar per bin with its count', () => {
  const s = histogram({ title: 'halting', xLabel: 'halting step', yLabel: 'puzzles', bins: [{ label: '1', count: 3 }, { label: '2', count: 0 }, { label: '3', count: 9 }] });
  expect(numbers(s, /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)).toEqual([(3 / 9) * 200, 0, 200].map((h) => Number(h.toFixed(1))));
  expect(s).toContain('>halting step</text>');
  expect(s).toContain('>9</text>');
});

const pageTest = browserAvailable() ? test : test.skip;

pageTest('the charts render in Chromium: not blank, no console errors', async () => {
  const dir = tmpDir('charts-');
  const page = path.join(dir, 'charts.html');
  const chart = lineChart({ title: 'loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'lm', points: Array.from({ length: 50 }, (_, i) => [i, Math.exp(-i / 10)] as [number, number]) }] });
  fs.writeFileSync(page, `<!doctype html><meta charset="utf-8"><body style="margin:0;background:#fff">${chart}</body>`);
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`file://${page}`);
    const box = await tab.locator('svg').boundingBox();
    expect(box!.width).toBeGreaterThan(600);
    const png = await tab.screenshot({ path: path.join(dir, 'charts.png') });
    // Not blank: the screenshot has many non-white pixels (a PNG of a blank page compresses to almost nothing).
    expect(png.length).toBeGreaterThan(5000);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('lineChart escapes titles and names, marks a single point, and never prints NaN', () => {
  const svg = lineChart({ title: 'a <b> & c', xLabel: 'x', yLabel: 'y', series: [{ name: 'x<y', points: [[1, 2], [2, NaN]] }] });
  expect(svg).toContain('a &lt;b&gt; &amp; c');
  expect(svg).toContain('x&lt;y');
  expect(svg).toContain('<circle');
  expect(svg).not.toContain('NaN');
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('lineChart and histogram check their options, series, points and bins', () => {
    const base = { title: 't', xLabel: 'x', yLabel: 'y' };
    expectInvalidArgument(() => subject.lineChart(undefined as never), 'lineChart(): options must be an object, got undefined');
    expectInvalidArgument(() => subject.lineChart({ ...base, title: 3 } as never), 'lineChart(): options.title must be a string, got number 3');
    expectInvalidArgument(() => subject.lineChart({ ...base, series: 5 } as never), 'lineChart(): options.series must be an array of series, got number 5');
    expectInvalidArgument(() => subject.lineChart({ ...base, series: [{ name: 'a', points: [3] }] } as never), 'lineChart(): options.series[0].points[0] must be an [x, y] pair, got number 3');
    expectInvalidArgument(() => subject.lineChart({ ...base, series: [], width: -1 }), 'lineChart(): options.width must be a positive number of pixels, got number -1');
    expectInvalidArgument(() => subject.histogram({ ...base, bins: undefined } as never), 'histogram(): options.bins must be an array of {label, count}, got undefined');
    expectInvalidArgument(() => subject.histogram({ ...base, bins: [{ label: 1, count: 2 }] } as never), 'histogram(): options.bins[0].label must be a string, got number 1');
    expectInvalidArgument(() => subject.escapeXml(undefined as never), 'escapeXml(): s must be a string, got undefined');
  });
});
