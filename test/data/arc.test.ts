/**
 * ARC builder (src/data/arc.ts, hrm-spec 6.4, 7.2): encoding against hand-written arrays,
 * transforms and their inverses, the decoder, dedup, a small build of real tasks loaded with
 * DatasetSplit, array-by-array equality with an independent numpy builder
 * (test/reference/build_arc_ref.py) where no randomness is involved, and the ARC-2/ARC-1 warning.
 * Real tasks are read (via symlinks in temp folders) from the shared data, never copied here.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  ARC_DIHEDRAL_INVERSE,
  ArcGrid,
  ArcTask,
  arcApplyColourMap,
  arcAugmentGrid,
  arcAugmentedName,
  arcDihedralTransform,
  arcInverseColourMap,
  arcPuzzleHash,
  augmentArcTask,
  buildArcDataset,
  decodeArcGrid,
  encodeArcGrid,
  inverseTransform,
  parseArcName,
  readArcAugmentations,
  readArcFolders,
  readArcTask,
} from '../../src/data/arc';
import { DatasetSplit, readIdentifiers } from '../../src/data/format';
import { readNpy } from '../../src/data/npy';
import { Rng } from '../../src/data/random';
import { describeWithTorch, referencePython, tmpDir } from '../helpers/reference';

const DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'arc');
const REF = path.resolve(__dirname, '..', 'reference', 'build_arc_ref.py');
const haveData = fs.existsSync(path.join(DATA, 'arc-agi-1', 'training'));
const describeWithData = haveData ? describe : describe.skip;

const TRAINING = ['007bbfb7', 'd631b094', '0d3d703e', '9edfc990', '00d62c1b', '017c7c7b', '025d127b', '045e512c', '0520fde7', '05269061'];
const EVALUATION = ['05a7bcf2', '00576224', '009d5c81', '00dbd492', '03560426'];

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = tmpDir('hrm-arc-test-');
  dirs.push(d);
  return d;
}

/** Links real task files into <root>/<layout...>/<subset>/ (nothing is copied). */
function linkTasks(root: string, rel: string, source: string, ids: string[]): string {
  const dir = path.join(root, rel);
  fs.mkdirSync(dir, { recursive: true });
  for (const id of ids) fs.symlinkSync(path.join(DATA, source, `${id}.json`), path.join(dir, `${id}.json`));
  return dir;
}

/** A 900-token canvas, PAD everywhere except the given row prefixes. */
function canvas(rows: Record<number, number[]>): Uint8Array {
  const out = new Uint8Array(900);
  for (const [r, vals] of Object.entries(rows)) out.set(vals, Number(r) * 30);
  return out;
}

function randomGrid(rng: Rng, h: number, w: number): ArcGrid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => rng.int(10)));
}

function loadJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

describe('encoding (hrm-spec 6.4)', () => {
  test('a 2x2 grid at (0, 0): colour + 2, EOS right and below, corner PAD', () => {
    const got = encodeArcGrid([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(got)).toEqual(Array.from(canvas({ 0: [3, 4, 1], 1: [5, 6, 1], 2: [1, 1, 0] })));
  });

  test('the same grid at offset (1, 2)', () => {
    const got = encodeArcGrid(
      [
        [1, 2],
        [3, 4],
      ],
      { row: 1, col: 2 },
    );
    expect(Array.from(got)).toEqual(Array.from(canvas({ 1: [0, 0, 3, 4, 1], 2: [0, 0, 5, 6, 1], 3: [0, 0, 1, 1, 0] })));
  });

  test('grids touching the canvas edge get no EOS beyond it', () => {
    const wide = encodeArcGrid([Array(30).fill(0)]);
    expect(Array.from(wide.subarray(0, 30))).toEqual(Array(30).fill(2));
    expect(Array.from(wide.subarray(30, 60))).toEqual(Array(30).fill(1));
    expect(wide.subarray(60).every((v) => v === 0)).toBe(true);
    const tall = encodeArcGrid(Array.from({ length: 30 }, () => [9]));
    for (let r = 0; r < 30; r++) expect(Array.from(tall.subarray(r * 30, r * 30 + 3))).toEqual([11, 1, 0]);
    const full = encodeArcGrid(Array.from({ length: 30 }, () => Array(30).fill(5)));
    expect(full.every((v) => v === 7)).toBe(true);
    // bottom-right placement: the last row/column is on the edge
    const corner = encodeArcGrid([[3]], { row: 29, col: 29 });
    expect(corner[899]).toBe(5);
    expect(corner.reduce((a, b) => a + b, 0)).toBe(5);
  });

  test('bad grids and offsets are rejected', () => {
    expect(() => encodeArcGrid([[1]], { row: 30, col: 0 })).toThrow(/does not fit/);
    expect(() => encodeArcGrid([[1, 2], [3]])).toThrow(/not rectangular/);
    expect(() => encodeArcGrid([[10]])).toThrow(/colours are integers 0..9/);
  });
});

describe('dihedral transforms and colour maps', () => {
  const g = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  // numpy semantics written out by hand: rot90 is counter-clockwise.
  const expected: ArcGrid[] = [
    [[1, 2, 3], [4, 5, 6]], // 0 identity
    [[3, 6], [2, 5], [1, 4]], // 1 rot90
    [[6, 5, 4], [3, 2, 1]], // 2 rot180
    [[4, 1], [5, 2], [6, 3]], // 3 rot270
    [[3, 2, 1], [6, 5, 4]], // 4 flip left-right
    [[4, 5, 6], [1, 2, 3]], // 5 flip up-down
    [[1, 4], [2, 5], [3, 6]], // 6 transpose
    [[6, 3], [5, 2], [4, 1]], // 7 anti-transpose
  ];

  test('the 8 ids match the hand-written numpy results and are distinct bijections', () => {
    const seen = new Set<string>();
    for (let t = 0; t < 8; t++) {
      const out = arcDihedralTransform(g, t);
      expect(out).toEqual(expected[t]);
      expect(out.flat().sort()).toEqual(g.flat().sort()); // a permutation of the cells
      seen.add(JSON.stringify(out));
    }
    expect(seen.size).toBe(8);
  });

  test('the inverse table undoes every transform, on random grids of every shape class', () => {
    const rng = new Rng(7);
    for (const [h, w] of [[1, 1], [1, 30], [30, 1], [3, 5], [7, 7], [30, 30]]) {
      const grid = randomGrid(rng, h, w);
      for (let t = 0; t < 8; t++) {
        expect(arcDihedralTransform(arcDihedralTransform(grid, t), ARC_DIHEDRAL_INVERSE[t])).toEqual(grid);
      }
    }
    expect(() => arcDihedralTransform(g, 8)).toThrow(/0..7/);
  });

  test('colour maps keep 0 in the builder, are bijections, and their argsort inverts them', () => {
    const rng = new Rng(3);
    const grid = randomGrid(rng, 6, 4);
    for (let k = 0; k < 20; k++) {
      const map = [0, ...rng.permutation(9).map((x) => x + 1)];
      const inv = arcInverseColourMap(map);
      for (let c = 0; c < 10; c++) expect(inv[map[c]]).toBe(c);
      expect(arcApplyColourMap(arcApplyColourMap(grid, map), inv)).toEqual(grid);
    }
    expect(() => arcApplyColourMap(grid, [0, 1, 1, 3, 4, 5, 6, 7, 8, 9])).toThrow(/not a permutation/);
    expect(() => arcApplyColourMap(grid, [0, 1, 2])).toThrow(/10 entries/);
  });

  test('inverseTransform undoes arcAugmentGrid for every dihedral id and random colour maps', () => {
    const rng = new Rng(11);
    for (let k = 0; k < 40; k++) {
      const grid = randomGrid(rng, 1 + rng.int(30), 1 + rng.int(30));
      const aug = { dihedral: k % 8, colourMap: [0, ...rng.permutation(9).map((x) => x + 1)] };
      const augmented = arcAugmentGrid(grid, aug);
      // colours first, then the transform (they commute)
      expect(augmented).toEqual(arcDihedralTransform(arcApplyColourMap(grid, aug.colourMap), aug.dihedral));
      expect(inverseTransform(augmented, aug)).toEqual(grid);
    }
  });

  test('names: <task>_t<t>_<10 digits>, parsed back (task names may contain "_")', () => {
    const aug = { dihedral: 5, colourMap: [0, 3, 1, 2, 9, 8, 7, 6, 5, 4] };
    expect(arcAugmentedName('007bbfb7', aug)).toBe('007bbfb7_t5_0312987654');
    expect(parseArcName('007bbfb7_t5_0312987654')).toEqual({ task: '007bbfb7', ...aug });
    expect(parseArcName('my_task_t5_0312987654')).toEqual({ task: 'my_task', ...aug });
    expect(parseArcName('AboveBelow3')).toEqual({ task: 'AboveBelow3', dihedral: 0, colourMap: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });
});

describe('decoder (hrm-spec 7.2 crop)', () => {
  test('decodes every encoded grid back, including edge-sized ones', () => {
    const rng = new Rng(5);
    for (const [h, w] of [[1, 1], [1, 30], [30, 1], [30, 30], [29, 30], [2, 3], [13, 27]]) {
      const grid = randomGrid(rng, h, w);
      expect(decodeArcGrid(encodeArcGrid(grid))).toEqual(grid);
    }
    // typed arrays of other integer types are accepted
    const grid = randomGrid(rng, 4, 5);
    expect(decodeArcGrid(Int32Array.from(encodeArcGrid(grid)))).toEqual(grid);
    expect(decodeArcGrid(BigInt64Array.from(encodeArcGrid(grid), (v) => BigInt(v)))).toEqual(grid);
  });

  test('crops a ragged prediction to the first largest top-left colour rectangle', () => {
    // row 0: 3 colours then EOS; row 1: 2 colours then PAD; row 2: starts with EOS.
    // Candidate rectangles: 1x3 (3), 2x2 (4), 3x0 (0) -> 2x2.
    const pred = canvas({ 0: [2, 3, 4, 1], 1: [5, 6, 0, 7], 2: [1, 8] });
    expect(decodeArcGrid(pred)).toEqual([
      [0, 1],
      [3, 4],
    ]);
    // ties keep the first: 1x2 (2) vs 2x1 (2) -> 1x2
    expect(decodeArcGrid(canvas({ 0: [2, 3, 1], 1: [4, 1] }))).toEqual([[0, 1]]);
    // nothing at the origin (e.g. a translated example): empty
    expect(decodeArcGrid(encodeArcGrid([[1]], { row: 1, col: 1 }))).toEqual([]);
    expect(() => decodeArcGrid(new Uint8Array(899))).toThrow(/900 tokens/);
  });
});

describe('augmentation and dedup (hrm-spec 6.4)', () => {
  const task = (pairs: { input: ArcGrid; output: ArcGrid }[]): ArcTask => ({ name: 'x', file: 'x.json', train: pairs, test: [] });

  test('an all-black task has no distinct versions at all', () => {
    const t = task([{ input: [[0, 0], [0, 0]], output: [[0]] }]);
    expect(augmentArcTask(t, 8, new Rng(1))).toHaveLength(1);
  });

  test('a symmetric one-colour grid yields only the 9 colour choices, an asymmetric one reaches numAug + 1', () => {
    const plus = [
      [0, 1, 0],
      [1, 1, 1],
      [0, 1, 0],
    ];
    const sym = augmentArcTask(task([{ input: plus, output: plus }]), 20, new Rng(2));
    expect(sym).toHaveLength(9); // original + the 8 other colours for 1; every dihedral id maps the plus onto itself
    expect(new Set(sym.map((v) => v.colourMap[1])).size).toBe(9);
    const ell = [
      [1, 0, 0],
      [1, 0, 0],
      [1, 2, 2],
    ];
    const asym = augmentArcTask(task([{ input: ell, output: ell }]), 20, new Rng(2));
    expect(asym).toHaveLength(21);
  });

  test('kept versions are distinct by the puzzle hash, named per the spec, reproducible from the seed', () => {
    const rng = new Rng(9);
    const t = task([
      { input: randomGrid(rng, 3, 4), output: randomGrid(rng, 2, 2) },
      { input: randomGrid(rng, 5, 1), output: randomGrid(rng, 1, 5) },
    ]);
    const versions = augmentArcTask(t, 30, new Rng(42));
    expect(versions).toHaveLength(31);
    expect(versions[0]).toEqual({ name: 'x', dihedral: 0, colourMap: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const hashes = new Set<string>();
    for (const v of versions) {
      expect(v.colourMap[0]).toBe(0);
      if (v !== versions[0]) expect(v.name).toBe(arcAugmentedName('x', v));
      hashes.add(arcPuzzleHash(t.train.map((p) => ({ input: arcAugmentGrid(p.input, v), output: arcAugmentGrid(p.output, v) }))));
    }
    expect(hashes.size).toBe(31);
    expect(augmentArcTask(t, 30, new Rng(42))).toEqual(versions);
    expect(augmentArcTask(t, 30, new Rng(43))).not.toEqual(versions);
    expect(augmentArcTask(t, 0, new Rng(42))).toHaveLength(1);
  });

  test('the puzzle hash ignores pair order but not shapes', () => {
    const a = { input: [[1, 2]], output: [[3]] };
    const b = { input: [[4], [5]], output: [[6]] };
    expect(arcPuzzleHash([a, b])).toBe(arcPuzzleHash([b, a]));
    expect(arcPuzzleHash([{ input: [[1, 2]], output: [[3]] }])).not.toBe(arcPuzzleHash([{ input: [[1], [2]], output: [[3]] }]));
  });
});

describe('reading task folders', () => {
  function writeTask(dir: string, name: string, content: unknown): string {
    fs.mkdirSync(dir, { recursive: true });
    const f = path.join(dir, `${name}.json`);
    fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
    return f;
  }
  const ok = { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[3]], output: [[4]] }] };

  test('clear errors for malformed tasks', () => {
    const d = scratch();
    const bad = (content: unknown) => () => readArcTask(writeTask(d, 'bad', content));
    expect(bad({ ...ok, train: [{ input: [[1, 2], [3]], output: [[1]] }] })).toThrow(/bad\.json: train\[0\]\.input is not rectangular: row 1 has 1 cells, row 0 has 2/);
    expect(bad({ ...ok, test: [{ input: [[1]], output: [[10]] }] })).toThrow(/test\[0\]\.output cell \(0, 0\) is 10; colours are integers 0..9/);
    expect(bad({ ...ok, test: [{ input: [[1.5]], output: [[1]] }] })).toThrow(/colours are integers 0..9/);
    const big = Array.from({ length: 31 }, () => Array(31).fill(0));
    expect(bad({ ...ok, train: [{ input: big, output: [[1]] }] })).toThrow(/is 31x31; ARC grids are at most 30x30/);
    expect(bad({ train: ok.train })).toThrow(/missing the "test" list/);
    expect(bad({ test: ok.test })).toThrow(/missing the "train" list/);
    expect(bad({ ...ok, test: [{ input: [[1]] }] })).toThrow(/test\[0\] has no "output" grid/);
    expect(bad({ ...ok, train: [{ input: [], output: [[1]] }] })).toThrow(/non-empty list of rows/);
    expect(bad('{"train": [')).toThrow(/not valid JSON/);
    expect(bad([1, 2])).toThrow(/expected an object/);
    expect(bad({ ...ok, name: 5 })).toThrow(/"name" must be a non-empty string/);
    try {
      bad({ train: ok.train })();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as { code?: string }).code).toBe('CORRUPT_FILE');
    }
  });

  test('folder layouts: subsets = sub-folders, or the folder itself when it holds *.json', () => {
    const root = scratch();
    writeTask(path.join(root, 'data', 'training'), 'b', ok);
    writeTask(path.join(root, 'data', 'training'), 'a', { ...ok, name: 'renamed' });
    writeTask(path.join(root, 'data', 'evaluation'), 'c', ok);
    fs.mkdirSync(path.join(root, 'data', 'empty'));
    writeTask(path.join(root, 'corpus', 'Concept'), 'Concept1', ok);
    const subsets = readArcFolders([path.join(root, 'data'), path.join(root, 'corpus'), path.join(root, 'data', 'evaluation')]);
    expect(subsets.map((s) => [s.name, s.evaluation, s.tasks.map((t) => t.name)])).toEqual([
      ['evaluation', true, ['c']],
      ['training', false, ['renamed', 'b']], // sorted by file; the "name" key wins as in the reference
      ['Concept', false, ['Concept1']],
      ['evaluation', true, ['c']],
    ]);
    expect(() => readArcFolders([path.join(root, 'nope')])).toThrow(/does not exist/);
    expect(() => readArcFolders([path.join(root, 'data', 'empty')])).toThrow(/no ARC task files/);
    expect(() => readArcFolders([])).toThrow(/non-empty list/);
  });

  test('a bad file stops the build before anything is written; existing output is protected', () => {
    const root = scratch();
    writeTask(path.join(root, 'in', 'training'), 'good', ok);
    writeTask(path.join(root, 'in', 'training'), 'worse', { ...ok, test: [{ input: [[1]], output: [[1, 2], [1]] }] });
    const out = path.join(root, 'out');
    expect(() => buildArcDataset({ datasetDirs: [path.join(root, 'in')], outputDir: out, numAug: 2 })).toThrow(/worse\.json: test\[0\]\.output is not rectangular/);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(path.join(root, 'in', 'training', 'worse.json'));
    const r = buildArcDataset({ datasetDirs: [path.join(root, 'in')], outputDir: out, numAug: 2 });
    expect(r.test).toBeNull(); // no `evaluation` folder: no test split, as the reference
    expect(fs.existsSync(path.join(out, 'test'))).toBe(false);
    expect(() => buildArcDataset({ datasetDirs: [path.join(root, 'in')], outputDir: out, numAug: 2 })).toThrow(/already holds a dataset.*overwrite: true/);
    expect(() => buildArcDataset({ datasetDirs: [path.join(root, 'in')], outputDir: out, numAug: -1, overwrite: true })).toThrow(/numAug must be a non-negative integer/);
    buildArcDataset({ datasetDirs: [path.join(root, 'in')], outputDir: out, numAug: 1, overwrite: true });
    expect(readIdentifiers(out)).toHaveLength(3);
  });
});

describeWithData('real tasks', () => {
  test('the "name" quirk and hand-checked encodings of known tasks', () => {
    const root = scratch();
    linkTasks(root, 'arc1/training', 'arc-agi-1/training', TRAINING);
    linkTasks(root, 'arc1/evaluation', 'arc-agi-1/evaluation', EVALUATION);
    expect(readArcTask(path.join(DATA, 'arc-agi-1/training/9edfc990.json')).name).toBe('9edfc990');
    const out = path.join(root, 'out');
    buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: out, numAug: 0, translate: false, shuffle: false });
    const names = readIdentifiers(out)!;
    const split = new DatasetSplit(path.join(out, 'train'));
    try {
      const set = split.sets.get('all')!;
      const firstExample = (task: string) => {
        const j = set.puzzleIdentifiers.indexOf(names.indexOf(task));
        expect(j).toBeGreaterThanOrEqual(0);
        const row = set.puzzleIndices[j];
        return { input: new Uint8Array(set.inputs.readRowsRaw(row, 1)), label: new Uint8Array(set.labels.readRowsRaw(row, 1)) };
      };
      // 007bbfb7, pair 0: input [[0,7,7],[7,7,7],[0,7,7]], output 9x9 with row 0 = [0,0,0,0,7,7,0,7,7]
      const a = firstExample('007bbfb7');
      expect(Array.from(a.input)).toEqual(Array.from(canvas({ 0: [2, 9, 9, 1], 1: [9, 9, 9, 1], 2: [2, 9, 9, 1], 3: [1, 1, 1, 0] })));
      expect(Array.from(a.label.subarray(0, 10))).toEqual([2, 2, 2, 2, 9, 9, 2, 9, 9, 1]);
      expect(Array.from(a.label.subarray(9 * 30, 9 * 30 + 10))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
      // d631b094, pair 0: input [[0,0,0],[1,0,0],[0,1,0]] -> output [[1,1]]
      const b = firstExample('d631b094');
      expect(Array.from(b.input)).toEqual(Array.from(canvas({ 0: [2, 2, 2, 1], 1: [3, 2, 2, 1], 2: [2, 3, 2, 1], 3: [1, 1, 1, 0] })));
      expect(Array.from(b.label)).toEqual(Array.from(canvas({ 0: [3, 3, 1], 1: [1, 1, 0] })));
      // 05a7bcf2 (evaluation, carries "name"): 30x30 grids, so no EOS at all; row 10 is all colour 8
      const c = firstExample('05a7bcf2');
      expect(c.input.every((v) => v >= 2 && v <= 11)).toBe(true);
      expect(Array.from(c.input.subarray(300, 330))).toEqual(Array(30).fill(10));
    } finally {
      split.close();
    }
  });

  test('a small build (10 training + 5 evaluation tasks, numAug 8) loads with the right shapes, split rules and metadata', () => {
    const root = scratch();
    linkTasks(root, 'arc1/training', 'arc-agi-1/training', TRAINING);
    linkTasks(root, 'arc1/evaluation', 'arc-agi-1/evaluation', EVALUATION);
    const out = path.join(root, 'out');
    const events: string[] = [];
    const r = buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: out, numAug: 8, seed: 42, onProgress: (p) => events.push(p.phase) });
    expect(r.warnings).toEqual([]);
    expect(events).toContain('train');
    expect(events).toContain('test');

    const names = readIdentifiers(out)!;
    const augs = readArcAugmentations(out);
    expect(names[0]).toBe('<blank>');
    expect(augs[0]).toBeNull();
    expect(augs).toHaveLength(names.length);
    const versionsOf = new Map<string, number>();
    for (let id = 1; id < names.length; id++) {
      const a = augs[id]!;
      expect(parseArcName(names[id])).toEqual(a); // the name and the record agree
      versionsOf.set(a.task, (versionsOf.get(a.task) ?? 0) + 1);
    }
    expect([...versionsOf.keys()].sort()).toEqual([...TRAINING, ...EVALUATION].sort());
    for (const v of versionsOf.values()) expect(v).toBeLessThanOrEqual(9);
    expect(names.length).toBe(1 + [...versionsOf.values()].reduce((a, b) => a + b, 0));

    const tasks = new Map<string, ArcTask>();
    for (const id of TRAINING) tasks.set(id, readArcTask(path.join(DATA, 'arc-agi-1/training', `${id}.json`)));
    for (const id of EVALUATION) tasks.set(id, readArcTask(path.join(DATA, 'arc-agi-1/evaluation', `${id}.json`)));
    // Split rule: training tasks -> all pairs to train; evaluation tasks -> demonstrations to train, test pairs to test.
    let trainExamples = 0;
    let testExamples = 0;
    for (const [id, t] of tasks) {
      const v = versionsOf.get(id)!;
      if (EVALUATION.includes(id)) {
        trainExamples += t.train.length * v;
        testExamples += t.test.length * v;
      } else trainExamples += (t.train.length + t.test.length) * v;
    }
    const evalPuzzles = EVALUATION.reduce((a, id) => a + versionsOf.get(id)!, 0);
    expect(r.train).toEqual({ groups: 15, puzzles: names.length - 1, examples: trainExamples });
    expect(r.test).toEqual({ groups: 5, puzzles: evalPuzzles, examples: testExamples });
    expect(r.numPuzzleIdentifiers).toBe(names.length);

    const testPuzzles = loadJson<Record<string, { train: unknown[]; test: { input: ArcGrid; output: ArcGrid }[] }>>(path.join(out, 'test_puzzles.json'));
    expect(Object.keys(testPuzzles).sort()).toEqual([...EVALUATION].sort());

    for (const [splitName, counts] of [['train', r.train], ['test', r.test!]] as const) {
      const split = new DatasetSplit(path.join(out, splitName));
      try {
        expect(split.metadata).toEqual({
          pad_id: 0,
          ignore_label_id: 0,
          blank_identifier_id: 0,
          vocab_size: 12,
          seq_len: 900,
          num_puzzle_identifiers: names.length, // N + 1 in both splits
          total_groups: counts.groups,
          mean_puzzle_examples: counts.examples / counts.puzzles,
          sets: ['all'],
        });
        const set = split.sets.get('all')!;
        expect(set.inputs.shape).toEqual([counts.examples, 900]);
        expect(set.labels.shape).toEqual([counts.examples, 900]);
        expect(set.inputs.dtype).toBe('uint8');
        expect(set.puzzleIdentifiers.length).toBe(counts.puzzles);
        expect(set.groupIndices.length).toBe(counts.groups + 1);
        const inputs = new Uint8Array(set.inputs.readRowsRaw(0, counts.examples));
        const labels = new Uint8Array(set.labels.readRowsRaw(0, counts.examples));
        expect(inputs.every((v) => v < 12) && labels.every((v) => v < 12)).toBe(true);
        for (let g = 0; g < counts.groups; g++) {
          // a group = one task: the original first, then its versions
          const first = set.groupIndices[g];
          const task = augs[set.puzzleIdentifiers[first]]!.task;
          expect(names[set.puzzleIdentifiers[first]]).toBe(task);
          for (let j = first; j < set.groupIndices[g + 1]; j++) {
            const id = set.puzzleIdentifiers[j];
            const aug = augs[id]!;
            expect(aug.task).toBe(task);
            const t = tasks.get(task)!;
            const pairs = splitName === 'test' ? t.test : EVALUATION.includes(task) ? t.train : [...t.train, ...t.test];
            expect(set.puzzleIndices[j + 1] - set.puzzleIndices[j]).toBe(pairs.length);
            let atOrigin = 0;
            for (let e = set.puzzleIndices[j], k = 0; e < set.puzzleIndices[j + 1]; e++, k++) {
              const inp = inputs.subarray(e * 900, (e + 1) * 900);
              const lab = labels.subarray(e * 900, (e + 1) * 900);
              // the first non-PAD token is the grid's top-left cell; input and label share the offset
              const off = inp.findIndex((v) => v !== 0);
              expect(lab.findIndex((v) => v !== 0)).toBe(off);
              if (off === 0) atOrigin++;
              if (splitName === 'test') expect(off).toBe(0); // test examples are never translated
              const shift = (a: Uint8Array) => {
                const s = new Uint8Array(900);
                const [r0, c0] = [Math.floor(off / 30), off % 30];
                for (let rr = r0; rr < 30; rr++) for (let cc = c0; cc < 30; cc++) s[(rr - r0) * 30 + (cc - c0)] = a[rr * 30 + cc];
                return s;
              };
              // voting path: decode, undo the augmentation -> the original pair, in file order
              expect(inverseTransform(decodeArcGrid(shift(inp)), aug)).toEqual(pairs[k].input);
              expect(inverseTransform(decodeArcGrid(shift(lab)), aug)).toEqual(pairs[k].output);
            }
            expect(atOrigin).toBeGreaterThanOrEqual(1); // one example per puzzle stays at (0, 0)
          }
        }
        if (splitName === 'test') {
          // an evaluation task's versions keep their identifiers from the train split
          const train = new DatasetSplit(path.join(out, 'train'));
          try {
            const trainIds = new Set(train.sets.get('all')!.puzzleIdentifiers);
            for (const id of set.puzzleIdentifiers) expect(trainIds.has(id)).toBe(true);
          } finally {
            train.close();
          }
        }
      } finally {
        split.close();
      }
    }
    // translation did move examples in the train split
    const train = new DatasetSplit(path.join(out, 'train'));
    try {
      const set = train.sets.get('all')!;
      const rows = new Uint8Array(set.inputs.readRowsRaw(0, set.inputs.rows));
      let moved = 0;
      for (let e = 0; e < set.inputs.rows; e++) if (rows[e * 900] === 0) moved++;
      expect(moved).toBeGreaterThan(set.inputs.rows / 4);
    } finally {
      train.close();
    }

    // reproducible from the seed
    const again = path.join(root, 'again');
    buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: again, numAug: 8, seed: 42 });
    for (const f of ['identifiers.json', 'augmentations.json', 'train/all__inputs.npy', 'train/all__labels.npy', 'test/all__puzzle_identifiers.npy']) {
      expect(fs.readFileSync(path.join(again, f)).equals(fs.readFileSync(path.join(out, f)))).toBe(true);
    }
  });

  test('ARC-AGI-2 training mixed with ARC-AGI-1 evaluation warns (result, onProgress, console.warn)', () => {
    const root = scratch();
    const shared = ['00576224', '009d5c81'];
    linkTasks(root, 'arc-agi-2/training', 'arc-agi-2/training', shared);
    linkTasks(root, 'arc-agi-1/evaluation', 'arc-agi-1/evaluation', [...shared, '00dbd492']);
    const dirsIn = [path.join(root, 'arc-agi-2'), path.join(root, 'arc-agi-1')];
    const seen: string[] = [];
    const r = buildArcDataset({ datasetDirs: dirsIn, outputDir: path.join(root, 'o1'), numAug: 0, onProgress: (p) => p.phase === 'warning' && seen.push(p.message) });
    expect(r.warnings.length).toBeGreaterThanOrEqual(2);
    expect(r.warnings[0]).toMatch(/ARC-AGI-2 training .* is mixed with ARC-AGI-1 evaluation/);
    expect(r.warnings.some((w) => /2 evaluation task\(s\) \(00576224, 009d5c81\) also appear in a training folder/.test(w))).toBe(true);
    expect(seen).toEqual(r.warnings);

    // Without onProgress the warnings go to console.warn.
    const spy = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      buildArcDataset({ datasetDirs: dirsIn, outputDir: path.join(root, 'o2'), numAug: 0 });
      expect(spy.mock.calls.some((c) => /mixed with ARC-AGI-1 evaluation/.test(String(c[0])))).toBe(true);
    } finally {
      spy.mockRestore();
    }

    // The overlap is found by content even when the folder names say nothing.
    const anon = scratch();
    linkTasks(anon, 'x/training', 'arc-agi-2/training', shared);
    linkTasks(anon, 'y/evaluation', 'arc-agi-1/evaluation', shared);
    const r2 = buildArcDataset({ datasetDirs: [path.join(anon, 'x'), path.join(anon, 'y')], outputDir: path.join(anon, 'o'), numAug: 0, onProgress: () => undefined });
    expect(r2.warnings.some((w) => /also appear in a training folder/.test(w))).toBe(true);
    expect(r2.warnings.some((w) => /mixed with/.test(w))).toBe(false);

    // A proper ARC-1 build (ARC-AGI-1 + ConceptARC) does not warn.
    const clean = scratch();
    linkTasks(clean, 'arc-agi-1/training', 'arc-agi-1/training', TRAINING.slice(0, 2));
    linkTasks(clean, 'arc-agi-1/evaluation', 'arc-agi-1/evaluation', shared);
    linkTasks(clean, 'concept-arc/Copy', 'concept-arc/Copy', ['Copy1']);
    const r3 = buildArcDataset({ datasetDirs: [path.join(clean, 'arc-agi-1'), path.join(clean, 'concept-arc')], outputDir: path.join(clean, 'o'), numAug: 0, onProgress: () => undefined });
    expect(r3.warnings).toEqual([]);
  });
});

describeWithData('equality with the numpy reference builder (test/reference/build_arc_ref.py)', () => {
  // The reference shuffles tasks and translates train examples at random even with num_aug = 0,
  // so the comparison uses shuffle: false and translate: false on both sides.
  const run = (args: string[]) => {
    const r = spawnSync(referencePython()!, [REF, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build_arc_ref.py failed (exit ${r.status}): ${r.stderr}`);
  };
  const compare = (ours: string, ref: string) => {
    for (const split of ['train', 'test']) {
      for (const k of ['inputs', 'labels', 'puzzle_identifiers', 'puzzle_indices', 'group_indices']) {
        const a = readNpy(path.join(ours, split, `all__${k}.npy`));
        const b = readNpy(path.join(ref, split, `all__${k}.npy`));
        const what = `${split}/all__${k}.npy`;
        expect([what, a.dtype, a.shape]).toEqual([what, b.dtype, b.shape]);
        expect([what, Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength))]).toEqual([what, true]);
      }
      expect(loadJson(path.join(ours, split, 'dataset.json'))).toEqual(loadJson(path.join(ref, split, 'dataset.json')));
    }
    expect(loadJson(path.join(ours, 'identifiers.json'))).toEqual(loadJson(path.join(ref, 'identifiers.json')));
    expect(loadJson(path.join(ours, 'test_puzzles.json'))).toEqual(loadJson(path.join(ref, 'test_puzzles.json')));
  };
  let root = '';
  let inputs: string[] = [];
  beforeAll(() => {
    root = scratch();
    linkTasks(root, 'arc1/training', 'arc-agi-1/training', TRAINING.slice(0, 6));
    linkTasks(root, 'arc1/evaluation', 'arc-agi-1/evaluation', EVALUATION.slice(0, 3));
    linkTasks(root, 'concept/Copy', 'concept-arc/Copy', ['Copy1', 'Copy2']);
    linkTasks(root, 'concept/Count', 'concept-arc/Count', ['Count1']);
    inputs = [path.join(root, 'arc1'), path.join(root, 'concept')];
  });

  describeWithTorch('with Python', () => {
    test('numAug 0: every array, identifiers.json, dataset.json, test_puzzles.json and the puzzle hashes', () => {
      const ours = path.join(root, 'ours0');
      const ref = path.join(root, 'ref0');
      buildArcDataset({ datasetDirs: inputs, outputDir: ours, numAug: 0, translate: false, shuffle: false });
      run(['--out', ref, '--hashes', path.join(root, 'hashes.json'), ...inputs]);
      compare(ours, ref);
      const hashes = loadJson<Record<string, string>>(path.join(root, 'hashes.json'));
      const subsets = readArcFolders(inputs);
      expect(Object.keys(hashes)).toHaveLength(12);
      for (const s of subsets) for (const t of s.tasks) expect([t.name, arcPuzzleHash([...t.train, ...t.test])]).toEqual([t.name, hashes[t.name]]);
    });

    test('numAug 8: the versions we drew, replayed by numpy (its own transforms, hash dedup check), give the same arrays', () => {
      const ours = path.join(root, 'ours8');
      const ref = path.join(root, 'ref8');
      const r = buildArcDataset({ datasetDirs: inputs, outputDir: ours, numAug: 8, translate: false, shuffle: false });
      expect(r.versions.max).toBe(9);
      run(['--out', ref, '--plan', path.join(ours, 'augmentations.json'), '--num-aug', '8', ...inputs]);
      compare(ours, ref);
    });
  });
});
