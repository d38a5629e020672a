/**
 * `hrm viz` (src/cli/viz.ts): the first test puzzles through a tiny trained run on one page, run
 * as a user would; the page's steps and changed cells checked against the same puzzles solved
 * here, and the page driven in Chromium.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit, readExample, readIdentifiers } from '../../src/data/format';
import { SolveResult, loadModel, solveTokens } from '../../src/eval/solve';
import { browserAvailable, launchBrowser, openPage, screenshot } from '../helpers/browser';
import { tinyMazeDataset } from '../helpers/datasets';
import { TINY_ARCH, TinySudokuRun, buildTinyArcData, run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-viz-');
let tiny: TinySudokuRun;
beforeAll(() => {
  tiny = trainTinySudoku(path.join(scratch(), 'sudoku'));
});

/** The first `n` test rows (one per group: these datasets have one puzzle per group, one example per puzzle), solved here with a trace. */
function solveHere(checkpoint: string, data: string, n: number, split = 'test'): { inputs: Int32Array; labels: Int32Array; identifier: number; result: SolveResult }[] {
  const model = loadModel(checkpoint);
  const s = new DatasetSplit(path.join(data, split));
  try {
    const set = s.sets.get('all')!;
    return Array.from({ length: n }, (_, g) => {
      const p = set.groupIndices[g];
      const row = set.puzzleIndices[p];
      const { inputs, labels } = readExample(set, row);
      const identifier = set.puzzleIdentifiers[p];
      return { inputs, labels, identifier, result: solveTokens(model, inputs, { puzzleIdentifier: identifier, trace: true }) };
    });
  } finally {
    s.close();
    model.dispose();
  }
}

/** Per frame (inner updates, then the step, step by step): the cells that differ from the previous frame (the input before the first), counted on the tokens. */
function changedPerFrame(inputs: Int32Array, r: SolveResult): number[] {
  const predictions = r.perStep.flatMap((s) => [...(s.updates ?? []).slice(0, -1).map((u) => u.prediction), s.prediction]);
  return predictions.map((p, i) => {
    const before = i === 0 ? inputs : predictions[i - 1];
    return p.reduce((n, v, j) => n + (v !== before[j] ? 1 : 0), 0);
  });
}

const sections = (html: string) => html.split('<section class="puzzle"').slice(1);
const pageTest = browserAvailable() ? test : test.skip;

test('viz writes <run>/viz.html with one section per test puzzle, as many frames and steps as solving them here gives; the run index links it', () => {
  const v = run('viz', '--checkpoint', tiny.out, '--data', tiny.data, '--puzzles', '3');
  expect(v.stderr).toBe('');
  expect(v.status).toBe(0);
  const page = path.join(tiny.out, 'viz.html');
  expect(v.stdout).toContain(`reasoning page: ${page}`);
  const solved = solveHere(tiny.checkpoint, tiny.data, 3);
  const html = fs.readFileSync(page, 'utf8');
  const parts = sections(html);
  expect(parts).toHaveLength(3);
  solved.forEach(({ inputs, labels, result }, k) => {
    expect(parts[k]).toContain(`data-steps="${result.steps}"`);
    expect((parts[k].match(/<div class="thumb/g) ?? []).length).toBe(result.steps);
    const changed = [...parts[k].matchAll(/<div class="frame" [^>]*data-changed="(\d+)"/g)].map((m) => Number(m[1]));
    expect(changed).toEqual(changedPerFrame(inputs, result));
    const wrong = result.prediction.reduce((n, t, i) => n + (t !== labels[i] ? 1 : 0), 0);
    expect(v.stdout).toContain(`puzzle ${k + 1}, test row ${k}: ${result.steps} step(s), halting confidence ${result.haltConfidence.toFixed(3)}, ${wrong === 0 ? 'solved' : `${wrong} token(s) wrong`}`);
  });
  expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  const index = fs.readFileSync(path.join(tiny.out, 'index.html'), 'utf8');
  expect(index).toContain('href="viz.html"');
  expect(index).toMatch(/viz\.html<\/a>: reasoning of the first test puzzles/);
});

pageTest('in Chromium: the viz page switches puzzles; each one has a frame per solved step and shows the changed counts of the solve', async () => {
  const page = path.join(tiny.out, 'viz.html');
  const solved = solveHere(tiny.checkpoint, tiny.data, 3);
  const browser = await launchBrowser();
  try {
    const { tab, errors } = await openPage(browser, page);
    const shown = tab.locator('section.puzzle.current');
    expect(await tab.locator('tr.pick').count()).toBe(3);
    for (let k = 0; k < 3; k++) {
      await tab.locator('#puzzle').selectOption(String(k));
      expect(await shown.getAttribute('data-puzzle')).toBe(String(k));
      expect(await tab.locator('section.puzzle:visible').count()).toBe(1);
      const { inputs, result } = solved[k];
      expect(await shown.locator('.thumb').count()).toBe(result.steps);
      expect(await shown.locator('.thumb.halted').getAttribute('data-step')).toBe(String(result.steps));
      const changed = changedPerFrame(inputs, result);
      for (let i = 0; i < changed.length; i++) {
        await shown.locator('.slider').fill(String(i));
        expect(await shown.locator('.info').textContent()).toContain(`${changed[i]} cells changed`);
        expect(await shown.locator('.frame.current rect.changed').count()).toBe(changed[i]);
      }
      expect(await shown.locator('.frame.current svg rect').count()).toBeGreaterThanOrEqual(16); // drawn, not blank
    }
    await tab.locator('tr.pick').nth(1).click();
    expect(await shown.getAttribute('data-puzzle')).toBe('1');
    await shown.locator('.slider').fill('0');
    const png = await screenshot(tab, 'viz-sudoku');
    expect(png.length).toBeGreaterThan(20000);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('viz on ARC: the task from the metadata, the puzzle embedding and name of each task; --no-inner keeps one frame per step', () => {
  const { data, build } = buildTinyArcData(scratch());
  expect(build.status).toBe(0);
  const out = path.join(scratch(), 'arc-run');
  const t = run('train', '--task', 'arc', '--data', data, '--output', out, '--threads', '1', ...TINY_ARCH, 'arch.haltMaxSteps=2', 'arch.puzzleEmbNdim=16', 'globalBatchSize=4', 'epochs=1', 'evalMaxExamples=4');
  expect(t.status).toBe(0);
  const page = path.join(scratch(), 'arc-viz.html');
  const v = run('viz', '--checkpoint', out, '--data', data, '--puzzles', '2', '--no-inner', '--output', page);
  expect(v.stderr).toBe('');
  expect(v.status).toBe(0);
  const html = fs.readFileSync(page, 'utf8');
  expect(html).toContain('hrm viz: 2 arc puzzle(s), step by step');
  const names = readIdentifiers(data)!;
  const s = new DatasetSplit(path.join(data, 'test'));
  const set = s.sets.get('all')!;
  const firstOfGroup = [0, 1].map((g) => set.puzzleIdentifiers[set.groupIndices[g]]);
  const rows = [0, 1].map((g) => set.puzzleIndices[set.groupIndices[g]]);
  s.close();
  const parts = sections(html);
  expect(parts).toHaveLength(2);
  parts.forEach((p, k) => {
    expect(p).toContain(`<h2>test row ${rows[k]} (${names[firstOfGroup[k]]})</h2>`);
    const steps = Number(/data-steps="(\d+)"/.exec(p)![1]);
    expect((p.match(/<div class="frame" /g) ?? []).length).toBe(steps);
  });
  // Each puzzle was solved with its own puzzle embedding: the printed halting confidence is what solving it here with that identifier gives.
  const checkpoint = path.join(out, 'checkpoints', fs.readdirSync(path.join(out, 'checkpoints')).sort().pop()!);
  solveHere(checkpoint, data, 2).forEach(({ identifier, result }, k) => {
    expect(identifier).toBe(firstOfGroup[k]);
    expect(v.stdout).toContain(`puzzle ${k + 1}, test row ${rows[k]} (${names[identifier]}): ${result.steps} step(s), halting confidence ${result.haltConfidence.toFixed(3)}`);
  });
  expect(fs.existsSync(path.join(out, 'viz.html'))).toBe(false); // --output elsewhere: the run folder is left alone
  fs.copyFileSync(page, path.join(scratch(), 'viz-arc.html'));
});

test('viz on a 4x4 maze dataset (the same seq_len and vocabulary as the Sudoku model): drawn as mazes', () => {
  const maze = tinyMazeDataset(scratch());
  const page = path.join(scratch(), 'maze-viz.html');
  const v = run('viz', '--checkpoint', tiny.checkpoint, '--data', maze, '--puzzles', '2', '--steps', '3', '--no-adaptive', '--output', page);
  expect(v.status).toBe(0);
  const html = fs.readFileSync(page, 'utf8');
  expect(html).toContain('2 maze puzzle(s)');
  for (const p of sections(html)) {
    expect(p).toContain('data-steps="3"');
    expect(p).toContain('fill="#2ca02c"'); // the start cell of the input
  }
});

pageTest('in Chromium: the ARC and maze viz pages draw their grids without errors', async () => {
  const browser = await launchBrowser();
  try {
    for (const [file, name] of [['viz-arc.html', 'viz-arc'], ['maze-viz.html', 'viz-maze']]) {
      const { tab, errors } = await openPage(browser, path.join(scratch(), file));
      const shown = tab.locator('section.puzzle.current');
      await tab.locator('#puzzle').selectOption('1');
      expect(await shown.getAttribute('data-puzzle')).toBe('1');
      expect(await shown.locator('.frame.current').count()).toBe(1);
      expect(await shown.locator('svg rect').count()).toBeGreaterThan(0);
      const png = await screenshot(tab, name);
      expect(png.length).toBeGreaterThan(10000);
      expect(errors).toEqual([]);
    }
  } finally {
    await browser.close();
  }
});

test('bad input: a bad split, no puzzles, a dataset of another sequence length; clear messages, exit 2, no stack', () => {
  const split = run('viz', '--checkpoint', tiny.out, '--data', tiny.data, '--split', 'dev');
  expect(split.status).toBe(2);
  expect(split.stderr).toMatch(/--split must be train or test, got 'dev'/);
  expect(run('viz', '--checkpoint', tiny.out, '--data', tiny.data, '--puzzles', '0').stderr).toMatch(/--puzzles must be an integer >= 1, got 0/);
  const arc = path.join(scratch(), 'arc-data'); // built by the ARC test above: 900 tokens per example
  const mismatch = run('viz', '--checkpoint', tiny.out, '--data', arc);
  expect(mismatch.status).toBe(2);
  expect(mismatch.stderr).toMatch(/has seq_len 900, the checkpoint's model takes 16/);
  const missing = run('viz', '--checkpoint', tiny.out, '--data', path.join(scratch(), 'nothing'));
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/dataset\.json not found/);
  for (const r of [split, mismatch, missing]) expect(r.stderr).not.toMatch(/\n\s+at /);
});
