/** The dataset viewer (src/report/dataset-view.ts): groups and their augmented versions read from built datasets, drawn, and the page opened in Chromium. */
import * as fs from 'fs';
import * as path from 'path';
import { ArcPair, parseArcName } from '../../src/data/arc';
import { DatasetSplit, readIdentifiers } from '../../src/data/format';
import { ARC_EOS_CELL } from '../../src/data/puzzle-codec';
import { solvesSudoku } from '../../src/data/sudoku';
import { DatasetView, datasetView, datasetViewPage } from '../../src/report/dataset-view';
import { CellGrid } from '../../src/report/reasoning';
import { hasErrorCode } from '../../src/util/errors';
import { scratchFolders } from '../data/scratch';
import { browserAvailable, launchBrowser, openPage, screenshot } from '../helpers/browser';
import { TINY_ARC_TASKS, tinyArcDataset, tinyMazeDataset, tinySudokuDataset } from '../helpers/datasets';
import { errorOf } from '../helpers/errors';
import * as subject from '../../src/report/dataset-view';
import { expectInvalidArgument } from '../helpers/errors';

const scratch = scratchFolders('dataset-view-');
let root = '';
const data = { sudoku: '', maze: '', arc: '' };
beforeAll(() => {
  root = scratch();
  data.sudoku = tinySudokuDataset(root);
  data.maze = tinyMazeDataset(root);
  data.arc = tinyArcDataset(root);
});

/** The arrays of the split's only set, read directly. */
function setOf(dir: string, split: string) {
  const s = new DatasetSplit(path.join(dir, split));
  try {
    const set = s.sets.get('all')!;
    return { rows: set.inputs.rows, ids: Array.from(set.puzzleIdentifiers), puzzles: Array.from(set.puzzleIndices), groups: Array.from(set.groupIndices) };
  } finally {
    s.close();
  }
}

/** The structure the view must follow: groups in order, each with its puzzles in order, each with its example rows. */
function expectStructure(view: DatasetView, dir: string, split: string, counts: { count: number; versions: number; examples: number }) {
  const a = setOf(dir, split);
  expect(view.sets).toEqual([{ name: 'all', examples: a.rows, puzzles: a.ids.length, groups: a.groups.length - 1 }]);
  expect(view.groups.map((g) => g.group)).toEqual(Array.from({ length: Math.min(counts.count, a.groups.length - 1) }, (_, g) => g));
  for (const g of view.groups) {
    const [p0, p1] = [a.groups[g.group], a.groups[g.group + 1]];
    expect(g.totalPuzzles).toBe(p1 - p0);
    expect(g.puzzles.map((p) => p.puzzle)).toEqual(Array.from({ length: Math.min(counts.versions, p1 - p0) }, (_, k) => p0 + k));
    for (const p of g.puzzles) {
      const [e0, e1] = [a.puzzles[p.puzzle], a.puzzles[p.puzzle + 1]];
      expect(p.identifier).toBe(a.ids[p.puzzle]);
      expect(p.totalExamples).toBe(e1 - e0);
      expect(p.examples.map((e) => e.row)).toEqual(Array.from({ length: Math.min(counts.examples, e1 - e0) }, (_, k) => e0 + k));
    }
  }
}

const flat = (g: CellGrid) => g.map((r) => r.join('')).join('');
/** An ARC canvas cut as the viewer cuts it, without its end-of-grid edge: the grid itself. */
const arcGrid = (g: CellGrid) => g.map((r) => r.filter((c) => c !== ARC_EOS_CELL && c !== '').map(Number)).filter((r) => r.length > 0);

describe('datasetView', () => {
  test('Sudoku: each group is a puzzle and its augmented version; every label solves its input', () => {
    const view = datasetView(data.sudoku, { count: 4 });
    expect(view.task).toBe('sudoku');
    expect(view.metadata).toMatchObject({ seq_len: 16, vocab_size: 6 });
    expectStructure(view, data.sudoku, 'train', { count: 4, versions: 8, examples: 4 });
    for (const g of view.groups) {
      expect(g.puzzles).toHaveLength(2);
      expect(flat(g.puzzles[0].examples[0].input)).not.toBe(flat(g.puzzles[1].examples[0].input));
      for (const p of g.puzzles) {
        expect(p.name).toBeUndefined(); // the blank identifier: no name to show
        const { input, label } = p.examples[0];
        expect(solvesSudoku(input.flat().map((c) => (c === '' ? 0 : Number(c))), label.flat().map(Number))).toBe(true);
      }
    }
  });

  test('maze: the 8 dihedral versions of each training maze (capped by versions), labels are the input with a path', () => {
    const view = datasetView(data.maze, { count: 2, versions: 5 });
    expect(view.task).toBe('maze');
    expectStructure(view, data.maze, 'train', { count: 2, versions: 5, examples: 4 });
    for (const g of view.groups) {
      expect(g.totalPuzzles).toBe(8);
      expect(g.puzzles).toHaveLength(5);
      for (const p of g.puzzles) {
        const [q, a] = [flat(p.examples[0].input), flat(p.examples[0].label)];
        expect(q).toMatch(/^[# SG]{16}$/);
        expect([...a].every((ch, i) => ch === q[i] || (q[i] === ' ' && ch === 'o'))).toBe(true);
        expect(a).toContain('o');
      }
    }
  });

  test('ARC: names from identifiers.json; the source task first, then its augmentations; the source examples are the task pairs', () => {
    const names = readIdentifiers(data.arc)!;
    for (const split of ['train', 'test'] as const) {
      const view = datasetView(data.arc, { split, count: 10, examples: 2 });
      expect(view.task).toBe('arc');
      expect(view.identifiers).toBe(names.length);
      expectStructure(view, data.arc, split, { count: 10, versions: 8, examples: 2 });
      for (const g of view.groups) {
        const source = g.puzzles[0];
        const task = source.name!;
        expect(source.name).toBe(names[source.identifier]);
        expect(parseArcName(task).task).toBe(task); // the source version carries the task's own name
        for (const p of g.puzzles.slice(1)) expect(parseArcName(p.name!).task).toBe(task);
        const tasks = { ...TINY_ARC_TASKS.training, ...TINY_ARC_TASKS.evaluation } as Record<string, { train: ArcPair[]; test: ArcPair[] }>;
        if (split === 'test') expect(task).toBe('grow');
        // The test split holds evaluation tasks' test pairs; the train split every demonstration and the
        // training tasks' test pairs, at random offsets and in shuffled order: compare as a set of pairs.
        const pairs = split === 'test' ? tasks[task].test : [...tasks[task].train, ...(task in TINY_ARC_TASKS.training ? tasks[task].test : [])];
        const expected = pairs.map((q) => JSON.stringify([q.input, q.output]));
        expect(source.examples.length).toBe(Math.min(2, pairs.length));
        for (const e of source.examples) expect(expected).toContain(JSON.stringify([arcGrid(e.input), arcGrid(e.label)]));
      }
    }
  });

  test('bad input: a folder that is not a dataset, a count below 1', () => {
    expect(hasErrorCode(errorOf(() => datasetView(path.join(root, 'nothing'))), 'CORRUPT_FILE')).toBe(true);
    expect(errorOf(() => datasetView(data.sudoku, { count: 0 })).message).toMatch(/count must be a positive integer, got number 0/);
  });
});

describe('datasetViewPage', () => {
  test('metadata at the top; one section per group, one column per version, every grid with all its cells; self-contained', () => {
    const view = datasetView(data.arc, { count: 3, versions: 3, examples: 2 });
    const html = datasetViewPage(view);
    for (const [k, v] of [['seq_len', '900'], ['vocab_size', '12'], ['total_groups', String(view.metadata.total_groups)]]) expect(html).toContain(`data-key="${k}">${v}</td>`);
    expect(html.match(/<section class="group"/g)).toHaveLength(view.groups.length);
    expect(html.match(/<div class="version"/g)).toHaveLength(view.groups.reduce((n, g) => n + g.puzzles.length, 0));
    for (const g of view.groups) for (const p of g.puzzles) expect(html).toContain(`<b>${p.name}</b>`);
    const cells = view.groups.flatMap((g) => g.puzzles.flatMap((p) => p.examples.flatMap((e) => [e.input, e.label]))).reduce((n, g) => n + g.flat().length, 0);
    expect(html.match(/<rect /g)).toHaveLength(cells);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toContain('<script');
  });
});

const pageTest = browserAvailable() ? test : test.skip;

pageTest.each(['sudoku', 'maze', 'arc'] as const)('in Chromium: the %s dataset page shows its groups, versions and grids', async (kind) => {
  const view = datasetView(data[kind], { count: 3, versions: 4 });
  const file = path.join(root, `${kind}-view.html`);
  fs.writeFileSync(file, datasetViewPage(view));
  const browser = await launchBrowser();
  try {
    const { tab, errors } = await openPage(browser, file);
    expect(await tab.locator('section.group').count()).toBe(view.groups.length);
    expect(await tab.locator('.version').count()).toBe(view.groups.reduce((n, g) => n + g.puzzles.length, 0));
    const grids = view.groups.reduce((n, g) => n + g.puzzles.reduce((m, p) => m + 2 * p.examples.length, 0), 0);
    expect(await tab.locator('svg.grid:visible').count()).toBe(grids);
    expect(await tab.locator('td[data-key="seq_len"]').textContent()).toBe(String(view.metadata.seq_len));
    if (kind === 'arc') expect(await tab.locator('.version b').first().textContent()).toBe(view.groups[0].puzzles[0].name);
    const png = await screenshot(tab, `dataset-${kind}`);
    expect(png.length).toBeGreaterThan(10000);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('datasetView, datasetViewPage and writeDatasetViewPage name the bad argument', () => {
    expectInvalidArgument(() => subject.datasetView(3 as never), 'datasetView(): dataRoot must be a path (a non-empty string), got number 3');
    expectInvalidArgument(() => subject.datasetView('data', { split: 'dev' }), "datasetView(): opts.split must be 'train' or 'test', got string \"dev\"");
    expectInvalidArgument(() => subject.datasetView('data', { count: 0 }), 'datasetView(): opts.count must be a positive integer, got number 0');
    expectInvalidArgument(() => subject.datasetViewPage(undefined as never), 'datasetViewPage(): view must be a dataset view (from datasetView()), got undefined');
    expectInvalidArgument(() => subject.datasetViewPage({ root: 'r', split: 'train', task: 'sudoku', metadata: undefined } as never), 'datasetViewPage(): view.metadata must be a dataset metadata object, got undefined');
    expectInvalidArgument(() => subject.writeDatasetViewPage(undefined as never, {} as never), 'writeDatasetViewPage(): file must be a path (a non-empty string), got undefined');
  });
});
