/**
 * Sudoku: seeded RNG, CSV reading and validation, encoding, the reference augmentation and its
 * inverse, the solver (on the staged hard sets), the generator, and the dataset builder (loaded
 * back, and compared byte for byte with a numpy builder where no randomness is involved).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit } from '../../src/data/format';
import { Rng } from '../../src/data/random';
import {
  SudokuBox,
  SudokuTransform,
  buildSudokuDataset,
  countSolutions,
  decodeSudoku,
  encodeSudoku,
  formatSudoku,
  generateSudoku,
  isValidSudokuSolution,
  parseSudoku,
  rateSudoku,
  readSudokuCsv,
  solveSudoku,
  solvesSudoku,
  writeSudokuCsv,
} from '../../src/data/sudoku';
import { describeWithTorch, referencePython, tmpDir } from '../helpers/reference';

const DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'sudoku');
const haveData = fs.existsSync(path.join(DATA, 'magictour_top1465.csv'));
const describeWithData = (haveData ? describe : describe.skip) as jest.Describe;
const csvPath = (name: string) => path.join(DATA, name);

const dirs: string[] = [];
function scratch(): string {
  const d = tmpDir('hrm-sudoku-');
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The first `rows` data rows of a staged CSV, written to a scratch file. */
function headCsv(name: string, rows: number, dir = scratch()): string {
  const lines = fs.readFileSync(csvPath(name), 'utf8').split('\n');
  const out = path.join(dir, `head-${rows}-${name}`);
  fs.writeFileSync(out, lines.slice(0, rows + 1).join('\n') + '\n');
  return out;
}

function writeCsv(lines: string[]): string {
  const f = path.join(scratch(), 'x.csv');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

const row = (t: { questions: Uint8Array; cells: number }, i: number, which: 'questions' | 'answers' = 'questions') =>
  (t as unknown as Record<string, Uint8Array>)[which].subarray(i * t.cells, (i + 1) * t.cells);

// A 9x9 puzzle with its solution (first row of sudoku_extreme_sample.csv), inline so that the
// data-independent tests do not need the staged files.
const Q = '5...27..9..41......1..5.3...92.6.8...5......66..7..29.8...7...2.......8...9..36..';
const A = '583427169974136528216859374792364851351298746648715293865971432137642985429583617';

describe('Rng', () => {
  test('is deterministic per seed and gives values in range', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r = new Rng(1);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800); // roughly uniform (expected 1000 each)
    expect(r.int(1)).toBe(0);
    // large seeds are not folded onto their low 32 bits
    expect(new Rng(2 ** 40 + 5).uint32()).not.toBe(new Rng(5).uint32());
  });

  test('shuffle, permutation and sample draw without replacement', () => {
    const r = new Rng(7);
    const p = r.permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const arr = Int16Array.from([5, 6, 7, 8]);
    r.shuffle(arr);
    expect(Array.from(arr).sort()).toEqual([5, 6, 7, 8]);
    for (const [n, k] of [[10, 10], [1000, 7], [100, 30], [5, 0]]) {
      const s = r.sample(n, k);
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    }
    // every value can be drawn (sparse path)
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) for (const v of r.sample(20, 2)) seen.add(v);
    expect(seen.size).toBe(20);
    const f1 = new Rng(3).fork();
    const f2 = new Rng(3).fork();
    expect(f1.uint32()).toBe(f2.uint32());
  });

  test('rejects bad arguments with clear errors', () => {
    const r = new Rng();
    expect(() => r.int(0)).toThrow(/Rng.int: n must be an integer/);
    expect(() => r.int(2.5)).toThrow(/Rng.int/);
    expect(() => r.sample(3, 4)).toThrow(/cannot draw 4 distinct values from 3/);
    expect(() => r.permutation(-1)).toThrow(/non-negative integer/);
    expect(() => new Rng(NaN)).toThrow(/seed must be a finite number/);
  });
});

describe('encoding and parsing (hrm-spec 6.2)', () => {
  test('cells v -> tokens v + 1, blank -> 1, PAD 0 never produced; decode inverts', () => {
    const q = parseSudoku(Q);
    expect(parseSudoku(Q.replace(/\./g, '0'))).toEqual(q);
    const tok = encodeSudoku(q);
    expect(tok[0]).toBe(6); // '5'
    expect(tok[1]).toBe(1); // '.'
    expect(Math.min(...tok)).toBe(1);
    expect(Math.max(...tok)).toBeLessThanOrEqual(10);
    expect(decodeSudoku(tok)).toEqual(q);
    expect(formatSudoku(q)).toBe(Q);
    expect(() => decodeSudoku(new Uint8Array(81))).toThrow(/token 0 at position 0/);
    expect(() => parseSudoku(Q.slice(0, 80))).toThrow(/cannot infer the sudoku size from 80 cells/);
    expect(() => parseSudoku('x' + Q.slice(1))).toThrow(/character "x" at position 0/);
  });
});

describe('solver', () => {
  test('solves a hard puzzle, proves uniqueness, counts guesses', () => {
    const r = solveSudoku(Q);
    expect(r.solutions).toHaveLength(1);
    expect(formatSudoku(r.solutions[0])).toBe(A);
    expect(r.guesses).toBeGreaterThan(0);
    expect(countSolutions(Q)).toBe(1);
    expect(rateSudoku(Q)).toBe(r.guesses);
    // a complete grid needs no guess; givens alone are never guesses
    expect(solveSudoku(A).guesses).toBe(0);
  });

  test('counts several solutions up to the limit, and none for contradictions', () => {
    const empty4 = new Uint8Array(16);
    expect(countSolutions(empty4, 1000)).toBe(288); // the number of 4x4 sudoku grids
    expect(countSolutions(new Uint8Array(36), 5)).toBe(5);
    const sols = solveSudoku(new Uint8Array(81), { limit: 3 }).solutions;
    expect(sols).toHaveLength(3);
    for (const s of sols) expect(isValidSudokuSolution(s)).toBe(true);
    expect(new Set(sols.map((s) => formatSudoku(s))).size).toBe(3);
    // remove clues until a second solution appears
    const q = parseSudoku(Q);
    const loose = q.slice();
    let k = 0;
    while (countSolutions(loose) === 1) {
      while (loose[k] === 0) k++;
      loose[k] = 0;
    }
    expect(countSolutions(loose, 2)).toBe(2);
    // two equal givens in a row: no solution
    const bad = q.slice();
    bad[1] = 5;
    expect(solveSudoku(bad).solutions).toHaveLength(0);
    expect(() => solveSudoku(q, { limit: 0 })).toThrow(/limit must be an integer >= 1/);
    expect(() => solveSudoku([10, ...new Array(80).fill(0)])).toThrow(/cell 0 holds 10/);
  });

  describeWithData('on the staged sets (datasets.md 2.4)', () => {
    const report: string[] = [];
    afterAll(() => {
      if (report.length) console.log(`sudoku solver on the staged sets:\n  ${report.join('\n  ')}`);
    });

    for (const [name, rows] of [
      ['sudoku_extreme_sample.csv', 3],
      ['forum_hardest_1106.csv', 200],
      ['magictour_top1465.csv', 300],
    ] as const) {
      test(`solves ${rows} rows of ${name}, matching the given answers, with a unique solution`, () => {
        const t = readSudokuCsv(csvPath(name));
        const n = Math.min(rows, t.count);
        let guesses = 0;
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) {
          const r = solveSudoku(row(t, i));
          expect(r.solutions).toHaveLength(1);
          if (!Buffer.from(r.solutions[0]).equals(Buffer.from(row(t, i, 'answers')))) throw new Error(`${name} row ${i + 1}: solution differs from the answer`);
          guesses += r.guesses;
        }
        const solveMs = Number(process.hrtime.bigint() - t0) / 1e6;
        const t1 = process.hrtime.bigint();
        for (let i = 0; i < n; i++) if (countSolutions(row(t, i), 2) !== 1) throw new Error(`${name} row ${i + 1}: not unique`);
        const uniqueMs = Number(process.hrtime.bigint() - t1) / 1e6;
        let tdoku = 0;
        for (let i = 0; i < n; i++) tdoku += t.ratings[i];
        report.push(
          `${name}: ${n} puzzles, solve (limit 1) ${((solveMs / n) * 1000).toFixed(0)} us/puzzle, uniqueness (limit 2) ${((uniqueMs / n) * 1000).toFixed(0)} us/puzzle; ` +
            `mean guesses ours ${(guesses / n).toFixed(2)} vs tdoku rating ${(tdoku / n).toFixed(2)}`,
        );
      });
    }

    test('our rating orders easy vs hard sets like tdoku (rank correlation on a mixed pool)', () => {
      const ours: number[] = [];
      const theirs: number[] = [];
      for (const [name, rows] of [
        ['magictour_top1465.csv', 150],
        ['forum_hardest_1106.csv', 50],
        ['17_clue.part1of3.csv', 200],
      ] as const) {
        const t = readSudokuCsv(headCsv(name, rows));
        for (let i = 0; i < t.count; i++) {
          ours.push(rateSudoku(row(t, i)));
          theirs.push(t.ratings[i]);
        }
      }
      const rank = (a: number[]) => {
        const idx = a.map((_, i) => i).sort((x, y) => a[x] - a[y]);
        const r = new Array<number>(a.length);
        for (let i = 0; i < idx.length; ) {
          let j = i;
          while (j + 1 < idx.length && a[idx[j + 1]] === a[idx[i]]) j++;
          for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2;
          i = j + 1;
        }
        return r;
      };
      const ra = rank(ours);
      const rb = rank(theirs);
      const mean = (ra.length - 1) / 2;
      let num = 0;
      let da = 0;
      let db = 0;
      for (let i = 0; i < ra.length; i++) {
        num += (ra[i] - mean) * (rb[i] - mean);
        da += (ra[i] - mean) ** 2;
        db += (rb[i] - mean) ** 2;
      }
      const rho = num / Math.sqrt(da * db);
      report.push(`Spearman rank correlation with the tdoku rating on a 400-puzzle mixed pool (17-clue, magictour, 1106): ${rho.toFixed(3)}`);
      expect(rho).toBeGreaterThan(0.6);
    });
  });
});

describe('augmentation (hrm-spec 6.2, datasets.md 2.3)', () => {
  const boards: [SudokuBox, Uint8Array, Uint8Array][] = [];
  beforeAll(() => {
    boards.push([{ rows: 3, cols: 3 }, parseSudoku(Q), parseSudoku(A)]);
    for (const box of [
      { rows: 2, cols: 2 },
      { rows: 2, cols: 3 },
    ]) {
      const g = generateSudoku({ box, seed: 11 });
      boards.push([box, g.puzzle, g.solution]);
    }
  });

  test('transforms keep solutions valid and puzzles matched; inverse(apply(x)) = x', () => {
    const rng = new Rng(5);
    for (const [box, puzzle, solution] of boards) {
      let transposed = 0;
      for (let k = 0; k < 200; k++) {
        const t = SudokuTransform.random(rng, box);
        if (t.transpose) transposed++;
        const p2 = t.apply(puzzle);
        const s2 = t.apply(solution);
        expect(isValidSudokuSolution(s2, box)).toBe(true);
        expect(solvesSudoku(p2, s2, box)).toBe(true);
        const inv = t.inverse();
        expect(inv.apply(p2)).toEqual(puzzle);
        expect(inv.apply(s2)).toEqual(solution);
        expect(t.apply(inv.apply(s2))).toEqual(s2); // also a right inverse
        expect(p2.filter((v) => v === 0).length).toBe(puzzle.filter((v) => v === 0).length);
      }
      if (box.rows === box.cols) {
        expect(transposed).toBeGreaterThan(60); // p = 0.5 over 200 draws
        expect(transposed).toBeLessThan(140);
      } else {
        expect(transposed).toBe(0); // a 2x3 box cannot be transposed
      }
    }
  });

  test('the cell map is a bijection and the digit map a permutation fixing blank', () => {
    const rng = new Rng(9);
    for (const box of [
      { rows: 3, cols: 3 },
      { rows: 2, cols: 3 },
    ]) {
      const n = box.rows * box.cols;
      for (let k = 0; k < 20; k++) {
        const t = SudokuTransform.random(rng, box);
        expect(t.digitMap[0]).toBe(0);
        expect(Array.from(t.digitMap).sort((a, b) => a - b)).toEqual(Array.from({ length: n + 1 }, (_, i) => i));
        // one marked cell at a time: each lands on exactly one cell, all different
        const targets = new Set<number>();
        for (let c = 0; c < n * n; c++) {
          const g = new Uint8Array(n * n);
          g[c] = 1;
          const out = t.apply(g);
          const hits = [...out.keys()].filter((i) => out[i] !== 0);
          expect(hits).toHaveLength(1);
          targets.add(hits[0]);
        }
        expect(targets.size).toBe(n * n);
      }
    }
  });

  test('matches the formula new[i][j] = D[T(old)[row_perm[i]][col_perm[j]]]', () => {
    const rng = new Rng(21);
    const s = parseSudoku(A);
    for (let k = 0; k < 20; k++) {
      const t = SudokuTransform.random(rng);
      const old = (r: number, c: number) => (t.transpose ? s[c * 9 + r] : s[r * 9 + c]);
      const want = new Uint8Array(81);
      for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) want[i * 9 + j] = t.digitMap[old(t.rowPerm[i], t.colPerm[j])];
      expect(t.apply(s)).toEqual(want);
      // bands stay together: rows 3b..3b+2 come from one band
      for (let b = 0; b < 3; b++) expect(new Set([0, 1, 2].map((i) => Math.floor(t.rowPerm[3 * b + i] / 3))).size).toBe(1);
    }
    expect(SudokuTransform.identity().apply(s)).toEqual(s);
  });

  test('rejects transforms that would break validity', () => {
    const id = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(() => new SudokuTransform({ digitMap: digits, transpose: false, rowPerm: [0, 1, 3, 2, 4, 5, 6, 7, 8], colPerm: id })).toThrow(/keeping bands of 3 rows/);
    expect(() => new SudokuTransform({ digitMap: [1, 0, 2, 3, 4, 5, 6, 7, 8, 9], transpose: false, rowPerm: id, colPerm: id })).toThrow(/map 0 to 0/);
    expect(() => new SudokuTransform({ digitMap: [0, 1, 2, 3, 4, 5, 6], transpose: true, rowPerm: [0, 1, 2, 3, 4, 5], colPerm: [0, 1, 2, 3, 4, 5] }, { rows: 2, cols: 3 })).toThrow(
      /transpose needs square boxes/,
    );
    expect(() => SudokuTransform.identity().apply(new Uint8Array(80))).toThrow(/80 cells, expected 81/);
  });
});

describe('generator (datasets.md 2.5)', () => {
  test('every generated puzzle has exactly one solution, found by the solver', () => {
    const cases: [SudokuBox, number][] = [
      [{ rows: 2, cols: 2 }, 40],
      [{ rows: 2, cols: 3 }, 40],
      [{ rows: 3, cols: 3 }, 15],
    ];
    for (const [box, count] of cases) {
      const rng = new Rng(100 + box.cols);
      for (let i = 0; i < count; i++) {
        const g = generateSudoku({ box, rng });
        expect(isValidSudokuSolution(g.solution, box)).toBe(true);
        expect(solvesSudoku(g.puzzle, g.solution, box)).toBe(true);
        const r = solveSudoku(g.puzzle, { box, limit: 2 });
        expect(r.solutions).toHaveLength(1);
        expect(r.solutions[0]).toEqual(g.solution);
        expect(g.clues).toBe(g.puzzle.filter((v) => v !== 0).length);
        expect(g.rating).toBe(rateSudoku(g.puzzle, box));
      }
    }
  });

  test('puzzles are minimal, seeded and respect minRating', () => {
    const g = generateSudoku({ seed: 4 });
    for (let c = 0; c < 81; c++) {
      if (g.puzzle[c] === 0) continue;
      const fewer = g.puzzle.slice();
      fewer[c] = 0;
      expect(countSolutions(fewer)).toBe(2); // every clue is needed
    }
    expect(generateSudoku({ seed: 4 }).puzzle).toEqual(g.puzzle);
    expect(generateSudoku({ seed: 5 }).puzzle).not.toEqual(g.puzzle);
    const hard = generateSudoku({ seed: 1, minRating: 2 });
    expect(hard.rating).toBeGreaterThanOrEqual(2);
    expect(countSolutions(hard.puzzle)).toBe(1);
    expect(() => generateSudoku({ box: { rows: 2, cols: 2 }, minRating: 5, maxAttempts: 3 })).toThrow(/no 4x4 puzzle with rating >= 5 in 3 attempts/);
    expect(() => generateSudoku({ box: { rows: 5, cols: 5 } })).toThrow(/rows \* cols <= 16/);
  });
});

describe('CSV reading and validation', () => {
  const H = 'source,question,answer,rating';
  test('reads several files in order, accepts 0 blanks, CRLF and a BOM', () => {
    const f1 = writeCsv([H, `a,${Q},${A},18`]);
    const f2 = path.join(scratch(), 'y.csv');
    fs.writeFileSync(f2, `\ufeff${H}\r\nb,${Q.replace(/\./g, '0')},${A},\r\n\r\n`);
    const t = readSudokuCsv([f1, f2]);
    expect(t.count).toBe(2);
    expect(t.box).toEqual({ rows: 3, cols: 3 });
    expect(row(t, 0)).toEqual(row(t, 1));
    expect(t.sourceNames).toEqual(['a', 'b']);
    expect(Array.from(t.sourceIndex)).toEqual([0, 1]);
    expect(t.ratings[0]).toBe(18);
    expect(Number.isNaN(t.ratings[1])).toBe(true);
    expect(readSudokuCsv([f1], { minDifficulty: 18 }).count).toBe(1);
    expect(readSudokuCsv([f1], { minDifficulty: 19 }).count).toBe(0);
    expect(() => readSudokuCsv([f2], { minDifficulty: 1 })).toThrow(/rating is empty, so minDifficulty cannot be applied/);
  });

  test('errors name the file, line and problem', () => {
    const bad = (lines: string[], re: RegExp) => expect(() => readSudokuCsv(writeCsv(lines))).toThrow(re);
    bad(['source,q,a,rating', `a,${Q},${A},1`], /x\.csv:1: expected the header 'source,question,answer,rating'/);
    bad([H, `a,${Q.slice(1)},${A},1`], /x\.csv:2: question has 80 characters, expected 81/);
    bad([H, `a,${Q},${A}0,1`], /answer has 82 characters, expected 81/);
    bad([H, `a,${Q},${A},1`, `a,x${Q.slice(1)},${A},1`], /x\.csv:3: question character "x" at position 0/);
    bad([H, `a,${Q},0${A.slice(1)},1`], /answer character "0" at position 0 is not a digit 1..9/);
    bad([H, `a,${Q},${A}`], /expected 4 comma-separated fields/);
    bad([H, `a,${Q},${A},hard`], /rating "hard" is not a number/);
    // a given the answer contradicts
    bad([H, `a,${Q},4${A.slice(1)},1`], /answer is inconsistent with the question at cell 0 \(row 1, column 1\): given 5, answer 4/);
    // swap two answer digits in blank cells of one row: givens still agree, columns repeat
    const blanks = [1, 2].filter((i) => Q[i] === '.');
    const swapped = A.split('');
    [swapped[blanks[0]], swapped[blanks[1]]] = [swapped[blanks[1]], swapped[blanks[0]]];
    bad([H, `a,${Q},${swapped.join('')},1`], /answer is not a valid solution: digit \d repeats in column/);
    expect(() => readSudokuCsv(path.join(scratch(), 'missing.csv'))).toThrow(/cannot open sudoku CSV .*missing\.csv/);
    const empty = path.join(scratch(), 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(() => readSudokuCsv(empty)).toThrow(/empty\.csv: empty file/);
    expect(() => readSudokuCsv([])).toThrow(/at least one CSV/);
    // quoted fields as Python's csv module may write them
    expect(readSudokuCsv(writeCsv([H, `"a, b",${Q},"${A}",1`])).sourceNames).toEqual(['a, b']);
  });
});

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
      const args = [path.join(__dirname, '..', 'reference', 'build_sudoku_ref.py'), ref, '--train', ...train, '--test', ...test];
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
