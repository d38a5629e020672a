/**
 * Sudoku rules: a complete grid is valid when no row, column or box repeats a digit; a puzzle's
 * givens must not repeat one either; a solution is a valid grid that keeps every given.
 * @module
 */
import { SudokuBox, SudokuGeometry } from './geometry';
import { checkArrayLike, describeValue, invalidArgument } from '../../util/errors';
import { SudokuGridInput, toSudokuGrid } from './grid';

/**
 * Describes the first row, column or box of a grid (digits 1..n; blanks, 0, are skipped) that
 * repeats a digit, or returns null when there is none. On a complete grid: whether it is valid;
 * on a puzzle: whether its givens contradict each other.
 */
export function firstInvalidUnit(grid: ArrayLike<number>, geo: SudokuGeometry): string | null {
  checkArrayLike(grid, 'firstInvalidUnit(): grid', 'an array of cell values');
  if (!(geo instanceof SudokuGeometry)) throw invalidArgument(`firstInvalidUnit(): geo must be a SudokuGeometry, got ${describeValue(geo)}`);
  if (grid.length !== geo.cells) throw invalidArgument(`firstInvalidUnit(): grid has ${grid.length} cells, the ${geo.n}x${geo.n} board has ${geo.cells}`);
  const { n, units } = geo;
  const kinds = ['row', 'column', 'box'];
  for (let u = 0; u < 3 * n; u++) {
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const v = grid[units[u * n + i]];
      if (v === 0) continue;
      const bit = 1 << (v - 1);
      if (seen & bit) return `digit ${v} repeats in ${kinds[Math.floor(u / n)]} ${(u % n) + 1}`;
      seen |= bit;
    }
  }
  return null;
}

/** True if every row, column and box of a complete grid holds each digit 1..n exactly once. */
export function isValidSudokuSolution(grid: SudokuGridInput, box?: SudokuBox): boolean {
  const { geo, cells } = toSudokuGrid(grid, box, 'isValidSudokuSolution');
  // n digits 1..n in a unit of n cells without a repeat are each digit once.
  return !cells.includes(0) && firstInvalidUnit(cells, geo) === null;
}

/**
 * Why `solution` does not solve `puzzle`, in words ("cell (2, 3) is blank", "digit 4 repeats in
 * row 1", "it changes the given 5 at cell (1, 3) to 2"), or null when it does: a complete grid
 * without repeats that keeps every given.
 */
export function sudokuSolutionProblem(puzzle: SudokuGridInput, solution: SudokuGridInput, box?: SudokuBox): string | null {
  const p = toSudokuGrid(puzzle, box, 'sudoku puzzle');
  const s = toSudokuGrid(solution, box, 'sudoku solution');
  const n = s.geo.n;
  const at = (i: number) => `cell (${Math.floor(i / n) + 1}, ${(i % n) + 1})`;
  if (p.cells.length !== s.cells.length) return `it has ${s.cells.length} cells, the puzzle ${p.cells.length}`;
  const blank = s.cells.indexOf(0);
  if (blank >= 0) return `${at(blank)} is blank`;
  const repeat = firstInvalidUnit(s.cells, s.geo);
  if (repeat) return repeat;
  for (let i = 0; i < p.cells.length; i++) if (p.cells[i] !== 0 && p.cells[i] !== s.cells[i]) return `it changes the given ${p.cells[i]} at ${at(i)} to ${s.cells[i]}`;
  return null;
}

/** True if `solution` is a valid complete grid that agrees with every given of `puzzle`. */
export function solvesSudoku(puzzle: SudokuGridInput, solution: SudokuGridInput, box?: SudokuBox): boolean {
  return sudokuSolutionProblem(puzzle, solution, box) === null;
}
