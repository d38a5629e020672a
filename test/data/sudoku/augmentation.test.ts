/** The reference Sudoku augmentation and its inverse (src/data/sudoku/augmentation.ts). */
import { Rng } from '../../../src/data/random';
import {
  SudokuBox,
  SudokuTransform,
  generateSudoku,
  isValidSudokuSolution,
  parseSudoku,
  solvesSudoku,
} from '../../../src/data/sudoku';
import { Q, A } from './helpers';
import * as subject from '../../../src/data/sudoku/augmentation';
import { expectInvalidArgument } from '../../helpers/errors';

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

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('SudokuTransform, SudokuTransform.random and identity name a bad spec, rng or box', () => {
    expectInvalidArgument(() => subject.SudokuTransform.random(undefined as never), 'SudokuTransform.random(): rng must be an Rng (new data.Rng(seed)), got undefined');
    expectInvalidArgument(() => subject.SudokuTransform.random({ permutation: 3 } as never), 'SudokuTransform.random(): rng must be an Rng (new data.Rng(seed)), got an object');
    expectInvalidArgument(() => new subject.SudokuTransform(undefined as never), 'SudokuTransform: spec must be an object {digitMap, transpose, rowPerm, colPerm}, got undefined');
    expectInvalidArgument(() => new subject.SudokuTransform({ digitMap: 3, transpose: false, rowPerm: [], colPerm: [] } as never), 'SudokuTransform: spec.digitMap must be an array or a typed array, got number 3');
    expectInvalidArgument(() => subject.SudokuTransform.identity(null as never), 'SudokuGeometry.of(): box must be a box shape {rows, cols}, got null');
  });
});
