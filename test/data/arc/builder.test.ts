/**
 * The ARC dataset builder (src/data/arc/builder.ts, hrm-spec 6.4): a small build of real tasks loaded
 * with DatasetSplit, array-by-array equality with an independent numpy builder
 * (test/reference/build_arc_ref.py) where no randomness is involved, and the ARC-2/ARC-1 warning.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  ArcGrid,
  ArcTask,
  arcPuzzleHash,
  buildArcDataset,
  decodeArcGrid,
  inverseTransform,
  parseArcName,
  readArcAugmentations,
  readArcFolders,
  readArcTask,
} from '../../../src/data/arc';
import { DatasetSplit, readIdentifiers, readNpy } from '../../../src/data/format';
import { describeWithTorch, referencePython } from '../../helpers/reference';
import {
  DATA,
  REF,
  describeWithData,
  TRAINING,
  EVALUATION,
  scratch,
  linkTasks,
  canvas,
  loadJson,
  writeTask,
  ok,
} from './helpers';

describe('building from task files', () => {
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
