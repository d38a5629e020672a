/** The run index: it lists what the run folder holds, and in Chromium every link and plot resolves. */
import * as fs from 'fs';
import * as path from 'path';
import { histogram } from '../../src/report/charts';
import { runIndexEntries, writeRunIndex } from '../../src/report/run-index';
import { browserAvailable, launchBrowser } from '../helpers/browser';
import { tmpDir } from '../helpers/reference';

function run(): string {
  const dir = tmpDir('run-index-');
  const svg = histogram({ title: 't', xLabel: 'x', yLabel: 'y', bins: [{ label: '1', count: 2 }] });
  const files: Record<string, string> = {
    'report.html': '<!doctype html><p>report</p>',
    'report-accuracy.svg': svg,
    'eval/scaling.json': '{}',
    'eval/scaling.svg': svg,
    'metrics.jsonl': '',
    'solve.html': '<!doctype html><p>steps</p>',
    'viz.html': '<!doctype html><p>puzzles</p>',
    'checkpoints/step_00000002.safetensors': '',
    'checkpoints/step_00000010.safetensors': '',
  };
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

test('lists the files that are there, with their plots, the viz page among them, and other reasoning pages after them', () => {
  const dir = run();
  try {
    expect(runIndexEntries(dir).map((e) => [e.file, e.plot])).toEqual([
      ['report.html', 'report-accuracy.svg'],
      ['eval/scaling.json', 'eval/scaling.svg'],
      ['viz.html', undefined],
      ['metrics.jsonl', undefined],
      ['solve.html', undefined],
    ]);
    expect(runIndexEntries(dir).find((e) => e.file === 'viz.html')!.title).toMatch(/hrm viz/);
    const html = fs.readFileSync(writeRunIndex(dir), 'utf8');
    expect(html).toContain('2 checkpoint(s); newest <code>checkpoints/step_00000010.safetensors</code>');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const pageTest = browserAvailable() ? test : test.skip;

pageTest('in Chromium: every link points to a file of the run and every plot loads', async () => {
  const dir = run();
  const browser = await launchBrowser();
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await tab.goto(`file://${writeRunIndex(dir)}`);
    const links = await tab.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
    expect(links).toHaveLength(5);
    for (const l of links) expect(fs.existsSync(path.join(dir, l))).toBe(true);
    const widths = await tab.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(widths).toHaveLength(2);
    for (const w of widths) expect(w).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
