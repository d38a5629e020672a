/** The training report (src/train/report.ts): report.html and one SVG per chart from a run's metrics.jsonl. */
import * as fs from 'fs';
import * as path from 'path';
import { lineChart, writeReport } from '../../src/train/report';
import { ATOMIC_TMP_SUFFIX } from '../../src/util/atomic';
import { tmpDir } from '../helpers/reference';

let dir: string;
beforeEach(() => {
  dir = tmpDir('hrm-report-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const CHARTS = ['report-loss.svg', 'report-accuracy.svg', 'report-halting.svg', 'report-lr.svg'];

function writeMetrics(records: object[]): void {
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), records.map((r) => JSON.stringify(r) + '\n').join(''));
}

test('writes report.html and the four SVGs, with the last evaluation in the summary, and no temporaries', () => {
  const train = Array.from({ length: 6 }, (_, i) => ({ kind: 'train', step: i + 1, lm_loss: 2 - i * 0.2, q_halt_loss: 0.5, accuracy: 0.1 * i, exact_accuracy: 0, steps: 2, lr: 1e-4 }));
  writeMetrics([...train.slice(0, 3), { kind: 'eval', step: 3, set: 'all', exact_accuracy: 0.25, accuracy: 0.5, steps: 1.5 }, ...train.slice(3), { kind: 'eval', step: 6, set: 'all', exact_accuracy: 0.5, accuracy: 0.75, steps: 2 }]);
  const out = writeReport(dir);
  expect(out).toBe(path.join(dir, 'report.html'));
  expect(fs.readdirSync(dir).sort()).toEqual(['metrics.jsonl', 'report.html', ...CHARTS].sort());
  expect(fs.readdirSync(dir).some((n) => n.endsWith(ATOMIC_TMP_SUFFIX))).toBe(false);
  const html = fs.readFileSync(out, 'utf8');
  expect(html).toMatch(/6 training steps logged \(last: step 6\); 2 evaluations/);
  expect(html).toMatch(/Last evaluation at step 6: exact accuracy <b>50\.00%<\/b>, token accuracy 75\.00%, mean steps 2\.00/);
  expect(html.match(/<svg /g)).toHaveLength(4);
  for (const name of CHARTS) {
    const svg = fs.readFileSync(path.join(dir, name), 'utf8');
    expect(svg.startsWith('<svg ') && svg.endsWith('</svg>')).toBe(true);
    expect(html).toContain(svg); // the page inlines the same charts
  }
  expect(fs.readFileSync(path.join(dir, 'report-loss.svg'), 'utf8')).toContain('<polyline');
});

test('with no metrics yet: a page that says so, and charts without data', () => {
  const out = writeReport(dir);
  const html = fs.readFileSync(out, 'utf8');
  expect(html).toMatch(/0 training steps logged \(last: step 0\); 0 evaluations/);
  expect(html).toContain('No evaluation yet.');
  expect(fs.readFileSync(path.join(dir, 'report-lr.svg'), 'utf8')).toContain('learning rate: no data yet');
});

test('a rerun replaces the report atomically', () => {
  writeMetrics([{ kind: 'train', step: 1, lm_loss: 1 }]);
  writeReport(dir);
  writeMetrics([{ kind: 'train', step: 1, lm_loss: 1 }, { kind: 'train', step: 2, lm_loss: 0.5 }]);
  writeReport(dir);
  expect(fs.readFileSync(path.join(dir, 'report.html'), 'utf8')).toMatch(/2 training steps logged \(last: step 2\)/);
  expect(fs.readdirSync(dir).sort()).toEqual(['metrics.jsonl', 'report.html', ...CHARTS].sort());
});

test('lineChart escapes titles and names, marks a single point, and skips non-finite values', () => {
  const svg = lineChart('a <b> & c', [{ name: 'x<y', points: [[1, 2], [2, NaN]], colour: '#000' }]);
  expect(svg).toContain('a &lt;b&gt; &amp; c');
  expect(svg).toContain('x&lt;y');
  expect(svg).toContain('<circle');
  expect(svg).not.toContain('NaN');
});
