/** The Sudoku solver and rater (src/data/sudoku/solver.ts), also on the staged hard sets. */
import {
  countSolutions,
  formatSudoku,
  isValidSudokuSolution,
  parseSudoku,
  rateSudoku,
  readSudokuCsv,
  solveSudoku,
} from '../../../src/data/sudoku';
import { describeWithData, csvPath, headCsv, row, Q, A } from './helpers';

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
