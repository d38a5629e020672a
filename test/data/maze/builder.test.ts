/**
 * The maze dataset builder (src/data/maze/builder.ts): loaded back, and compared array by array with
 * our numpy builder test/reference/build_maze_ref.py.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildMazeDataset, decodeMaze, dihedralTransform, solveMaze, writeMazeCsv } from '../../../src/data/maze';
import { DatasetSplit, readIdentifiers, readNpy } from '../../../src/data/format';
import { describeWithTorch, referencePython } from '../../helpers/reference';
import { TRAIN_CSV, TEST_CSV, describeStaged, scratch, staged, expectShortestPath } from './helpers';

/** Asserts two dataset folders hold the same arrays (dtype, shape, values) and metadata. */
function expectSameDataset(ours: string, ref: string): void {
  expect(readIdentifiers(ours)).toEqual(readIdentifiers(ref));
  for (const split of ['train', 'test']) {
    const meta = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, split, 'dataset.json'), 'utf8'));
    expect(meta(ours)).toEqual(meta(ref));
    const files = fs.readdirSync(path.join(ref, split)).filter((f) => f.endsWith('.npy')).sort();
    expect(files).toHaveLength(5);
    expect(fs.readdirSync(path.join(ours, split)).filter((f) => f.endsWith('.npy')).sort()).toEqual(files);
    for (const f of files) {
      const a = readNpy(path.join(ours, split, f));
      const b = readNpy(path.join(ref, split, f));
      expect(`${f} ${a.dtype} [${a.shape}]`).toBe(`${f} ${b.dtype} [${b.shape}]`);
      expect(Buffer.compare(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength), Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength))).toBe(0);
    }
  }
}

describeStaged('buildMazeDataset from the staged CSVs', () => {
  let plain: string;
  let aug: string;
  beforeAll(() => {
    plain = scratch();
    aug = scratch();
    buildMazeDataset({ trainCsv: TRAIN_CSV, testCsv: TEST_CSV, outputDir: plain });
    buildMazeDataset({ trainCsv: TRAIN_CSV, testCsv: TEST_CSV, outputDir: aug, aug: true });
  });

  test('loads with DatasetSplit: shapes, metadata, identifiers, rows in CSV order', () => {
    expect(readIdentifiers(plain)).toEqual(['<blank>']);
    for (const split of ['train', 'test'] as const) {
      const ds = new DatasetSplit(path.join(plain, split));
      try {
        expect(ds.metadata).toEqual({
          pad_id: 0, ignore_label_id: 0, blank_identifier_id: 0, vocab_size: 6, seq_len: 900,
          num_puzzle_identifiers: 1, total_groups: 1000, mean_puzzle_examples: 1, sets: ['all'],
        });
        const set = ds.sets.get('all')!;
        expect(set.inputs.shape).toEqual([1000, 900]);
        expect(set.labels.shape).toEqual([1000, 900]);
        expect(set.inputs.dtype).toBe('uint8');
        expect([...set.puzzleIdentifiers]).toEqual(new Array(1000).fill(0));
        expect([...set.puzzleIndices]).toEqual(Array.from({ length: 1001 }, (_, i) => i));
        expect([...set.groupIndices]).toEqual(Array.from({ length: 1001 }, (_, i) => i));
        const recs = staged()[split];
        for (const k of [0, 1, 500, 999]) {
          expect(decodeMaze(set.inputs.readRowsRaw(k, 1))).toBe(recs[k].question);
          expect(decodeMaze(set.labels.readRowsRaw(k, 1))).toBe(recs[k].answer);
        }
      } finally {
        ds.close();
      }
    }
  });

  test('aug: 8 dihedral versions per training maze in one group; test split unaugmented', () => {
    const train = new DatasetSplit(path.join(aug, 'train'));
    const test = new DatasetSplit(path.join(aug, 'test'));
    try {
      const set = train.sets.get('all')!;
      expect(set.inputs.shape).toEqual([8000, 900]);
      expect(train.metadata.total_groups).toBe(1000);
      expect(set.puzzleIdentifiers.length).toBe(8000);
      expect([...set.groupIndices.subarray(0, 4)]).toEqual([0, 8, 16, 24]);
      expect(set.groupIndices[1000]).toBe(8000);
      const m = staged().train[3];
      for (let t = 0; t < 8; t++) {
        expect(decodeMaze(set.inputs.readRowsRaw(24 + t, 1))).toBe(dihedralTransform(m.question, t, 30));
        expect(decodeMaze(set.labels.readRowsRaw(24 + t, 1))).toBe(dihedralTransform(m.answer, t, 30));
      }
      expect(test.sets.get('all')!.inputs.shape).toEqual([1000, 900]);
    } finally {
      train.close();
      test.close();
    }
  });

  describeWithTorch('equals the numpy reference builder (test/reference/build_maze_ref.py)', () => {
    const runRef = (out: string, extra: string[]) => {
      const r = spawnSync(referencePython()!, [path.join(__dirname, '..', '..', 'reference', 'build_maze_ref.py'), TRAIN_CSV, TEST_CSV, out, ...extra], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`build_maze_ref.py failed: ${r.stderr}`);
    };
    test('aug off: every .npy array, dataset.json and identifiers.json', () => {
      const ref = scratch();
      runRef(ref, []);
      expectSameDataset(plain, ref);
    });
    test('aug on (deterministic too): numpy rot90/flip/transpose versions', () => {
      const ref = scratch();
      runRef(ref, ['--aug']);
      expectSameDataset(aug, ref);
    });
  });
});

describe('buildMazeDataset from generated mazes', () => {
  test('writes a loadable dataset; the seed fixes it; no layout shared between splits', () => {
    const progress: string[] = [];
    const opts = { generate: { train: 6, test: 4, size: 10, minPathLength: 20 }, seed: 5 };
    const a = scratch();
    const res = buildMazeDataset({ ...opts, outputDir: a, onProgress: (p) => progress.push(`${p.split}:${p.phase}:${p.done}/${p.total}`) });
    expect(res).toEqual({ outputDir: a, size: 10, seqLen: 100, train: { groups: 6, puzzles: 6, examples: 6 }, test: { groups: 4, puzzles: 4, examples: 4 } });
    expect(progress).toContain('train:generate:6/6');
    expect(progress).toContain('test:write:4/4');
    const layouts = new Set<string>();
    for (const split of ['train', 'test']) {
      const ds = new DatasetSplit(path.join(a, split));
      try {
        expect(ds.metadata.seq_len).toBe(100);
        const set = ds.sets.get('all')!;
        for (let k = 0; k < set.inputs.rows; k++) {
          const q = decodeMaze(set.inputs.readRowsRaw(k, 1));
          const ans = decodeMaze(set.labels.readRowsRaw(k, 1));
          expect(solveMaze(q)).toBe(ans);
          expect(expectShortestPath(q, ans)).toBeGreaterThanOrEqual(19);
          layouts.add(q.replace(/[SG]/g, ' '));
        }
      } finally {
        ds.close();
      }
    }
    expect(layouts.size).toBe(10);
    const b = scratch();
    buildMazeDataset({ ...opts, outputDir: b });
    expectSameDataset(a, b);
  });
});

describe('option errors', () => {
  const q = '#S  ' + ' ## ' + '    ' + '  G#';
  const a = solveMaze(q);

  test('buildMazeDataset option errors', () => {
    const dir = scratch();
    const good = path.join(dir, 'good.csv');
    const small = path.join(dir, 'small.csv');
    writeMazeCsv(good, [{ source: 's', question: q, answer: a, rating: 7 }]);
    writeMazeCsv(small, [{ source: 's', question: 'S  G', answer: 'S  G', rating: 3 }]);
    const out = path.join(dir, 'out');
    expect(() => buildMazeDataset({ outputDir: out })).toThrow(/give trainCsv \+ testCsv .* or generate/);
    expect(() => buildMazeDataset({ outputDir: out, trainCsv: good })).toThrow(/trainCsv and testCsv must both be given/);
    expect(() => buildMazeDataset({ outputDir: out, trainCsv: good, testCsv: good, generate: { train: 1, test: 1 } })).toThrow(/not both/);
    expect(() => buildMazeDataset({ outputDir: out, generate: { train: 0, test: 1 } })).toThrow(/generate.train must be a positive integer/);
    expect(() => buildMazeDataset({ outputDir: out, trainCsv: good, testCsv: path.join(dir, 'missing.csv') })).toThrow(/cannot read the maze CSV .*missing\.csv/);
    expect(() => buildMazeDataset({ outputDir: out, trainCsv: good, testCsv: small })).toThrow(/train mazes are 4x4 but the test mazes 2x2/);
    expect(fs.existsSync(out)).toBe(false); // nothing written before validation passed
  });
});
