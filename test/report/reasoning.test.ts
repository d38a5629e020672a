/** The reasoning page: frames from a solve trace, changed and wrong cells, and the page driven in Chromium. */
import * as fs from 'fs';
import * as path from 'path';
import { encodePuzzle } from '../../src/data/puzzle-codec';
import type { SolveResult, SolveStep } from '../../src/eval/solve';
import { UNKNOWN_CELL } from '../../src/data/puzzle-codec';
import { ReasoningView, answerGrid, changedCells, reasoningPage, reasoningView } from '../../src/report/reasoning';
import { browserAvailable, launchBrowser, openPage, screenshot } from '../helpers/browser';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/report/reasoning';
import { expectInvalidArgument } from '../helpers/errors';

// A 4x4 Sudoku (tokens = value + 1) and a made-up trace: step 1 half right, step 2 solved.
const puzzle = encodePuzzle({ sudoku: '1...3..2..4.2...' });
const solution = '1243341221344321';
const tokens = (s: string) => Int32Array.from([...s].map((ch) => Number(ch) + 1));
const step1 = '1443342221342321'; // 3 cells wrong
const update = (s: string, level: 'L' | 'H', cycle: number, step: number, p: number) => ({ level, cycle, step, prediction: tokens(s), haltProbability: p });
const steps: SolveStep[] = [
  { prediction: tokens(step1), haltProbability: 0.1, continueProbability: 0.9, updates: [update('1111341221342321', 'L', 0, 0, 0.05), update(step1, 'H', 0, 0, 0.1)] },
  { prediction: tokens(solution), haltProbability: 0.8, continueProbability: 0.2, updates: [update(solution, 'L', 0, 0, 0.7), update(solution, 'H', 0, 0, 0.8)] },
];
const result: SolveResult = { prediction: tokens(solution), steps: 2, haltConfidence: 0.8, perStep: steps };
const view = reasoningView(puzzle, result, { title: 'a 4x4 sudoku', solution: tokens(solution) });

describe('reasoningView', () => {
  test('one frame per inner update before each step, then the step; the halting step recorded', () => {
    expect(view.frames.map((f) => f.label)).toEqual(['step 1 · L update 1.1', 'step 1', 'step 2 · L update 1.1', 'step 2']);
    expect(view.frames.filter((f) => f.isStep).length).toBe(2);
    expect(view.haltedAtStep).toBe(2);
    expect(view.input[0]).toEqual(['1', '', '', '']);
    expect(view.solution![0]).toEqual(['1', '2', '4', '3']);
  });

  test('changedCells lists the cells that differ, by position', () => {
    expect(changedCells(answerGrid('12..', 2), answerGrid('13.4', 2))).toEqual([[0, 1], [1, 1]]);
    expect(changedCells(undefined, [['a']])).toEqual([[0, 0]]);
  });

  test('the page marks wrong cells and outlines changed ones, frame by frame', () => {
    const html = reasoningPage(view);
    const frames = [...html.matchAll(/<div class="frame" ([^>]*)>(.*?)<\/div>/g)];
    expect(frames).toHaveLength(4);
    const attr = (i: number, k: string) => new RegExp(`data-${k}="([^"]*)"`).exec(frames[i][1])![1];
    // Frame 2 (step 1) against frame 1: cells differing between 1111341221342321 and 1443342221342321.
    expect(Number(attr(1, 'changed'))).toBe([...'1111341221342321'].filter((ch, i) => ch !== step1[i]).length);
    expect(Number(attr(1, 'wrong'))).toBe([...step1].filter((ch, i) => ch !== solution[i]).length);
    expect(attr(3, 'wrong')).toBe('0');
    expect((frames[1][2].match(/class="wrong"/g) ?? []).length).toBe(Number(attr(1, 'wrong')));
    expect((frames[1][2].match(/class="changed"/g) ?? []).length).toBe(Number(attr(1, 'changed')));
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // self-contained: nothing fetched
  });
});

const pageTest = browserAvailable() ? test : test.skip;

pageTest('in Chromium: the slider moves through every frame, the strip has one entry per step, the halting step is flagged', async () => {
  const dir = tmpDir('reasoning-');
  const browser = await launchBrowser();
  try {
    const file = path.join(dir, 'reasoning.html');
    fs.writeFileSync(file, reasoningPage(view));
    const tab = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`file://${file}`);
    expect(await tab.locator('.thumb').count()).toBe(result.steps);
    expect(await tab.locator('.thumb.halted').getAttribute('data-step')).toBe('2');
    const first = await tab.screenshot({ path: path.join(dir, 'first.png') });
    for (let i = 0; i < view.frames.length; i++) {
      await tab.locator('.slider').fill(String(i));
      expect(await tab.locator('.frame.current').getAttribute('data-label')).toBe(view.frames[i].label);
      const shown = await tab.locator('.info').textContent();
      const changed = await tab.locator('.frame.current').getAttribute('data-changed');
      expect(shown).toContain(`${changed} cells changed`);
      expect(await tab.locator('.frame.current rect.changed').count()).toBe(Number(changed));
    }
    expect(await tab.locator('.thumb.current').getAttribute('data-step')).toBe('2');
    const last = await tab.screenshot({ path: path.join(dir, 'last.png') });
    expect(first.length).toBeGreaterThan(10000);
    expect(last.equals(first)).toBe(false);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** A trace of `answers` (token rows), one step each, each step with one inner L update showing `preview`. */
function traceOf(answers: Uint8Array[], preview: Uint8Array): SolveResult {
  const perStep = answers.map((a, i) => ({
    prediction: Int32Array.from(a),
    haltProbability: (i + 1) / answers.length,
    continueProbability: 0.5,
    updates: [
      { level: 'L' as const, cycle: 0, step: 0, prediction: Int32Array.from(preview), haltProbability: 0 },
      { level: 'H' as const, cycle: 0, step: 0, prediction: Int32Array.from(a), haltProbability: (i + 1) / answers.length },
    ],
  }));
  return { prediction: perStep[perStep.length - 1].prediction, steps: perStep.length, haltConfidence: 1, perStep };
}

const maze = encodePuzzle({ maze: 'S  #\n## #\n#  #\n# G#' });
const mazeSolution = encodePuzzle({ maze: 'Soo#\n##o#\n#oo#\n#oG#' }).tokens;
const arcTask = { name: 't1', file: 't1.json', train: [], test: [{ input: [[1, 2], [3, 4]], output: [[4, 3], [2, 1]] }] };
const arc = encodePuzzle({ arcTask, identifiers: ['<blank>', 't1'] });
const arcAnswer = (g: number[][]) => encodePuzzle({ arcTask: { ...arcTask, test: [{ input: g, output: g }] }, identifiers: ['<blank>', 't1'] }).tokens;
const pageKinds = [
  { kind: 'maze', view: reasoningView(maze, traceOf([maze.tokens, mazeSolution], maze.tokens), { solution: mazeSolution }) },
  { kind: 'arc', view: reasoningView(arc, traceOf([arcAnswer([[1, 2], [3, 4]]), arcAnswer([[4, 3], [2, 1]])], arc.tokens), { solution: arcAnswer([[4, 3], [2, 1]]) }) },
];

pageTest.each(pageKinds)('in Chromium: the $kind page draws its cells and steps through its frames', async ({ kind, view: v }) => {
  const dir = tmpDir('reasoning-');
  const browser = await launchBrowser();
  try {
    const file = path.join(dir, `${kind}.html`);
    fs.writeFileSync(file, reasoningPage(v));
    const tab = await browser.newPage({ viewport: { width: 900, height: 700 } });
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await tab.goto(`file://${file}`);
    expect(await tab.locator('.thumb').count()).toBe(2);
    const cells = v.frames[v.frames.length - 1].grid.flat().length;
    await tab.locator('.slider').fill(String(v.frames.length - 1));
    expect(await tab.locator('.frame.current rect:not(.changed)').count()).toBe(cells);
    expect(await tab.locator('.frame.current path.wrong').count()).toBe(0); // the last step is the solution
    await tab.locator('.slider').fill('1');
    expect(await tab.locator('.frame.current path.wrong').count()).toBeGreaterThan(0);
    const png = await tab.screenshot({ path: path.join(dir, `${kind}.png`) });
    expect(png.length).toBeGreaterThan(10000);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// A second 4x4 puzzle, three steps with no inner updates, still wrong when it halts.
const puzzle2 = encodePuzzle({ sudoku: '.1..3......4..2.' });
const solution2 = '2143341212344321';
const answers2 = ['1143341212344322', '2143341212344322', '2143341212344323'];
const result2: SolveResult = {
  prediction: tokens(answers2[2]),
  steps: 3,
  haltConfidence: 0.6,
  perStep: answers2.map((a, i) => ({ prediction: tokens(a), haltProbability: 0.2 * (i + 1), continueProbability: 0.5 })),
};
const view2 = reasoningView(puzzle2, result2, { title: 'another 4x4 sudoku', solution: tokens(solution2) });

/** The changed-cell counts of a view's frames, from its grids. */
const changedCounts = (v: ReasoningView) => v.frames.map((f, i) => changedCells(i === 0 ? v.input : v.frames[i - 1].grid, f.grid).length);

describe('a page of several puzzles', () => {
  test('one section per puzzle with its own frames and strip, a table row and a selector option each', () => {
    const html = reasoningPage([view, view2], { title: 'two puzzles', notes: ['from a test'] });
    const sections = html.split('<section class="puzzle"').slice(1);
    expect(sections).toHaveLength(2);
    expect((sections[0].match(/<div class="frame" /g) ?? []).length).toBe(view.frames.length);
    expect((sections[1].match(/<div class="frame" /g) ?? []).length).toBe(3);
    expect((sections[1].match(/<div class="thumb/g) ?? []).length).toBe(3);
    expect(sections[1]).toContain('<h2>another 4x4 sudoku</h2>');
    const rows = [...html.matchAll(/<tr class="pick" data-puzzle="(\d)">(.*?)<\/tr>/g)].map((m) => [...m[2].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]));
    // #, title, steps, halted at, wrong cells at the end, solved
    expect(rows).toEqual([
      ['1', 'a 4x4 sudoku', '2', '2', '0', 'yes'],
      ['2', 'another 4x4 sudoku', '3', '3', '1', 'no'],
    ]);
    expect(html.match(/<option /g)).toHaveLength(2);
    expect(html).toContain('<p>from a test</p>');
    // The one-puzzle page is the same section without the table, selector or section heading.
    const one = reasoningPage(view2);
    expect(one).not.toContain('<table');
    expect(one.split('<section class="puzzle"')[1]).toBe(sections[1].replace('data-puzzle="1"', 'data-puzzle="0"').replace('<h2>another 4x4 sudoku</h2>', ''));
  });

  test('an ARC answer of the wrong size counts every cell it lacks or adds as wrong, and is not solved', () => {
    const solutionTokens = arcAnswer([[4, 3], [2, 1]]);
    const answers = [new Uint8Array(900), arcAnswer([[4, 3], [2, 1], [5, 5]]), solutionTokens]; // nothing, a row too many, right
    const v = reasoningView(arc, { ...traceOf(answers, arc.tokens), steps: 2 }, { solution: solutionTokens });
    const wrong = [...reasoningPage(v).matchAll(/<div class="frame" [^>]*data-wrong="(\d+)"/g)].map((m) => Number(m[1]));
    expect(wrong).toEqual([4, 4, 4, 2, 4, 0]); // per step: the input shown as the L preview (4 cells off), then the step
    const row = (p: string) => [.../<tr class="pick" data-puzzle="0">(.*?)<\/tr>/.exec(p)![1].matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]);
    expect(row(reasoningPage([{ ...v, frames: v.frames.slice(0, 2) }])).slice(4)).toEqual(['4', 'no']);
    expect(row(reasoningPage([v])).slice(4)).toEqual(['0', 'yes']);
  });

  test('a predicted token outside the task (PAD) is an unknown cell, not an error', () => {
    const bad = tokens(solution);
    bad[5] = 0;
    const v = reasoningView(puzzle, { ...result, perStep: [{ ...steps[0], updates: undefined, prediction: bad }] }, { solution: tokens(solution) });
    expect(v.frames[0].grid[1][1]).toBe(UNKNOWN_CELL);
    expect(reasoningPage(v)).toContain(`>${UNKNOWN_CELL}</text>`);
  });
});

pageTest('in Chromium: the selector and the table switch puzzles; each puzzle keeps its own slider, changed counts and strip', async () => {
  const dir = tmpDir('reasoning-');
  const browser = await launchBrowser();
  try {
    const file = path.join(dir, 'two.html');
    fs.writeFileSync(file, reasoningPage([view, view2], { title: 'two puzzles' }));
    const { tab, errors } = await openPage(browser, file);
    const shown = tab.locator('section.puzzle.current');
    expect(await tab.locator('section.puzzle:visible').count()).toBe(1);
    expect(await shown.getAttribute('data-puzzle')).toBe('0');
    await shown.locator('.slider').fill('2');
    await tab.locator('#puzzle').selectOption('1');
    expect(await shown.getAttribute('data-puzzle')).toBe('1');
    expect(await tab.locator('section.puzzle:visible').count()).toBe(1);
    expect(await shown.locator('.thumb').count()).toBe(3);
    expect(await shown.locator('.thumb.halted').getAttribute('data-step')).toBe('3');
    expect(await tab.locator('tr.pick.current').getAttribute('data-puzzle')).toBe('1');
    const counts = changedCounts(view2);
    for (let i = 0; i < 3; i++) {
      await shown.locator('.slider').fill(String(i));
      expect(await shown.locator('.info').textContent()).toContain(`${counts[i]} cells changed`);
      expect(await shown.locator('.frame.current rect.changed').count()).toBe(counts[i]);
    }
    await screenshot(tab, 'reasoning-two-puzzles');
    await tab.locator('tr.pick').first().click();
    expect(await shown.getAttribute('data-puzzle')).toBe('0');
    expect(await tab.locator('#puzzle').inputValue()).toBe('0');
    // The first puzzle's slider stayed where it was left.
    expect(await shown.locator('.frame.current').getAttribute('data-label')).toBe(view.frames[2].label);
    expect(await shown.locator('.info').textContent()).toContain(`${changedCounts(view)[2]} cells changed`);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('gridSvg, changedCells, cellSize, reasoningView and reasoningPage name the bad argument', () => {
    const view = { task: 'sudoku' as const, input: [['1', '']] };
    expectInvalidArgument(() => subject.gridSvg(view, 'ab' as never), 'gridSvg(): grid must be a grid (an array of rows of cell labels), got string "ab"');
    expectInvalidArgument(() => subject.gridSvg(view, [[1]] as never), 'gridSvg(): grid[0][0] must be a string, got number 1');
    expectInvalidArgument(() => subject.gridSvg(undefined as never, [['1']]), 'gridSvg(): view must be a reasoning view {task, input, solution}, got undefined');
    expectInvalidArgument(() => subject.gridSvg(view, [['1']], { cell: 0 }), 'gridSvg(): opts.cell must be a positive number of pixels, got number 0');
    expectInvalidArgument(() => subject.changedCells(undefined, 3 as never), 'changedCells(): b must be a grid (an array of rows of cell labels), got number 3');
    expectInvalidArgument(() => subject.cellSize('4' as never, 4, 320, 8, 36), 'cellSize(): rows must be a number, got string "4"');
    expectInvalidArgument(() => subject.reasoningView(undefined as never, {} as never), 'reasoningView(): puzzle must be an encoded puzzle {task, tokens}, got undefined');
    expectInvalidArgument(() => subject.reasoningView({ task: 'sudoku', tokens: [] }, {} as never), 'reasoningView(): result.perStep must be an array of steps, got undefined');
    expectInvalidArgument(() => subject.reasoningPage(undefined as never), 'reasoningPage(): view must be a reasoning view (from reasoningView()), got undefined');
    expectInvalidArgument(() => subject.reasoningPage([{ task: 'sudoku', title: 't', input: [], frames: 3 }] as never), 'reasoningPage(): views[0].frames must be an array of frames, got number 3');
  });
});
