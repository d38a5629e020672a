/**
 * ARC on a small canvas (the `canvas` option of buildArcDataset, the codec's canvas argument,
 * readArcCanvas, ArcVoter and the puzzle codec on such datasets): hand-written 10x10 encodings,
 * a canvas-10 build of real tasks whose kept/dropped sets were read off the task files by hand
 * (largest grid side in brackets below), and the 30x30 build unchanged by the option.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  ArcTask,
  arcAugmentGrid,
  arcCanvasOfSeqLen,
  arcSeqLen,
  buildArcDataset,
  checkArcCanvas,
  decodeArcGrid,
  encodeArcGrid,
  inverseTransform,
  readArcAugmentations,
  readArcCanvas,
  readArcTask,
} from '../../../src/data/arc';
import { DatasetSplit, readIdentifiers, readMetadata } from '../../../src/data/format';
import { encodePuzzle } from '../../../src/data/puzzle-codec';
import { Rng } from '../../../src/data/random';
import { ArcVoteRow, ArcVoter } from '../../../src/eval/arc-vote';
import { DATA, describeWithData, linkTasks, randomGrid, scratch } from './helpers';

/** A canvas of side S, PAD everywhere except the given row prefixes. */
function canvasOf(S: number, rows: Record<number, number[]>): Uint8Array {
  const out = new Uint8Array(S * S);
  for (const [r, vals] of Object.entries(rows)) out.set(vals, Number(r) * S);
  return out;
}

describe('the codec on a 10x10 canvas', () => {
  test('a 2x2 grid at (0, 0) and at (7, 8): colour + 2, EOS right and below within the canvas', () => {
    const g = [
      [1, 2],
      [3, 4],
    ];
    expect(Array.from(encodeArcGrid(g, { canvas: 10 }))).toEqual(Array.from(canvasOf(10, { 0: [3, 4, 1], 1: [5, 6, 1], 2: [1, 1, 0] })));
    // at (7, 8) the grid touches the right edge: no EOS column, only the EOS row below it
    const edge = encodeArcGrid(g, { row: 7, col: 8, canvas: 10 });
    expect(Array.from(edge)).toEqual(Array.from(canvasOf(10, { 7: [0, 0, 0, 0, 0, 0, 0, 0, 3, 4], 8: [0, 0, 0, 0, 0, 0, 0, 0, 5, 6], 9: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1] })));
    const full = encodeArcGrid(
      Array.from({ length: 10 }, () => Array(10).fill(3)),
      { canvas: 10 },
    );
    expect(full).toHaveLength(100);
    expect(full.every((v) => v === 5)).toBe(true);
  });

  test('round trip of random grids up to 10x10, and the default canvas is 30', () => {
    const rng = new Rng(11);
    for (const [h, w] of [[1, 1], [1, 10], [10, 1], [10, 10], [9, 10], [3, 7]]) {
      const grid = randomGrid(rng, h, w);
      expect(decodeArcGrid(encodeArcGrid(grid, { canvas: 10 }), 10)).toEqual(grid);
    }
    expect(encodeArcGrid([[1]])).toHaveLength(900);
    expect(arcSeqLen()).toBe(900);
    expect(arcSeqLen(12)).toBe(144);
    expect(arcCanvasOfSeqLen(100)).toBe(10);
    expect(arcCanvasOfSeqLen(900)).toBe(30);
  });

  test('bad canvases, grids that do not fit, token rows of the wrong length', () => {
    expect(() => encodeArcGrid([Array(11).fill(1)], { canvas: 10 })).toThrow(/a 1x11 grid does not fit the 10x10 canvas/);
    expect(() => encodeArcGrid([[1, 2]], { col: 9, canvas: 10 })).toThrow(/does not fit the 10x10 canvas at offset \(0, 9\)/);
    for (const bad of [0, 31, 2.5, NaN]) expect(() => checkArcCanvas(bad)).toThrow(/canvas must be an integer side length from 1 to 30/);
    expect(() => encodeArcGrid([[1]], { canvas: 40 })).toThrow(/from 1 to 30/);
    expect(() => decodeArcGrid(new Uint8Array(900), 10)).toThrow(/expected 100 tokens \(a 10x10 canvas\), got 900/);
    expect(() => arcCanvasOfSeqLen(99)).toThrow(/seq_len 99 is not an ARC canvas/);
    expect(() => arcCanvasOfSeqLen(961)).toThrow(/not an ARC canvas/);
  });
});

// Kept on a 10x10 canvas: every grid at most 10 on a side (largest side in brackets).
const TRAIN_KEPT = ['007bbfb7' /* 9 */, 'd631b094' /* 5 */, '0d3d703e' /* 3 */];
const TRAIN_DROPPED = ['9edfc990' /* 16 */, '00d62c1b' /* 20 */];
const EVAL_KEPT = ['66e6c45b' /* 4 */, '6ea4a07e' /* 3, two test inputs */, '03560426' /* 10 */];
const EVAL_DROPPED = ['009d5c81' /* 14 */, '05a7bcf2' /* 30 */];

describeWithData('a canvas-10 build of real tasks', () => {
  let root = '';
  let out = '';
  const tasks = new Map<string, ArcTask>();

  beforeAll(() => {
    root = scratch();
    linkTasks(root, 'arc1/training', 'arc-agi-1/training', [...TRAIN_KEPT, ...TRAIN_DROPPED]);
    linkTasks(root, 'arc1/evaluation', 'arc-agi-1/evaluation', [...EVAL_KEPT, ...EVAL_DROPPED]);
    for (const id of [...TRAIN_KEPT, ...TRAIN_DROPPED]) tasks.set(id, readArcTask(path.join(DATA, 'arc-agi-1/training', `${id}.json`)));
    for (const id of [...EVAL_KEPT, ...EVAL_DROPPED]) tasks.set(id, readArcTask(path.join(DATA, 'arc-agi-1/evaluation', `${id}.json`)));
    out = path.join(root, 'out10');
  });

  test('keeps exactly the tasks that fit, counts the dropped ones per folder, and records the canvas as seq_len 100', () => {
    const r = buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: out, numAug: 3, seed: 7, canvas: 10, translate: false, onProgress: () => {} });
    expect(r.canvas).toBe(10);
    expect(r.tasks).toBe(6);
    expect(r.dropped).toBe(4);
    expect(r.subsets.map((s) => [s.name, s.tasks, s.kept, s.dropped])).toEqual([
      ['evaluation', 5, 3, 2],
      ['training', 5, 3, 2],
    ]);
    const augs = readArcAugmentations(out);
    expect([...new Set(augs.slice(1).map((a) => a!.task))].sort()).toEqual([...TRAIN_KEPT, ...EVAL_KEPT].sort());
    expect(readIdentifiers(out)).toHaveLength(augs.length);
    const testPuzzles = JSON.parse(fs.readFileSync(path.join(out, 'test_puzzles.json'), 'utf8'));
    expect(Object.keys(testPuzzles).sort()).toEqual([...EVAL_KEPT].sort());
    for (const s of ['train', 'test']) expect(readMetadata(path.join(out, s)).seq_len).toBe(100);
    expect(readArcCanvas(out)).toBe(10);
  });

  test('every row decodes on the 10x10 canvas to its pair under its augmentation', () => {
    const augs = readArcAugmentations(out);
    for (const splitName of ['train', 'test']) {
      const split = new DatasetSplit(path.join(out, splitName));
      try {
        const set = split.sets.get('all')!;
        expect(set.inputs.shape[1]).toBe(100);
        for (let j = 0; j < set.puzzleIdentifiers.length; j++) {
          const aug = augs[set.puzzleIdentifiers[j]]!;
          const t = tasks.get(aug.task)!;
          const pairs = splitName === 'test' ? t.test : EVAL_KEPT.includes(aug.task) ? t.train : [...t.train, ...t.test];
          expect(set.puzzleIndices[j + 1] - set.puzzleIndices[j]).toBe(pairs.length);
          for (let e = set.puzzleIndices[j], k = 0; e < set.puzzleIndices[j + 1]; e++, k++) {
            const inp = set.inputs.readRowsRaw(e, 1);
            const lab = set.labels.readRowsRaw(e, 1);
            expect(Array.from(inp)).toEqual(Array.from(encodeArcGrid(arcAugmentGrid(pairs[k].input, aug), { canvas: 10 })));
            expect(inverseTransform(decodeArcGrid(lab, 10), aug)).toEqual(pairs[k].output);
          }
        }
      } finally {
        split.close();
      }
    }
  });

  test('translated train examples stay on the canvas; test examples stay at (0, 0)', () => {
    const t = path.join(root, 'out10-translated');
    buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: t, numAug: 3, seed: 7, canvas: 10, onProgress: () => {} });
    const split = new DatasetSplit(path.join(t, 'train'));
    try {
      const set = split.sets.get('all')!;
      const n = set.inputs.rows;
      let moved = 0;
      for (let e = 0; e < n; e++) {
        const inp = set.inputs.readRowsRaw(e, 1);
        const off = Array.from(inp).findIndex((v) => v !== 0);
        if (off > 0) moved++;
        // shifted back to the origin, the row is a whole grid again (nothing was cut off at the edge)
        const [r0, c0] = [Math.floor(off / 10), off % 10];
        const back = new Uint8Array(100);
        for (let r = r0; r < 10; r++) for (let c = c0; c < 10; c++) back[(r - r0) * 10 + (c - c0)] = inp[r * 10 + c];
        const g = decodeArcGrid(back, 10);
        const colours = Array.from(inp).filter((v) => v >= 2).length;
        expect(g.length * g[0].length).toBe(colours);
      }
      expect(moved).toBeGreaterThan(0);
    } finally {
      split.close();
    }
  });

  test('canvas 30 (given or default) is the unchanged build, file for file', () => {
    const a = path.join(root, 'out30-default');
    const b = path.join(root, 'out30-given');
    const ra = buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: a, numAug: 2, seed: 5, onProgress: () => {} });
    buildArcDataset({ datasetDirs: [path.join(root, 'arc1')], outputDir: b, numAug: 2, seed: 5, canvas: 30, onProgress: () => {} });
    expect(ra.dropped).toBe(0);
    expect(ra.canvas).toBe(30);
    const files = (d: string): string[] => fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(d, f)).isFile()).sort();
    expect(files(b)).toEqual(files(a));
    for (const f of files(a)) expect(fs.readFileSync(path.join(b, f)).equals(fs.readFileSync(path.join(a, f)))).toBe(true);
    expect(readArcCanvas(a)).toBe(30);
  });

  test('ArcVoter reads the canvas: the true outputs under each version scores pass@1 = 1', () => {
    const voter = new ArcVoter(out);
    expect(voter.canvas).toBe(10);
    expect(voter.taskNames).toEqual([...EVAL_KEPT].sort());
    const augs = readArcAugmentations(out);
    const split = new DatasetSplit(path.join(out, 'test'));
    const rows: ArcVoteRow[] = [];
    try {
      const set = split.sets.get('all')!;
      for (let j = 0; j < set.puzzleIdentifiers.length; j++) {
        const id = set.puzzleIdentifiers[j];
        const t = tasks.get(augs[id]!.task)!;
        for (let e = set.puzzleIndices[j], k = 0; e < set.puzzleIndices[j + 1]; e++, k++) {
          // the prediction: the true output written in the version's frame, encoded independently of the build
          rows.push({ puzzleIdentifier: id, inputTokens: set.inputs.readRowsRaw(e, 1), predictedTokens: encodeArcGrid(arcAugmentGrid(t.test[k].output, augs[id]!), { canvas: 10 }), qHaltLogit: 0 });
        }
      }
    } finally {
      split.close();
    }
    expect(voter.add(rows)).toEqual({ voted: rows.length, padding: 0, unmatched: 0 });
    const s = voter.score({ passKs: [1, 2] });
    expect(s.passAtK[1]).toBe(1);
    expect(s.passAtK[2]).toBe(1);
    for (const t of s.perTask) for (const x of t.testInputs) expect(x.candidates).toHaveLength(1);

    // The same rows as one flat batch; rows of another canvas are refused with the sizes named.
    const flat = new ArcVoter(out);
    const cat = (xs: ArrayLike<number | bigint>[]) => Uint8Array.from(xs.flatMap((x) => Array.from(x, Number)));
    flat.addBatch({ puzzleIdentifiers: rows.map((r) => r.puzzleIdentifier), inputs: cat(rows.map((r) => r.inputTokens)), predictions: cat(rows.map((r) => r.predictedTokens)), qHaltLogits: rows.map(() => 0) });
    expect(flat.score({ passKs: [1] }).passAtK[1]).toBe(1);
    expect(() => flat.addBatch({ puzzleIdentifiers: [1], inputs: new Uint8Array(900), predictions: new Uint8Array(900), qHaltLogits: [0] })).toThrow(/100 per row on the 10x10 canvas/);
    expect(() => flat.add([{ puzzleIdentifier: 1, inputTokens: new Uint8Array(900), predictedTokens: new Uint8Array(900), qHaltLogit: 0 }])).toThrow(/expected 100 tokens/);
  });

  test('the puzzle codec encodes and decodes a task on the dataset canvas', () => {
    const identifiers = readIdentifiers(out)!;
    const task = tasks.get('66e6c45b')!;
    const e = encodePuzzle({ arcTask: task, identifiers, canvas: readArcCanvas(out) });
    expect([e.rows, e.cols, e.tokens.length]).toEqual([10, 10, 100]);
    expect(e.puzzleIdentifier).toBe(identifiers.indexOf('66e6c45b'));
    expect(e.decode(Int32Array.from(encodeArcGrid(task.test[0].output, { canvas: 10 })))).toEqual(task.test[0].output);
    expect(() => e.decode(new Int32Array(900))).toThrow(/expected 100 tokens/);
    expect(() => encodePuzzle({ arcTask: tasks.get('009d5c81')!, identifiers, canvas: 10 })).toThrow(/not in the dataset's identifiers/);
  });

  test('a canvas no task fits is refused before anything is written', () => {
    const r2 = scratch();
    linkTasks(r2, 'arc/training', 'arc-agi-1/training', TRAIN_DROPPED);
    const o = path.join(r2, 'out');
    expect(() => buildArcDataset({ datasetDirs: [path.join(r2, 'arc')], outputDir: o, numAug: 1, canvas: 10, onProgress: () => {} })).toThrow(/no task of .* fits the 10x10 canvas/);
    expect(fs.existsSync(o)).toBe(false);
    expect(() => buildArcDataset({ datasetDirs: [path.join(r2, 'arc')], outputDir: o, numAug: 1, canvas: 0 })).toThrow(/canvas must be an integer side length/);
  });
});
