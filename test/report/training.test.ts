/** The training report: curves from the rows they apply to, the files written, and the page in Chromium. */
import * as fs from 'fs';
import * as path from 'path';
import { trainingCurve, writeReport, withTrainingReport } from '../../src/report/training';
import type { MetricsRecord } from '../../src/train/run-folder';
import { browserAvailable, launchBrowser } from '../helpers/browser';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/report/training';
import { expectInvalidArgument } from '../helpers/errors';

// Step 2 has no halted row: its accuracy is 0 by normalisation, and must not pull the curve down.
const train: MetricsRecord[] = [
  { kind: 'train', step: 1, count: 4, accuracy: 0.5, steps: 2, lm_loss: 1.0, lr: 0.1 },
  { kind: 'train', step: 2, count: 0, accuracy: 0, steps: 0, lm_loss: 0.8, lr: 0.1 },
  { kind: 'train', step: 3, count: 12, accuracy: 0.9, steps: 4, lm_loss: 0.6, lr: 0.1 },
];

describe('trainingCurve', () => {
  test('skips steps with no halted row and weights the window by the halted-row count', () => {
    expect(trainingCurve(train, 'accuracy', 20)).toEqual([
      [1, 0.5],
      [3, (0.5 * 4 + 0.9 * 12) / 16],
    ]);
    expect(trainingCurve(train, 'steps', 20)).toEqual([
      [1, 2],
      [3, (2 * 4 + 4 * 12) / 16],
    ]);
  });

  test('losses average every step equally; the window slides', () => {
    expect(trainingCurve(train, 'lm_loss', 2).map(([, y]) => Number(y.toFixed(6)))).toEqual([1.0, 0.9, 0.7]);
  });
});

function writeRun(dir: string): void {
  const evalRecord = { kind: 'eval', step: 3, set: 'all', count: 10, accuracy: 0.8, exact_accuracy: 0.4, steps: 2.5, halted_at_step: [2, 5, 3] };
  fs.writeFileSync(path.join(dir, 'metrics.jsonl'), [...train, evalRecord].map((r) => JSON.stringify(r)).join('\n') + '\n');
}

test('writeReport writes report.html and one SVG per chart, with no temporary left', () => {
  const dir = tmpDir('report-');
  try {
    writeRun(dir);
    const page = writeReport(dir);
    const html = fs.readFileSync(page, 'utf8');
    expect(html).toContain('exact accuracy <b>40.00%</b>');
    for (const stem of ['loss', 'accuracy', 'halting', 'halting-histogram', 'lr']) expect(fs.existsSync(path.join(dir, `report-${stem}.svg`))).toBe(true);
    expect(fs.readFileSync(path.join(dir, 'report-halting-histogram.svg'), 'utf8')).toContain('>halting step</text>');
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a run with no metrics yet gets a report that says so', () => {
  const dir = tmpDir('report-');
  try {
    const html = fs.readFileSync(writeReport(dir), 'utf8');
    expect(html).toContain('No evaluation yet.');
    expect(html).toContain('no data yet');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('withTrainingReport rewrites the report on evaluations and checkpoints only', () => {
  const dir = tmpDir('report-');
  try {
    writeRun(dir);
    const seen: string[] = [];
    const onProgress = withTrainingReport(dir, (e) => seen.push(e.kind));
    onProgress({ kind: 'step', step: 1, totalSteps: 3 });
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(false);
    onProgress({ kind: 'checkpoint', step: 3, totalSteps: 3 });
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true);
    expect(seen).toEqual(['step', 'checkpoint']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const pageTest = browserAvailable() ? test : test.skip;

pageTest('the report page renders in Chromium: five charts, not blank, no console errors', async () => {
  const dir = tmpDir('report-');
  const browser = await launchBrowser();
  try {
    writeRun(dir);
    const tab = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`file://${writeReport(dir)}`);
    expect(await tab.locator('svg').count()).toBe(5);
    expect(await tab.locator('svg circle').count()).toBeGreaterThan(0); // evaluations drawn as markers
    const png = await tab.screenshot({ fullPage: true, path: path.join(dir, 'report.png') });
    expect(png.length).toBeGreaterThan(20000);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('trainingCurve and trainingCharts check the records, the key and the window', () => {
    expectInvalidArgument(() => subject.trainingCurve(undefined as never, 'lm_loss'), 'trainingCurve(): records must be an array of metrics records, got undefined');
    expectInvalidArgument(() => subject.trainingCurve([3] as never, 'lm_loss'), 'trainingCurve(): records[0] must be a metrics record, got number 3');
    expectInvalidArgument(() => subject.trainingCurve([], 5 as never), 'trainingCurve(): key must be a string, got number 5');
    expectInvalidArgument(() => subject.trainingCurve([], 'lm_loss', 0), 'trainingCurve(): window must be a number >= 1, got number 0');
    expectInvalidArgument(() => subject.trainingCharts({} as never), 'trainingCharts(): records must be an array of metrics records, got an object');
  });
});
