/**
 * Maze-Hard (hrm-spec 6.3; datasets.md 3): the answer rule against all 2,000 staged answers, the
 * generator, dihedral transforms, the dataset builder (loaded back, and compared array by array with
 * our numpy builder test/reference/build_maze_ref.py), and CSV validation.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  DIHEDRAL_INVERSE,
  MazeGenerator,
  MazeRecord,
  buildMazeDataset,
  decodeMaze,
  defaultMinPathLength,
  dihedralIndexMap,
  dihedralShape,
  dihedralTransform,
  encodeMaze,
  formatMazeCsv,
  generateMazes,
  inverseDihedralTransform,
  loadMazeCsv,
  mazeDistance,
  parseMazeCsv,
  solveMaze,
  writeMazeCsv,
} from '../../src/data/maze';
import { DatasetSplit, readIdentifiers } from '../../src/data/format';
import { readNpy } from '../../src/data/npy';
import { describeWithTorch, referencePython, tmpDir } from '../helpers/reference';

const MAZE_DIR = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'maze', 'maze-30x30-hard-1k');
const TRAIN_CSV = path.join(MAZE_DIR, 'train.csv');
const TEST_CSV = path.join(MAZE_DIR, 'test.csv');
const haveStaged = fs.existsSync(TRAIN_CSV) && fs.existsSync(TEST_CSV);
const describeStaged = haveStaged ? describe : describe.skip;

const tmpDirs: string[] = [];
function scratch(): string {
  const d = tmpDir('hrm-maze-');
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

let stagedCache: { train: MazeRecord[]; test: MazeRecord[] } | undefined;
function staged(): { train: MazeRecord[]; test: MazeRecord[] } {
  stagedCache ??= { train: loadMazeCsv(TRAIN_CSV), test: loadMazeCsv(TEST_CSV) };
  return stagedCache;
}

/** Plain BFS distances from `src` (neighbour order irrelevant), written independently of maze.ts. */
function distancesFrom(q: string, n: number, src: number): Int32Array {
  const dist = new Int32Array(n * n).fill(-1);
  const queue = [src];
  dist[src] = 0;
  for (let h = 0; h < queue.length; h++) {
    const c = queue[h];
    const r = Math.floor(c / n);
    const col = c % n;
    for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const rr = r + dr;
      const cc = col + dc;
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      const v = rr * n + cc;
      if (q[v] === '#' || dist[v] >= 0) continue;
      dist[v] = dist[c] + 1;
      queue.push(v);
    }
  }
  return dist;
}

/**
 * Checks that `answer` marks one shortest S -> G path of `question` (independently of solveMaze):
 * only open cells become 'o'; S, the 'o' cells and G form a chain of adjacent cells from S to G
 * with exactly (distance + 1) cells. Returns the distance in moves.
 */
function expectShortestPath(question: string, answer: string): number {
  const n = Math.round(Math.sqrt(question.length));
  expect(answer.length).toBe(question.length);
  for (let i = 0; i < question.length; i++) {
    if (answer[i] !== question[i] && !(question[i] === ' ' && answer[i] === 'o')) throw new Error(`cell ${i}: ${question[i]} -> ${answer[i]}`);
  }
  const s = question.indexOf('S');
  const g = question.indexOf('G');
  const d = distancesFrom(question, n, s)[g];
  expect(d).toBeGreaterThan(0);
  const onPath = (c: number) => answer[c] === 'o' || c === s || c === g;
  const cellsOnPath = [...answer].filter((ch) => ch === 'o').length + 2;
  expect(cellsOnPath).toBe(d + 1);
  // Walk the chain from S: each step must have exactly one unvisited path neighbour.
  const seen = new Set([s]);
  let c = s;
  while (c !== g) {
    const col = c % n;
    const next = [c - n, c + n, col > 0 ? c - 1 : -1, col < n - 1 ? c + 1 : -1].filter((v) => v >= 0 && v < n * n && onPath(v) && !seen.has(v));
    if (next.length !== 1) throw new Error(`path branches or breaks at cell ${c} (${next.length} continuations)`);
    c = next[0];
    seen.add(c);
  }
  expect(seen.size).toBe(cellsOnPath);
  return d;
}

/** The same BFS labelling with another neighbour order, to show that the order matters. */
function labelWithOrder(q: string, order: [number, number][]): string {
  const n = Math.round(Math.sqrt(q.length));
  const s = q.indexOf('S');
  const g = q.indexOf('G');
  const parent = new Int32Array(n * n).fill(-2);
  parent[s] = -1;
  const queue = [s];
  for (let h = 0; h < queue.length && parent[g] === -2; h++) {
    const c = queue[h];
    const r = Math.floor(c / n);
    const col = c % n;
    for (const [dr, dc] of order) {
      const rr = r + dr;
      const cc = col + dc;
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      const v = rr * n + cc;
      if (q[v] === '#' || parent[v] !== -2) continue;
      parent[v] = c;
      queue.push(v);
    }
  }
  const a = q.split('');
  for (let c = parent[g]; c !== s; c = parent[c]) a[c] = 'o';
  return a.join('');
}

describeStaged('the answer rule on the staged Maze-Hard data', () => {
  test('reproduces all 2,000 train + test answers exactly, and the ratings', () => {
    const { train, test } = staged();
    expect(train).toHaveLength(1000);
    expect(test).toHaveLength(1000);
    let mismatches = 0;
    for (const r of [...train, ...test]) {
      if (solveMaze(r.question) !== r.answer) mismatches++;
      expect(mazeDistance(r.question)! + 1).toBe(r.rating);
    }
    expect(mismatches).toBe(0);
  });

  test('the staged answers are shortest paths, and the tie-break decides which one', () => {
    const { train, test } = staged();
    const all = [...train, ...test];
    for (const r of all.slice(0, 200)) expectShortestPath(r.question, r.answer);
    // Of the 24 neighbour orders, only down-left-right-up reproduces every answer (on all 2,000,
    // the runner-up down-right-left-up gets 1,836; most orders get almost none).
    const dirs: Record<string, [number, number]> = { D: [1, 0], L: [0, -1], R: [0, 1], U: [-1, 0] };
    const orders: string[] = [];
    const permute = (pre: string, rest: string): void => {
      if (!rest) orders.push(pre);
      for (let i = 0; i < rest.length; i++) permute(pre + rest[i], rest.slice(0, i) + rest.slice(i + 1));
    };
    permute('', 'DLRU');
    const sample = all.filter((_, i) => i % 5 === 0);
    const exact = orders.filter((o) => sample.every((r) => labelWithOrder(r.question, [...o].map((ch) => dirs[ch])) === r.answer));
    expect(exact).toEqual(['DLRU']);
  });

  test('encoding: tokens 1..5 per spec 6.3, and decodeMaze inverts it', () => {
    expect([...encodeMaze('# SGo')]).toEqual([1, 2, 3, 4, 5]);
    const r = staged().test[0];
    expect(decodeMaze(encodeMaze(r.answer))).toBe(r.answer);
    expect(() => encodeMaze('#x')).toThrow(/"x" at cell 1/);
    expect(() => decodeMaze([1, 0])).toThrow(/token 0 at position 1/);
  });
});

describe('generator', () => {
  test('30x30 defaults: size, minimum path length 110 cells, valid rule-labelled answers', () => {
    const gen = new MazeGenerator({}, 123);
    expect(gen.minPathLength).toBe(110);
    expect(defaultMinPathLength(30)).toBe(110);
    for (let i = 0; i < 3; i++) {
      const m = gen.next();
      expect(m.question).toHaveLength(900);
      expect(m.rating).toBeGreaterThanOrEqual(110);
      const d = expectShortestPath(m.question, m.answer);
      expect(m.rating).toBe(d + 1);
      expect(solveMaze(m.question)).toBe(m.answer);
      expect(m.question).toMatch(/^[# SG]+$/);
    }
  });

  test.each([
    { size: 10, minPathLength: 20, pairTries: 20 },
    { size: 7, minPathLength: 12, pairTries: Infinity },
    { size: 13, minPathLength: 2, pairTries: 1 },
  ])('size $size, min $minPathLength cells, pairTries $pairTries', (opts) => {
    const mazes = generateMazes(25, opts, 7);
    const layouts = new Set<string>();
    for (const m of mazes) {
      expect(m.question).toHaveLength(opts.size * opts.size);
      expect(m.rating).toBeGreaterThanOrEqual(opts.minPathLength);
      expect(m.rating).toBe(expectShortestPath(m.question, m.answer) + 1);
      expect(solveMaze(m.question)).toBe(m.answer);
      expect(m.source).toBe(`generated-${opts.size}x${opts.size}`);
      layouts.add(m.question.replace(/[SG]/g, ' '));
    }
    expect(layouts.size).toBe(mazes.length); // distinct wall layouts
  });

  test('seeded: the same seed gives the same mazes, another seed others', () => {
    const opts = { size: 9, minPathLength: 16 };
    expect(generateMazes(5, opts, 42)).toEqual(generateMazes(5, opts, 42));
    expect(generateMazes(5, opts, 43)).not.toEqual(generateMazes(5, opts, 42));
  });

  test('infeasible or invalid parameters are clear errors', () => {
    expect(() => new MazeGenerator({ size: 4, minPathLength: 16, maxLayoutsPerMaze: 500 }).next()).toThrow(/no 4x4 maze with a shortest path of >= 16 cells in 500 wall layouts/);
    expect(() => new MazeGenerator({ size: 1 })).toThrow(/maze size must be an integer/);
    expect(() => new MazeGenerator({ size: 5, minPathLength: 26 })).toThrow(/minPathLength .* \[2, 25\]/);
    expect(() => new MazeGenerator({ wallProbability: [0.5, 0.3] })).toThrow(/wallProbability/);
    expect(() => new MazeGenerator({ pairTries: 0 })).toThrow(/pairTries/);
    expect(() => generateMazes(-1)).toThrow(/count must be a non-negative integer/);
  });
});

describe('dihedral transforms', () => {
  test('match numpy on a 2x3 grid (rot90 counter-clockwise, flips, transposes)', () => {
    const a = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    const expected = [
      [0, 1, 2, 3, 4, 5], // identity
      [2, 5, 1, 4, 0, 3], // np.rot90(a): [[2,5],[1,4],[0,3]]
      [5, 4, 3, 2, 1, 0], // rot180
      [3, 0, 4, 1, 5, 2], // rot270: [[3,0],[4,1],[5,2]]
      [2, 1, 0, 5, 4, 3], // fliplr
      [3, 4, 5, 0, 1, 2], // flipud
      [0, 3, 1, 4, 2, 5], // transpose
      [5, 2, 4, 1, 3, 0], // fliplr(rot90(a)): [[5,2],[4,1],[3,0]]
    ];
    for (let t = 0; t < 8; t++) expect([...dihedralTransform(a, t, 2, 3)]).toEqual(expected[t]);
  });

  test('every transform is a bijection whose inverse restores the original', () => {
    for (const [rows, cols] of [[1, 1], [3, 3], [4, 7], [30, 30]]) {
      const grid = Uint8Array.from({ length: rows * cols }, (_, i) => i % 251);
      for (let t = 0; t < 8; t++) {
        const map = dihedralIndexMap(t, rows, cols);
        expect(new Set(map).size).toBe(rows * cols);
        expect(Math.min(...map)).toBe(0);
        expect(Math.max(...map)).toBe(rows * cols - 1);
        const [tr, tc] = dihedralShape(t, rows, cols);
        const out = dihedralTransform(grid, t, rows, cols);
        expect(dihedralTransform(out, DIHEDRAL_INVERSE[t], tr, tc)).toEqual(grid);
        expect(inverseDihedralTransform(out, t, rows, cols)).toEqual(grid);
      }
      // the eight transforms of an asymmetric square grid are all different
      if (rows === cols && rows > 1) expect(new Set(Array.from({ length: 8 }, (_, t) => dihedralIndexMap(t, rows).join(','))).size).toBe(8);
    }
    expect(() => dihedralTransform('abc', 8, 1, 3)).toThrow(/0\.\.7/);
    expect(() => dihedralTransform('abc', 1, 2, 2)).toThrow(/3 cells, expected 2 x 2/);
  });

  test('a transformed answer is still a shortest path of the transformed question', () => {
    const mazes = haveStaged ? staged().train.slice(0, 5) : generateMazes(5, { size: 10, minPathLength: 20 }, 1);
    for (const m of mazes) {
      const n = Math.round(Math.sqrt(m.question.length));
      for (let t = 0; t < 8; t++) {
        const q = dihedralTransform(m.question, t, n);
        const a = dihedralTransform(m.answer, t, n);
        expect(expectShortestPath(q, a)).toBe(m.rating! - 1);
        expect(inverseDihedralTransform(a, t, n)).toBe(m.answer);
      }
    }
  });
});

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
      const r = spawnSync(referencePython()!, [path.join(__dirname, '..', 'reference', 'build_maze_ref.py'), TRAIN_CSV, TEST_CSV, out, ...extra], { encoding: 'utf8' });
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

describe('CSV loading and validation', () => {
  const q = '#S  ' + ' ## ' + '    ' + '  G#';
  const a = solveMaze(q);
  const csv = (...rows: string[]) => ['source,question,answer,rating', ...rows].join('\n');

  test('parses the reference schema (CRLF, quotes, empty rating) and round-trips through formatMazeCsv', () => {
    const recs = parseMazeCsv(`source,question,answer,rating\r\n"a ""b"", c",${q},${a},7\r\nx,${q},${a},\r\n`);
    expect(recs).toEqual([
      { source: 'a "b", c', question: q, answer: a, rating: 7 },
      { source: 'x', question: q, answer: a, rating: null },
    ]);
    expect(parseMazeCsv(formatMazeCsv(recs))).toEqual(recs);
    const file = path.join(scratch(), 'm.csv');
    writeMazeCsv(file, recs);
    expect(loadMazeCsv(file)).toEqual(recs);
    expect(mazeDistance(q)).toBe(6);
    expect(a.match(/o/g)).toHaveLength(5);
  });

  test.each([
    ['too few columns', csv(`s,${q},${a}`), /line 2: 3 column\(s\), expected 4/],
    ['not a square', csv(`s,${q} ,${a} ,1`), /17 characters, which is not the area of a square/],
    ['bad character', csv(`s,${q.replace('  G#', ' xG#')},${a},1`), /the question has "x" at cell 13 \(row 3, column 1\)/],
    ["'o' in a question", csv(`s,${a},${a},1`), /'o' marks the path and belongs only in answers/],
    ['two starts', csv(`s,${q.replace('G', 'S')},${a},1`), /exactly one 'S' and one 'G', found 2 'S' and 0 'G'/],
    ['no goal', csv(`s,${q.replace('G', ' ')},${a},1`), /found 1 'S' and 0 'G'/],
    ['answer length', csv(`s,${q},${a.slice(1)},1`), /the answer has 15 characters, the question 16/],
    ['answer moves a wall', csv(`s,${q},${'o' + a.slice(1)},1`), /cell 0 \(row 0, column 0\) the answer has "o" where the question has "#"/],
    ['answer character', csv(`s,${q},${a.replace('G', '?')},1`), /the answer has "\?" at cell 14/],
    ['mixed sizes', csv(`s,${q},${a},1`, `s,${'S' + ' '.repeat(7) + 'G'},${'S' + ' '.repeat(7) + 'G'},1`), /line 3: a 3x3 maze, but the earlier rows are 4x4/],
    ['bad rating', csv(`s,${q},${a},hard`), /the rating "hard" is not a number/],
    ['missing header', `s,${q},${a},1\n`, /first row looks like a maze/],
    ['header only', 'source,question,answer,rating\n', /no maze rows after the header/],
    ['empty file', '', /the file is empty/],
    ['unclosed quote', csv(`"s,${q},${a},1`), /quoted field is not closed/],
  ])('%s', (_what, text, message) => {
    expect(() => parseMazeCsv(text, 'bad.csv')).toThrow(message);
    try {
      parseMazeCsv(text, 'bad.csv');
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(/^bad\.csv/);
    }
  });

  test('solveMaze: unreachable goal and invalid grids are errors', () => {
    expect(() => solveMaze('S#' + '#G')).toThrow(/cannot be reached/);
    expect(mazeDistance('S#' + '#G')).toBeNull();
    expect(() => solveMaze('S G')).toThrow(/3 characters/);
  });

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
