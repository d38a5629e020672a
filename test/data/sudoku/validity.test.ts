/** Sudoku rules (src/data/sudoku/validity.ts): complete grids without repeats, and solutions that keep the givens. */
import { SudokuGeometry } from '../../../src/data/sudoku/geometry';
import { parseSudoku } from '../../../src/data/sudoku/grid';
import { firstInvalidUnit, isValidSudokuSolution, solvesSudoku, sudokuSolutionProblem } from '../../../src/data/sudoku/validity';
import { A, Q } from './helpers';
import * as subject from '../../../src/data/sudoku/validity';
import { expectInvalidArgument } from '../../helpers/errors';

/** `s` with the characters at positions i and j exchanged. */
const swap = (s: string, i: number, j: number) => {
  const c = [...s];
  [c[i], c[j]] = [c[j], c[i]];
  return c.join('');
};

test('firstInvalidUnit names the first row, column or box that repeats a digit', () => {
  const g = SudokuGeometry.forCells(81);
  expect(firstInvalidUnit(parseSudoku(A), g)).toBeNull();
  // Swapping two cells of row 1 keeps rows valid but breaks columns 1 and 2.
  expect(firstInvalidUnit(parseSudoku(swap(A, 0, 1)), g)).toBe('digit 8 repeats in column 1');
  const rowRepeat = parseSudoku(A);
  rowRepeat[1] = rowRepeat[0];
  expect(firstInvalidUnit(rowRepeat, g)).toBe('digit 5 repeats in row 1');
  // Swapping two rows in different bands keeps rows and columns, not boxes.
  const rows = A.match(/.{9}/g)!;
  [rows[0], rows[3]] = [rows[3], rows[0]];
  expect(firstInvalidUnit(parseSudoku(rows.join('')), g)).toMatch(/repeats in box 1$/);
});

test('isValidSudokuSolution: complete and without repeats, for strings and cell arrays of any size', () => {
  expect(isValidSudokuSolution(A)).toBe(true);
  expect(isValidSudokuSolution(parseSudoku(A))).toBe(true);
  expect(isValidSudokuSolution(swap(A, 0, 1))).toBe(false);
  expect(isValidSudokuSolution(Q)).toBe(false); // blanks
  expect(isValidSudokuSolution('1234341221434321')).toBe(true);
  expect(isValidSudokuSolution('1234341221434312')).toBe(false);
  expect(isValidSudokuSolution([1, 2, 2, 1], { rows: 1, cols: 2 })).toBe(true);
});

test('solvesSudoku: a valid grid that keeps every given of the puzzle', () => {
  expect(solvesSudoku(Q, A)).toBe(true);
  expect(solvesSudoku(Q, swap(A, 0, 1))).toBe(false); // invalid grid
  // A valid grid (digits 1 and 2 exchanged everywhere) that contradicts the givens.
  const relabelled = A.replace(/[12]/g, (d) => (d === '1' ? '2' : '1'));
  expect(isValidSudokuSolution(relabelled)).toBe(true);
  expect(solvesSudoku(Q, relabelled)).toBe(false);
  expect(solvesSudoku('1...............', '1234341221434321')).toBe(true);
  expect(solvesSudoku('2...............', '1234341221434321')).toBe(false);
  expect(solvesSudoku('1...............', A)).toBe(false); // sizes differ
});

test('firstInvalidUnit on a puzzle: blanks are skipped, repeated givens are named', () => {
  const g = SudokuGeometry.forCells(81);
  expect(firstInvalidUnit(parseSudoku(Q), g)).toBeNull();
  expect(firstInvalidUnit(parseSudoku('11' + '.'.repeat(79)), g)).toBe('digit 1 repeats in row 1');
  expect(firstInvalidUnit(parseSudoku('1...............'), SudokuGeometry.forCells(16))).toBeNull();
  expect(firstInvalidUnit(parseSudoku('1...1...........'), SudokuGeometry.forCells(16))).toBe('digit 1 repeats in column 1');
});

test('sudokuSolutionProblem says why an answer does not solve the puzzle', () => {
  expect(sudokuSolutionProblem(Q, A)).toBeNull();
  expect(sudokuSolutionProblem(Q, '.' + A.slice(1))).toBe('cell (1, 1) is blank');
  expect(sudokuSolutionProblem(Q, swap(A, 0, 1))).toBe('digit 8 repeats in column 1');
  const relabelled = A.replace(/[12]/g, (d) => (d === '1' ? '2' : '1'));
  const given = [...Q].findIndex((c, i) => c !== '.' && c !== '0' && relabelled[i] !== c);
  expect(sudokuSolutionProblem(Q, relabelled)).toBe(`it changes the given ${Q[given]} at cell (${Math.floor(given / 9) + 1}, ${(given % 9) + 1}) to ${relabelled[given]}`);
  expect(sudokuSolutionProblem('1...............', A)).toBe('it has 81 cells, the puzzle 16');
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('firstInvalidUnit names a bad grid or geometry', () => {
    expectInvalidArgument(() => subject.firstInvalidUnit(new Uint8Array(16), undefined as never), 'firstInvalidUnit(): geo must be a SudokuGeometry, got undefined');
    expectInvalidArgument(() => subject.firstInvalidUnit(3 as never, SudokuGeometry.of({ rows: 2, cols: 2 })), 'firstInvalidUnit(): grid must be an array of cell values, got number 3');
    expectInvalidArgument(() => subject.firstInvalidUnit(new Uint8Array(15), SudokuGeometry.of({ rows: 2, cols: 2 })), 'firstInvalidUnit(): grid has 15 cells, the 4x4 board has 16');
  });
});
