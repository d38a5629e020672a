/** Sudoku grids as strings and cell values (src/data/sudoku/grid.ts; hrm-spec 6.2): parsing, formatting, checking. */
import { formatSudoku, parseSudoku, toSudokuGrid } from '../../../src/data/sudoku/grid';
import { hasErrorCode } from '../../../src/util/errors';
import { errorOf } from '../../helpers/errors';
import { Q } from './helpers';
import * as subject from '../../../src/data/sudoku/grid';
import { expectInvalidArgument } from '../../helpers/errors';

describe('parseSudoku and formatSudoku', () => {
  test("'.' and '0' are blanks; formatting gives the string back", () => {
    const q = parseSudoku(Q);
    expect(parseSudoku(Q.replace(/\./g, '0'))).toEqual(q);
    expect(formatSudoku(q)).toBe(Q);
    expect(formatSudoku(parseSudoku('1.2.3.4.........'), '0')).toBe('1020304000000000');
  });

  test('refuses a size it cannot infer, characters other than blanks and digits 1..n, and boards over 9x9', () => {
    expect(() => parseSudoku(Q.slice(0, 80))).toThrow(/cannot infer the sudoku size from 80 cells/);
    expect(() => parseSudoku('x' + Q.slice(1))).toThrow(/character "x" at position 0/);
    expect(() => parseSudoku('5' + '.'.repeat(15))).toThrow(/character "5" at position 0 is not '.', '0' or a digit 1..4/);
    expect(() => parseSudoku('.'.repeat(256), { rows: 4, cols: 4 })).toThrow(/up to 9x9/);
  });
});

describe('toSudokuGrid', () => {
  test('takes strings or cell arrays, with the geometry their length implies or the box given', () => {
    const fromString = toSudokuGrid('1...', { rows: 1, cols: 2 }, 'grid');
    expect([fromString.geo.n, [...fromString.cells]]).toEqual([2, [1, 0, 0, 0]]);
    const fromCells = toSudokuGrid([1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], undefined, 'grid');
    expect([fromCells.geo.box, fromCells.cells instanceof Uint8Array]).toEqual([{ rows: 2, cols: 2 }, true]);
  });

  test('bad cells and non-grids are INVALID_ARGUMENT errors naming the caller', () => {
    const bad = errorOf(() => toSudokuGrid([1, 2, 3, 5, ...new Array(12).fill(0)], undefined, 'solvesSudoku(puzzle)'));
    expect([hasErrorCode(bad, 'INVALID_ARGUMENT'), bad.message]).toEqual([true, 'solvesSudoku(puzzle): cell 3 holds 5; cells must be integers 0 (blank) .. 4']);
    expect(errorOf(() => toSudokuGrid([0.5, ...new Array(15).fill(0)], undefined, 'g')).message).toMatch(/cell 0 holds 0.5/);
    expect(errorOf(() => toSudokuGrid(null as never, undefined, 'g')).message).toBe('g: expected a grid (array of cell values or a string)');
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('parseSudoku and formatSudoku name a bad string or grid', () => {
    expectInvalidArgument(() => subject.parseSudoku(81 as never), 'parseSudoku(): s must be a string, got number 81');
    expectInvalidArgument(() => subject.formatSudoku(undefined as never), 'formatSudoku(): grid must be an array of cell values, got undefined');
    expectInvalidArgument(() => subject.formatSudoku([1], 0 as never), 'formatSudoku(): blank must be a string, got number 0');
  });
});
