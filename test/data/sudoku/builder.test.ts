/**
 * The Sudoku dataset builder (src/data/sudoku/builder.ts): loaded back, and compared byte for byte
 * with a numpy builder where no randomness is involved.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit } from '../../../src/data/format';
import { Rng } from '../../../src/data/random';
import {
  buildSudokuDataset,
  countSolutions,
  decodeSudoku,
  encodeSudoku,
  formatSudoku,
  generateSudoku,
  readSudokuCsv,
  solvesSudoku,
  writeSudokuCsv,
} from '../../../src/data/sudoku';
import { describeWithTorch, referencePython } from '../../helpers/reference';
import { haveData, describeWithData, csvPath, scratch, headCsv, row } from './helpers';

describeWithData('buildSudokuDataset', () => {
  test('20 magictour puzzles x (3 aug + 1): loads with DatasetSplit, right counts, shapes and metadata', () => {
    const train = headCsv('magictour_top1465.csv', 20);
    const out = path.join(scratch(), 'ds');
    const progress: number[] = [];
    const res = buildSudokuDataset({
      inputs: [train],
      testInputs: [csvPath('sudoku_extreme_sample.csv')],
      outputDir: out,
      numAug: 3,
      seed: 1,
      onProgress: (p) => p.split === 'train' && progress.push(p.done),
    });
    expect(progress[progress.length - 1]).toBe(20);
    expect([res.train.groups, res.train.puzzles, res.train.examples]).toEqual([20, 80, 80]);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'identifiers.json'), 'utf8'))).toEqual(['<blank>']);
    const src = readSudokuCsv(train);
    const split = new DatasetSplit(path.join(out, 'train'));
    try {
      expect(split.metadata).toEqual({
        pad_id: 0,
        ignore_label_id: 0,
        blank_identifier_id: 0,
        vocab_size: 11,
        seq_len: 81,
        num_puzzle_identifiers: 1,
        total_groups: 20,
        mean_puzzle_examples: 1,
        sets: ['all'],
      });
      const set = split.sets.get('all')!;
      expect(set.inputs.shape).toEqual([80, 81]);
      expect(set.labels.shape).toEqual([80, 81]);
      expect(set.inputs.dtype).toBe('uint8');
      expect(Array.from(set.puzzleIdentifiers)).toEqual(new Array(80).fill(0));
      expect(Array.from(set.puzzleIndices)).toEqual(Array.from({ length: 81 }, (_, i) => i));
      expect(Array.from(set.groupIndices)).toEqual(Array.from({ length: 21 }, (_, i) => 4 * i));
      const inputs = set.inputs.readRowsRaw(0, 80);
      const labels = set.labels.readRowsRaw(0, 80);
      for (let g = 0; g < 20; g++) {
        // version 0 is the source puzzle, encoded
        expect(inputs.subarray(g * 4 * 81, g * 4 * 81 + 81)).toEqual(Buffer.from(encodeSudoku(row(src, g))));
        expect(labels.subarray(g * 4 * 81, g * 4 * 81 + 81)).toEqual(Buffer.from(encodeSudoku(row(src, g, 'answers'))));
        const clues = row(src, g).filter((v) => v !== 0).length;
        const versions = new Set<string>();
        for (let v = 0; v < 4; v++) {
          const k = g * 4 + v;
          const q = decodeSudoku(inputs.subarray(k * 81, k * 81 + 81));
          const a = decodeSudoku(labels.subarray(k * 81, k * 81 + 81));
          expect(solvesSudoku(q, a)).toBe(true);
          expect(countSolutions(q)).toBe(1);
          expect(q.filter((x) => x !== 0).length).toBe(clues);
          versions.add(formatSudoku(q));
        }
        expect(versions.size).toBeGreaterThan(1); // augmented versions differ from the source
      }
    } finally {
      split.close();
    }
    const test = new DatasetSplit(path.join(out, 'test'));
    try {
      expect(test.metadata.total_groups).toBe(3);
      const set = test.sets.get('all')!;
      expect(set.inputs.shape).toEqual([3, 81]);
      const t = readSudokuCsv(csvPath('sudoku_extreme_sample.csv'));
      expect(set.inputs.readRowsRaw(0, 3)).toEqual(Buffer.from(encodeSudoku(t.questions)));
      expect(set.labels.readRowsRaw(0, 3)).toEqual(Buffer.from(encodeSudoku(t.answers)));
    } finally {
      test.close();
    }
  });

  test('seeded, subsampled without replacement (train only), filtered by rating in both splits', () => {
    const train = headCsv('magictour_top1465.csv', 30);
    const build = (extra: Partial<Parameters<typeof buildSudokuDataset>[0]>) => {
      const out = path.join(scratch(), 'ds');
      buildSudokuDataset({ inputs: [train], testInputs: [train], outputDir: out, ...extra });
      return out;
    };
    const bytes = (out: string, f: string) => fs.readFileSync(path.join(out, 'train', f));
    const a = build({ numAug: 2, seed: 3, subsampleSize: 10 });
    const b = build({ numAug: 2, seed: 3, subsampleSize: 10 });
    const c = build({ numAug: 2, seed: 4, subsampleSize: 10 });
    expect(bytes(a, 'all__inputs.npy')).toEqual(bytes(b, 'all__inputs.npy'));
    expect(bytes(a, 'all__inputs.npy')).not.toEqual(bytes(c, 'all__inputs.npy'));
    const src = readSudokuCsv(train);
    const srcRows = new Set(Array.from({ length: src.count }, (_, i) => formatSudoku(row(src, i))));
    const split = new DatasetSplit(path.join(a, 'train'));
    try {
      expect(split.metadata.total_groups).toBe(10);
      const set = split.sets.get('all')!;
      expect(set.inputs.rows).toBe(30);
      const picked = new Set<string>();
      for (let g = 0; g < 10; g++) picked.add(formatSudoku(decodeSudoku(set.inputs.readRowsRaw(g * 3, 1))));
      expect(picked.size).toBe(10); // distinct source rows
      for (const p of picked) expect(srcRows.has(p)).toBe(true);
    } finally {
      split.close();
    }
    // the test split is never subsampled or augmented
    expect(JSON.parse(fs.readFileSync(path.join(a, 'test', 'dataset.json'), 'utf8')).total_groups).toBe(30);
    // subsampleSize >= rows keeps every row in order
    const all = build({ subsampleSize: 1000 });
    expect(bytes(all, 'all__inputs.npy').subarray(128)).toEqual(Buffer.from(encodeSudoku(src.questions)));
    // minDifficulty applies to both splits (as the reference's convert_subset does)
    const kept = Array.from(src.ratings).filter((r) => r >= 10).length;
    const f = build({ minDifficulty: 10 });
    for (const s of ['train', 'test']) expect(JSON.parse(fs.readFileSync(path.join(f, s, 'dataset.json'), 'utf8')).total_groups).toBe(kept);
  });

  test('small boards from generated puzzles (4x4: vocab 6, seq_len 16)', () => {
    const dir = scratch();
    const rng = new Rng(2);
    const rows = Array.from({ length: 12 }, () => {
      const g = generateSudoku({ box: { rows: 2, cols: 2 }, rng });
      return { source: 'generated_4x4', question: g.puzzle, answer: g.solution, rating: g.rating };
    });
    const csv = path.join(dir, 'small.csv');
    writeSudokuCsv(csv, rows);
    const res = buildSudokuDataset({ inputs: [csv], testInputs: [csv], outputDir: path.join(dir, 'ds'), numAug: 2 });
    expect(res.train.metadata.vocab_size).toBe(6);
    expect(res.train.metadata.seq_len).toBe(16);
    expect(res.train.examples).toBe(36);
    const split = new DatasetSplit(path.join(dir, 'ds', 'train'));
    try {
      const set = split.sets.get('all')!;
      const box = { rows: 2, cols: 2 };
      for (let k = 0; k < 36; k++) {
        const q = decodeSudoku(set.inputs.readRowsRaw(k, 1), box);
        const a = decodeSudoku(set.labels.readRowsRaw(k, 1), box);
        expect(solvesSudoku(q, a, box)).toBe(true);
      }
    } finally {
      split.close();
    }
  });

  test('rejects bad options', () => {
    const out = path.join(scratch(), 'ds');
    const inputs = [csvPath('sudoku_extreme_sample.csv')];
    expect(() => buildSudokuDataset({ inputs: [], outputDir: out })).toThrow(/inputs must list at least one training CSV/);
    expect(() => buildSudokuDataset({ inputs, outputDir: out, numAug: -1 })).toThrow(/numAug must be an integer >= 0/);
    expect(() => buildSudokuDataset({ inputs, outputDir: out, subsampleSize: 0 })).toThrow(/subsampleSize must be an integer >= 1/);
    expect(() => buildSudokuDataset({ inputs, outputDir: '' })).toThrow(/outputDir/);
  });
});

describeWithTorch('buildSudokuDataset vs a numpy builder (hrm-spec 6.2, no randomness)', () => {
  test('every .npy file is byte-identical and dataset.json / identifiers.json hold the same values', () => {
    if (!haveData) return;
    const py = referencePython()!;
    const dir = scratch();
    const train = [headCsv('magictour_top1465.csv', 200, dir), csvPath('forum_hardest_1106.csv')];
    const test = [csvPath('sudoku_extreme_sample.csv')];
    for (const minDifficulty of [undefined, 20]) {
      const ours = path.join(dir, `ours-${minDifficulty}`);
      const ref = path.join(dir, `ref-${minDifficulty}`);
      buildSudokuDataset({ inputs: train, testInputs: test, outputDir: ours, minDifficulty });
      const args = [path.join(__dirname, '..', '..', 'reference', 'build_sudoku_ref.py'), ref, '--train', ...train, '--test', ...test];
      if (minDifficulty !== undefined) args.push('--min-difficulty', String(minDifficulty));
      const r = spawnSync(py, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`build_sudoku_ref.py failed: ${r.stderr}`);
      expect(JSON.parse(fs.readFileSync(path.join(ours, 'identifiers.json'), 'utf8'))).toEqual(JSON.parse(fs.readFileSync(path.join(ref, 'identifiers.json'), 'utf8')));
      for (const split of ['train', 'test']) {
        const files = fs.readdirSync(path.join(ref, split)).sort();
        expect(fs.readdirSync(path.join(ours, split)).sort()).toEqual(files);
        for (const f of files) {
          const a = fs.readFileSync(path.join(ours, split, f));
          const b = fs.readFileSync(path.join(ref, split, f));
          if (f.endsWith('.json')) expect([f, JSON.parse(a.toString())]).toEqual([f, JSON.parse(b.toString())]);
          else if (!a.equals(b)) throw new Error(`${split}/${f} differs from the numpy builder's (minDifficulty ${minDifficulty})`);
        }
      }
      if (minDifficulty !== undefined) {
        expect(JSON.parse(fs.readFileSync(path.join(ours, 'train', 'dataset.json'), 'utf8')).total_groups).toBeLessThan(575);
      }
    }
  });
});
