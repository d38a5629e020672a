/**
 * The puzzle codec: one puzzle of any task (a Sudoku, a maze, an ARC task's test input) to the
 * tokens and puzzle identifier a model takes, and a predicted token row back to the task's own
 * answer form. The one owner of that mapping for inference (solve) and the CLI.
 * @module
 */
import { invalidArgument } from '../util/errors';
import { ARC_GRID_SIZE } from './arc/grid';
import { checkArcCanvas, decodeArcGrid, encodeArcGrid } from './arc/codec';
import { ArcGrid, ArcTask } from './arc/types';
import { decodeMaze, encodeMaze } from './maze/codec';
import { mazeSize } from './maze/grid';
import { decodeSudoku, encodeSudoku } from './sudoku/codec';
import { formatSudoku, toSudokuGrid } from './sudoku/grid';

/**
 * A puzzle in one of the three task formats: a Sudoku (81/36/16-character string with '.' or '0'
 * blanks, or cell values 0..n), a maze (its grid string, row-major, or its rows separated by
 * newlines), or an ARC task's test input (`identifiers` are the dataset's identifiers.json, so the
 * task's puzzle embedding is used).
 */
export type Puzzle =
  | {
      /** the board, row by row: digits with '.' or '0' blanks, or cell values */
      sudoku: string | ArrayLike<number>;
    }
  | {
      /** the maze grid, row-major, or its rows on lines */
      maze: string;
    }
  | {
      /** the ARC task (see readArcTask) */
      arcTask: ArcTask;
      /** which of its test inputs (default 0) */
      testIndex?: number;
      /** the dataset's identifiers.json, to find the task's puzzle embedding */
      identifiers?: string[];
      /** the dataset's canvas side (default 30; readArcCanvas reads it from a dataset folder) */
      canvas?: number;
    };

/** A puzzle's answer in its task's form: a Sudoku string, a maze string, or an ARC grid. */
export type PuzzleAnswer = string | ArcGrid;

/** A puzzle encoded for a model, with the way back from predicted tokens. */
export interface EncodedPuzzle {
  /** the task the puzzle is from */
  task: 'sudoku' | 'maze' | 'arc';
  /** the model's input: rows * cols tokens, row-major [rows, cols] */
  tokens: Uint8Array;
  /** the puzzle identifier to pass with the tokens (0, the blank, for Sudoku and mazes) */
  puzzleIdentifier: number;
  /** rows of the token grid (the board side; the canvas side for ARC, 30 by default) */
  rows: number;
  /** columns of the token grid */
  cols: number;
  /** A token row (e.g. an argmax prediction) as an answer in the task's form. */
  decode(tokens: ArrayLike<number>): PuzzleAnswer;
  /** A token row as printable text: one line per grid row. */
  format(tokens: ArrayLike<number>): string;
}

/** Cuts a row-major string into lines of `cols` characters. */
function lines(s: string, cols: number): string {
  const out: string[] = [];
  for (let i = 0; i < s.length; i += cols) out.push(s.slice(i, i + cols));
  return out.join('\n');
}

/** Checks that a token row fits the puzzle's grid before decoding it. */
function checkLength(tokens: ArrayLike<number>, rows: number, cols: number): ArrayLike<number> {
  if (!tokens || tokens.length !== rows * cols) throw invalidArgument(`decode: expected ${rows * cols} tokens (${rows} x ${cols}), got ${tokens?.length}`);
  return tokens;
}

function encodeSudokuPuzzle(sudoku: string | ArrayLike<number>): EncodedPuzzle {
  const { geo, cells } = toSudokuGrid(sudoku, undefined, 'sudoku puzzle');
  const n = geo.n;
  const decode = (t: ArrayLike<number>) => formatSudoku(decodeSudoku(Array.from(checkLength(t, n, n)), geo.box));
  return { task: 'sudoku', tokens: encodeSudoku(cells), puzzleIdentifier: 0, rows: n, cols: n, decode, format: (t) => lines(decode(t), n) };
}

/** A maze given as one row-major string or as lines (blank lines and '\r' dropped), as one string. */
function mazeGrid(maze: string): string {
  if (typeof maze !== 'string') throw invalidArgument(`maze puzzle: expected the maze as a string, got ${typeof maze}`);
  if (!maze.includes('\n')) return maze;
  const rows = maze
    .replace(/\r/g, '')
    .split('\n')
    .filter((l) => l.length > 0);
  const bad = rows.findIndex((r) => r.length !== rows.length);
  if (bad >= 0) throw invalidArgument(`maze puzzle: row ${bad + 1} has ${rows[bad].length} cells; a maze of ${rows.length} rows needs ${rows.length} per row`);
  return rows.join('');
}

function encodeMazePuzzle(maze: string): EncodedPuzzle {
  const grid = mazeGrid(maze);
  const n = mazeSize(grid);
  const decode = (t: ArrayLike<number>) => decodeMaze(Array.from(checkLength(t, n, n)));
  return { task: 'maze', tokens: encodeMaze(grid), puzzleIdentifier: 0, rows: n, cols: n, decode, format: (t) => lines(decode(t), n) };
}

function encodeArcPuzzle(task: ArcTask, testIndex: number, identifiers: string[] | undefined, canvas: number): EncodedPuzzle {
  if (!task || !Array.isArray(task.test)) throw invalidArgument('ARC puzzle: arcTask must be a task with a "test" list (see readArcTask)');
  const test = task.test[testIndex];
  if (!test) throw invalidArgument(`ARC task ${task.name} has no test input ${testIndex}`);
  if (!Array.isArray(identifiers)) {
    throw invalidArgument(`ARC task ${task.name}: give identifiers (the dataset's identifiers.json) so that the task's puzzle embedding is used`);
  }
  const puzzleIdentifier = identifiers.indexOf(task.name);
  if (puzzleIdentifier < 0) throw invalidArgument(`ARC task ${task.name} is not in the dataset's identifiers: the model has no puzzle embedding for it`);
  const S = checkArcCanvas(canvas);
  const decode = (t: ArrayLike<number>) => decodeArcGrid(checkLength(t, S, S), S);
  const format = (t: ArrayLike<number>) => decode(t).map((r) => r.join('')).join('\n');
  return { task: 'arc', tokens: encodeArcGrid(test.input, { canvas: S }), puzzleIdentifier, rows: S, cols: S, decode, format };
}

/**
 * Encodes a puzzle for a model. Errors are `INVALID_ARGUMENT` (or `INVALID_DATA` for a maze with
 * a character outside "# SGo"): a malformed grid, a missing test input, or an ARC task that is not
 * in `identifiers` (the model would have no puzzle embedding for it).
 */
export function encodePuzzle(puzzle: Puzzle): EncodedPuzzle {
  if (!puzzle || typeof puzzle !== 'object') throw invalidArgument('encodePuzzle: expected {sudoku}, {maze} or {arcTask}');
  if ('sudoku' in puzzle) return encodeSudokuPuzzle(puzzle.sudoku);
  if ('maze' in puzzle) return encodeMazePuzzle(puzzle.maze);
  if ('arcTask' in puzzle) return encodeArcPuzzle(puzzle.arcTask, puzzle.testIndex ?? 0, puzzle.identifiers, puzzle.canvas ?? ARC_GRID_SIZE);
  throw invalidArgument('encodePuzzle: expected {sudoku}, {maze} or {arcTask}');
}
