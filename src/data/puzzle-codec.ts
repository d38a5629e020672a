/**
 * The puzzle codec: one puzzle of any task (a Sudoku, a maze, an ARC task's test input, a custom
 * task's input) to the tokens and puzzle identifier a model takes, and a predicted token row back
 * to the task's own answer form; which task a built dataset holds, and its token rows as cells to draw. The one
 * owner of that mapping for inference (solve), the pages and the CLI.
 * @module
 */
import { checkArrayLike, checkObject, describeValue, invalidArgument, invalidData } from '../util/errors';
import { ARC_GRID_SIZE } from './arc/grid';
import { ARC_COLOUR_OFFSET, ARC_EOS, ARC_PAD, ARC_VOCAB_SIZE, arcCanvasOfSeqLen, checkArcCanvas, decodeArcGrid, encodeArcGrid } from './arc/codec';
import { ArcGrid, ArcTask } from './arc/types';
import * as path from 'path';
import { readMetadata } from './format/dataset';
import { CustomSequence, encodeCustomSide, parseSequenceText } from './custom/examples';
import { CustomTaskInfo, CustomVocabulary, isCustomDataset } from './custom/vocabulary';
import { DatasetSplit, readExample } from './format/split';
import { MAZE_CHARSET, MAZE_TOKENS, MAZE_VOCAB_SIZE, decodeMaze, encodeMaze } from './maze/codec';
import { mazeSize, squareSide } from './maze/grid';
import { decodeSudoku, encodeSudoku, sudokuVocabSize } from './sudoku/codec';
import { SudokuBox, defaultSudokuBox } from './sudoku/geometry';
import { formatSudoku, toSudokuGrid } from './sudoku/grid';

/**
 * A puzzle in one of the task formats: a Sudoku (81/36/16-character string with '.' or '0'
 * blanks, or cell values 0..n), a maze (its grid string, row-major, or its rows separated by
 * newlines), an ARC task's test input (`identifiers` are the dataset's identifiers.json, so the
 * task's puzzle embedding is used), or the input of a custom task (with the dataset's custom.json).
 */
export type Puzzle =
  | {
      /** the board, row by row: digits with '.' or '0' blanks, or cell values */
      sudoku: string | ArrayLike<number>;
      /** the box shape (default: implied by the size, 4x4 -> 2x2, 6x6 -> 2x3, 9x9 -> 3x3) */
      box?: SudokuBox;
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
    }
  | {
      /** the input: a list of symbols, a grid (rows), or text as `hrm data custom` reads a CSV cell (see parseSequenceText) */
      custom: CustomSequence | string;
      /** the dataset's custom.json (readCustomTaskInfo): its symbols and sequence length */
      info: CustomTaskInfo;
    };

/** A puzzle's answer in its task's form: a Sudoku string, a maze string, an ARC grid, or a custom task's symbols (space-separated unless all are one character). */
export type PuzzleAnswer = string | ArcGrid;

/** The tasks. */
export type PuzzleTask = 'sudoku' | 'maze' | 'arc' | 'custom';

/** A puzzle encoded for a model, with the way back from predicted tokens. */
export interface EncodedPuzzle {
  /** the task the puzzle is from */
  task: PuzzleTask;
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
  /** a custom task's custom.json, to name its tokens (custom puzzles only) */
  custom?: CustomTaskInfo;
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

function encodeSudokuPuzzle(sudoku: string | ArrayLike<number>, box: SudokuBox | undefined): EncodedPuzzle {
  const { geo, cells } = toSudokuGrid(sudoku, box, 'sudoku puzzle');
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

/** The rows and columns a custom task's token row is shown as: the grid when the examples are grids of one width, else one row. */
function customShape(info: CustomTaskInfo): { rows: number; cols: number } {
  const c = info.gridColumns;
  return c !== undefined && info.seqLen % c === 0 ? { rows: info.seqLen / c, cols: c } : { rows: 1, cols: info.seqLen };
}

/** A custom task's token row as symbols, row by row ({@link customShape}); PAD is '', a token outside the vocabulary {@link UNKNOWN_CELL}. */
function customCells(tokens: ArrayLike<number>, info: CustomTaskInfo | undefined): string[][] {
  const symbol = (t: number) => (t === 0 ? '' : info ? (info.symbols[t - 1] ?? UNKNOWN_CELL) : String(t));
  const { rows, cols } = info && tokens.length === info.seqLen ? customShape(info) : { rows: 1, cols: tokens.length };
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => symbol(tokens[r * cols + c])));
}

function encodeCustomPuzzle(custom: CustomSequence | string, info: CustomTaskInfo): EncodedPuzzle {
  if (!info || !Array.isArray(info.symbols) || !Number.isInteger(info.seqLen)) throw invalidArgument('custom puzzle: info must be the dataset\'s custom.json (readCustomTaskInfo)');
  const vocab = new CustomVocabulary(info.symbols);
  const side = typeof custom === 'string' ? parseSequenceText(custom) : custom;
  const { tokens } = encodeCustomSide(side, vocab, info.seqLen, 'custom puzzle');
  const { rows, cols } = customShape(info);
  const sep = vocab.singleCharacters ? '' : ' ';
  // The answer stops at the first PAD: a shorter output is padded in the dataset's labels.
  const decode = (t: ArrayLike<number>) => {
    const cells = customCells(checkLength(t, rows, cols), info).flat();
    const end = cells.indexOf('');
    return (end < 0 ? cells : cells.slice(0, end)).join(sep);
  };
  const format = (t: ArrayLike<number>) =>
    customCells(checkLength(t, rows, cols), info)
      .map((row) => row.map((c) => (c === '' ? '.' : c)).join(sep))
      .join('\n');
  return { task: 'custom', tokens, puzzleIdentifier: 0, rows, cols, decode, format, custom: info };
}

/**
 * Encodes a puzzle for a model. Errors are `INVALID_ARGUMENT` (or `INVALID_DATA` for a maze with
 * a character outside "# SGo"): a malformed grid, a missing test input, or an ARC task that is not
 * in `identifiers` (the model would have no puzzle embedding for it).
 */
export function encodePuzzle(puzzle: Puzzle): EncodedPuzzle {
  if (!puzzle || typeof puzzle !== 'object') throw invalidArgument('encodePuzzle: expected {sudoku}, {maze}, {arcTask} or {custom, info}');
  if ('sudoku' in puzzle) return encodeSudokuPuzzle(puzzle.sudoku, puzzle.box);
  if ('maze' in puzzle) return encodeMazePuzzle(puzzle.maze);
  if ('arcTask' in puzzle) return encodeArcPuzzle(puzzle.arcTask, puzzle.testIndex ?? 0, puzzle.identifiers, puzzle.canvas ?? ARC_GRID_SIZE);
  if ('custom' in puzzle) return encodeCustomPuzzle(puzzle.custom, puzzle.info);
  throw invalidArgument('encodePuzzle: expected {sudoku}, {maze}, {arcTask} or {custom, info}');
}

/**
 * The task a built dataset split holds (`splitDir`, e.g. `<dataset>/test`), from its metadata: a
 * custom task's dataset has custom.json beside its splits (whatever its sizes); otherwise, from
 * dataset.json, ARC is a canvas of side 1 to 30 (seq_len its square, 900 for the reference's 30x30) over 12
 * token ids, a Sudoku n*n cells over n + 2 ids (n = 4,
 * 6, 9), a maze n*n cells over 6 ids. A 4x4 board fits both Sudoku and maze (16 cells, 6 ids);
 * there the first label row decides: a maze answer holds one start and one goal, a solved 4x4
 * Sudoku every digit four times. Metadata that fits no task is an `INVALID_DATA` error.
 */
export function datasetTask(splitDir: string): PuzzleTask {
  const m = readMetadata(splitDir);
  if (isCustomDataset(path.dirname(path.resolve(splitDir)))) return 'custom';
  const n = squareSide(m.seq_len);
  if (m.vocab_size === ARC_VOCAB_SIZE && n >= 1 && n <= ARC_GRID_SIZE) return 'arc';
  const sudoku = n > 0 && defaultSudokuBox(n) !== undefined && m.vocab_size === sudokuVocabSize(n);
  const maze = n > 0 && m.vocab_size === MAZE_VOCAB_SIZE;
  if (sudoku && maze) return firstLabelIsMaze(splitDir) ? 'maze' : 'sudoku';
  if (sudoku) return 'sudoku';
  if (maze) return 'maze';
  throw invalidData(
    `${splitDir}: seq_len ${m.seq_len} and vocab_size ${m.vocab_size} fit no task (ARC: a square up to 900 and ${ARC_VOCAB_SIZE}; Sudoku: n*n and n + 2 for n = 4, 6, 9; maze: n*n and ${MAZE_VOCAB_SIZE})`,
  );
}

/** True when the first label row of the split holds exactly one maze start and one goal token. */
function firstLabelIsMaze(splitDir: string): boolean {
  const split = new DatasetSplit(splitDir);
  try {
    const set = [...split.sets.values()].find((s) => s.labels.rows > 0);
    if (!set) return false;
    const { labels } = readExample(set, 0);
    const count = (t: number) => labels.reduce((k, v) => k + (v === t ? 1 : 0), 0);
    return count(MAZE_TOKENS.start) === 1 && count(MAZE_TOKENS.goal) === 1;
  } finally {
    split.close();
  }
}

/** The cell label of a token outside the task's cells (an untrained model may predict PAD). */
export const UNKNOWN_CELL = '?';
/** The cell label of ARC's end-of-grid token on a whole canvas ({@link tokenCells} with `canvas`). */
export const ARC_EOS_CELL = 'eos';

/**
 * A token row (a dataset row or a prediction) as the cells to draw, row by row: Sudoku digits
 * ('' for a blank), maze characters ('#', ' ', 'S', 'G', 'o'), ARC colours '0'..'9', a custom
 * task's symbols (with `custom`, its custom.json: one row, or the grid's rows; '' for PAD; without
 * it, token ids). A token that is no cell of the task is {@link UNKNOWN_CELL}. ARC rows are cropped as the scoring crops them
 * (hrm-spec 7.2); with `canvas`, ARC rows are instead the canvas cut to the box around every
 * non-PAD token (a training example placed off the corner keeps its edge), PAD inside as '' and
 * EOS as {@link ARC_EOS_CELL}.
 */
export function tokenCells(task: PuzzleTask, tokens: ArrayLike<number>, opts: { canvas?: boolean; custom?: CustomTaskInfo } = {}): string[][] {
  if (task !== 'sudoku' && task !== 'maze' && task !== 'arc' && task !== 'custom') throw invalidArgument(`tokenCells(): task must be sudoku, maze, arc or custom, got ${describeValue(task)}`);
  checkArrayLike(tokens, 'tokenCells(): tokens', 'an array of token ids');
  checkObject(opts, 'tokenCells(): opts');
  if (task === 'arc') return arcCells(tokens, opts.canvas ?? false);
  if (task === 'custom') return customCells(tokens, opts.custom);
  const n = squareSide(tokens.length);
  if (n < 0) throw invalidArgument(`tokenCells: ${tokens.length} tokens are not a square ${task} grid`);
  const cell =
    task === 'sudoku'
      ? (t: number) => (t === 1 ? '' : t >= 2 && t <= n + 1 ? String(t - 1) : UNKNOWN_CELL)
      : (t: number) => (t >= 1 && t <= MAZE_CHARSET.length ? MAZE_CHARSET[t - 1] : UNKNOWN_CELL);
  return Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => cell(tokens[r * n + c])));
}

function arcCells(tokens: ArrayLike<number>, canvas: boolean): string[][] {
  const S = arcCanvasOfSeqLen(tokens.length, 'tokenCells: the number of ARC tokens');
  if (!canvas) return decodeArcGrid(tokens, S).map((row) => row.map(String));
  let r0 = S;
  let r1 = -1;
  let c0 = S;
  let c1 = -1;
  for (let i = 0; i < S * S; i++) {
    if (tokens[i] === ARC_PAD) continue;
    const r = Math.floor(i / S);
    const c = i % S;
    [r0, r1, c0, c1] = [Math.min(r0, r), Math.max(r1, r), Math.min(c0, c), Math.max(c1, c)];
  }
  const cell = (t: number) => (t === ARC_PAD ? '' : t === ARC_EOS ? ARC_EOS_CELL : t >= ARC_COLOUR_OFFSET && t < ARC_COLOUR_OFFSET + 10 ? String(t - ARC_COLOUR_OFFSET) : UNKNOWN_CELL);
  const out: string[][] = [];
  for (let r = r0; r <= r1; r++) {
    const row: string[] = [];
    for (let c = c0; c <= c1; c++) row.push(cell(tokens[r * S + c]));
    out.push(row);
  }
  return out;
}
