/** The Sudoku generator (src/data/sudoku/generator.ts, datasets.md 2.5). */
import { Rng } from '../../../src/data/random';
import {
  SudokuBox,
  addSudokuClues,
  countSolutions,
  generateSudoku,
  isValidSudokuSolution,
  rateSudoku,
  solveSudoku,
  solvesSudoku,
} from '../../../src/data/sudoku';
import * as subject from '../../../src/data/sudoku/generator';
import { expectInvalidArgument } from '../../helpers/errors';

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

  test('clues: extra givens from the solution, the same unique solution', () => {
    const box = { rows: 2, cols: 3 };
    for (let seed = 0; seed < 20; seed++) {
      const minimal = generateSudoku({ box, seed });
      const g = generateSudoku({ box, seed, clues: 18 });
      expect(g.solution).toEqual(minimal.solution);
      expect(g.clues).toBe(Math.max(18, minimal.clues));
      expect(g.puzzle.filter((v) => v !== 0).length).toBe(g.clues);
      for (let c = 0; c < 36; c++) if (minimal.puzzle[c] !== 0) expect(g.puzzle[c]).toBe(minimal.puzzle[c]);
      expect(solveSudoku(g.puzzle, { box, limit: 2 }).solutions).toEqual([g.solution]);
    }
    const m = generateSudoku({ box, seed: 3 });
    expect(addSudokuClues(m.puzzle, m.solution, 2, new Rng(0))).toEqual(m.puzzle); // already has more
    expect(addSudokuClues(m.puzzle, m.solution, 36, new Rng(0))).toEqual(m.solution);
    expect(() => generateSudoku({ box, clues: 37 })).toThrow(/clues must be an integer from 0 to 36 .*got 37/);
    expect(() => addSudokuClues(m.puzzle, m.solution, 1.5, new Rng(0))).toThrow(/clues must be an integer >= 0; got 1.5/);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('randomSudokuGrid names an rng that is not one', () => {
    expectInvalidArgument(() => subject.randomSudokuGrid({ int: 3 } as never), 'randomSudokuGrid(): rng must be an Rng (new data.Rng(seed)), got an object');
  });
});
