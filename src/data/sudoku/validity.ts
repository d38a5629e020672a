/**
 * Sudoku rules: a complete grid is valid when no row, column or box repeats a digit.
 * @module
 */
import { SudokuBox, SudokuGeometry } from './geometry';
import { SudokuGridInput, toSudokuGrid } from './grid';

/**
 * Describes the first row, column or box of a complete grid (digits 1..n, no blanks) that
 * repeats a digit, or returns null when there is none.
 */
export function firstInvalidUnit(grid: ArrayLike<number>, geo: SudokuGeometry): string | null {
  const { n, units } = geo;
  const kinds = ['row', 'column', 'box'];
  for (let u = 0; u < 3 * n; u++) {
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const v = grid[units[u * n + i]];
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

/** True if `solution` is a valid complete grid that agrees with every given of `puzzle`. */
export function solvesSudoku(puzzle: SudokuGridInput, solution: SudokuGridInput, box?: SudokuBox): boolean {
  const p = toSudokuGrid(puzzle, box, 'solvesSudoku(puzzle)').cells;
  const s = toSudokuGrid(solution, box, 'solvesSudoku(solution)').cells;
  if (p.length !== s.length || !isValidSudokuSolution(s, box)) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== 0 && p[i] !== s[i]) return false;
  return true;
}
