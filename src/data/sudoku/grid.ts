/**
 * Sudoku grids as strings and as cell values: parsing, formatting and checking a grid given by
 * the caller (hrm-spec 6.2 strings: '.' or '0' blanks, digits 1..9).
 * @module
 */
import { checkArrayLike, checkString, invalidArgument } from '../../util/errors';
import { SudokuBox, SudokuGeometry } from './geometry';

/** A grid given as cell values (0 = blank) or as a string ('.' or '0' = blank, digits 1..9). */
export type SudokuGridInput = ArrayLike<number> | string;

/** Parses a puzzle string ('.' or '0' for blanks, '1'..'9' for digits) into cell values. */
export function parseSudoku(s: string, box?: SudokuBox): Uint8Array {
  checkString(s, 'parseSudoku(): s');
  const geo = SudokuGeometry.forCells(s.length, box);
  if (geo.n > 9) throw invalidArgument('sudoku strings can only express boards up to 9x9 (digits 1..9)');
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46 /* . */ || ch === 48 /* 0 */) continue;
    const v = ch - 48;
    if (v < 1 || v > geo.n) throw invalidArgument(`sudoku string: character ${JSON.stringify(s[i])} at position ${i} is not '.', '0' or a digit 1..${geo.n}`);
    out[i] = v;
  }
  return out;
}

/** Formats cell values as a string with `blank` ('.' by default) for empty cells (boards up to 9x9). */
export function formatSudoku(grid: ArrayLike<number>, blank = '.'): string {
  checkArrayLike(grid, 'formatSudoku(): grid', 'an array of cell values');
  checkString(blank, 'formatSudoku(): blank');
  let s = '';
  for (let i = 0; i < grid.length; i++) s += grid[i] === 0 ? blank : String(grid[i]);
  return s;
}

/** A caller's grid as checked cell values with its geometry; `what` names it in errors. */
export function toSudokuGrid(grid: SudokuGridInput, box: SudokuBox | undefined, what: string): { geo: SudokuGeometry; cells: Uint8Array } {
  if (typeof grid === 'string') {
    const cells = parseSudoku(grid, box);
    return { geo: SudokuGeometry.forCells(cells.length, box), cells };
  }
  if (!grid || typeof grid.length !== 'number') throw invalidArgument(`${what}: expected a grid (array of cell values or a string)`);
  const geo = SudokuGeometry.forCells(grid.length, box);
  const cells = new Uint8Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const v = grid[i];
    if (!Number.isInteger(v) || v < 0 || v > geo.n) throw invalidArgument(`${what}: cell ${i} holds ${v}; cells must be integers 0 (blank) .. ${geo.n}`);
    cells[i] = v;
  }
  return { geo, cells };
}
