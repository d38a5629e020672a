/** The puzzle codec (src/data/puzzle-codec.ts): puzzles of every task to tokens and back; a dataset's task; token rows as cells. */
import * as fs from 'fs';
import * as path from 'path';
import { ArcTask, decodeArcGrid, encodeArcGrid } from '../../src/data/arc';
import { writeMetadata } from '../../src/data/format';
import { encodeMaze, solveMaze } from '../../src/data/maze';
import { ARC_EOS_CELL, UNKNOWN_CELL, datasetTask, encodePuzzle, tokenCells } from '../../src/data/puzzle-codec';
import { encodeSudoku, parseSudoku, sudokuMetadata } from '../../src/data/sudoku';
import { hasErrorCode } from '../../src/util/errors';
import { tinyArcDataset, tinyMazeDataset, tinySudokuDataset } from '../helpers/datasets';
import { errorOf } from '../helpers/errors';
import { scratchFolders } from './scratch';
import * as subject from '../../src/data/puzzle-codec';
import { expectInvalidArgument } from '../helpers/errors';

const Q = '5...27..9..41......1..5.3...92.6.8...5......66..7..29.8...7...2.......8...9..36..';
const A = '583427169974136528216859374792364851351298746648715293865971432137642985429583617';

describe('sudoku', () => {
  test('a string or cell values give the reference tokens; decode and format give the answer back', () => {
    const e = encodePuzzle({ sudoku: Q });
    expect(e.task).toBe('sudoku');
    expect(Array.from(e.tokens)).toEqual(Array.from(encodeSudoku(parseSudoku(Q))));
    expect([e.rows, e.cols, e.puzzleIdentifier]).toEqual([9, 9, 0]);
    expect(Array.from(encodePuzzle({ sudoku: parseSudoku(Q) }).tokens)).toEqual(Array.from(e.tokens));
    const answerTokens = Int32Array.from(encodeSudoku(parseSudoku(A)));
    expect(e.decode(answerTokens)).toBe(A);
    expect(e.format(answerTokens)).toBe(A.match(/.{9}/g)!.join('\n'));
    expect(e.format(e.tokens)).toBe(Q.match(/.{9}/g)!.join('\n'));
    const small = encodePuzzle({ sudoku: '1..4' + '....' + '....' + '4..1' });
    expect([small.rows, small.cols]).toEqual([4, 4]);
  });

  test('bad grids and token rows are INVALID_ARGUMENT errors', () => {
    expect(hasErrorCode(errorOf(() => encodePuzzle({ sudoku: Q.slice(1) })), 'INVALID_ARGUMENT')).toBe(true);
    expect(errorOf(() => encodePuzzle({ sudoku: [10, ...new Array(80).fill(0)] })).message).toMatch(/cell 0 holds 10/);
    const e = encodePuzzle({ sudoku: Q });
    expect(errorOf(() => e.decode(new Int32Array(80))).message).toMatch(/expected 81 tokens \(9 x 9\), got 80/);
  });
});

describe('maze', () => {
  const rows = ['#S  ', ' ## ', '    ', '  G#'];
  const grid = rows.join('');

  test('a row-major string or rows separated by newlines (CRLF, trailing newline) encode alike', () => {
    const e = encodePuzzle({ maze: grid });
    expect(e.task).toBe('maze');
    expect(Array.from(e.tokens)).toEqual(Array.from(encodeMaze(grid)));
    expect([e.rows, e.cols, e.puzzleIdentifier]).toEqual([4, 4, 0]);
    expect(Array.from(encodePuzzle({ maze: rows.join('\n') + '\n' }).tokens)).toEqual(Array.from(e.tokens));
    expect(Array.from(encodePuzzle({ maze: rows.join('\r\n') }).tokens)).toEqual(Array.from(e.tokens));
    const answer = solveMaze(grid);
    const answerTokens = Int32Array.from(encodeMaze(answer));
    expect(e.decode(answerTokens)).toBe(answer);
    expect(e.format(answerTokens)).toBe(answer.match(/.{4}/g)!.join('\n'));
  });

  test('ragged rows, non-square grids and unknown characters are errors', () => {
    expect(errorOf(() => encodePuzzle({ maze: '#S \n G#\n' })).message).toMatch(/row 1 has 3 cells; a maze of 2 rows needs 2/);
    expect(errorOf(() => encodePuzzle({ maze: 'S G' })).message).toMatch(/not a square grid/);
    expect(hasErrorCode(errorOf(() => encodePuzzle({ maze: '#x  ' })), 'INVALID_DATA')).toBe(true);
  });
});

describe('ARC', () => {
  const task: ArcTask = {
    name: 'abc123',
    file: 'abc123.json',
    train: [{ input: [[1]], output: [[2]] }],
    test: [
      { input: [[1, 2], [3, 4]], output: [[4, 3], [2, 1]] },
      { input: [[5]], output: [[6]] },
    ],
  };
  const identifiers = ['<blank>', 'other', 'abc123'];

  test('the test input on the 30x30 canvas, with the task identifier; decode crops the predicted grid', () => {
    const e = encodePuzzle({ arcTask: task, identifiers });
    expect(e.task).toBe('arc');
    expect(Array.from(e.tokens)).toEqual(Array.from(encodeArcGrid(task.test[0].input)));
    expect([e.rows, e.cols, e.puzzleIdentifier]).toEqual([30, 30, 2]);
    const prediction = Int32Array.from(encodeArcGrid(task.test[0].output));
    expect(e.decode(prediction)).toEqual(task.test[0].output);
    expect(e.decode(prediction)).toEqual(decodeArcGrid(prediction));
    expect(e.format(prediction)).toBe('43\n21');
    expect(Array.from(encodePuzzle({ arcTask: task, testIndex: 1, identifiers }).tokens)).toEqual(Array.from(encodeArcGrid([[5]])));
  });

  test('a task not in the identifiers, missing identifiers or a missing test input are INVALID_ARGUMENT errors naming the task', () => {
    const unknown = errorOf(() => encodePuzzle({ arcTask: task, identifiers: ['<blank>', 'other'] }));
    expect(hasErrorCode(unknown, 'INVALID_ARGUMENT')).toBe(true);
    expect(unknown.message).toMatch(/ARC task abc123 is not in the dataset's identifiers/);
    const none = errorOf(() => encodePuzzle({ arcTask: task }));
    expect(hasErrorCode(none, 'INVALID_ARGUMENT')).toBe(true);
    expect(none.message).toMatch(/ARC task abc123: give identifiers/);
    expect(errorOf(() => encodePuzzle({ arcTask: task, testIndex: 2, identifiers })).message).toMatch(/abc123 has no test input 2/);
  });
});

test('anything else is an INVALID_ARGUMENT error', () => {
  expect(hasErrorCode(errorOf(() => encodePuzzle({} as never)), 'INVALID_ARGUMENT')).toBe(true);
  expect(hasErrorCode(errorOf(() => encodePuzzle(null as never)), 'INVALID_ARGUMENT')).toBe(true);
});

describe('datasetTask and tokenCells', () => {
  const scratch = scratchFolders('puzzle-codec-');

  test('the task of each built dataset, from its metadata; a 4x4 Sudoku and a 4x4 maze (same metadata) told apart by their labels', () => {
    const dir = scratch();
    const sudoku = tinySudokuDataset(dir);
    const maze = tinyMazeDataset(dir);
    const arc = tinyArcDataset(dir);
    expect(JSON.parse(fs.readFileSync(path.join(sudoku, 'train', 'dataset.json'), 'utf8'))).toMatchObject({ seq_len: 16, vocab_size: 6 });
    expect(JSON.parse(fs.readFileSync(path.join(maze, 'train', 'dataset.json'), 'utf8'))).toMatchObject({ seq_len: 16, vocab_size: 6 });
    for (const split of ['train', 'test']) {
      expect(datasetTask(path.join(sudoku, split))).toBe('sudoku');
      expect(datasetTask(path.join(maze, split))).toBe('maze');
      expect(datasetTask(path.join(arc, split))).toBe('arc');
    }
    fs.mkdirSync(path.join(dir, 'odd'));
    writeMetadata(path.join(dir, 'odd'), { ...sudokuMetadata(1), seq_len: 10 });
    const e = errorOf(() => datasetTask(path.join(dir, 'odd')));
    expect(hasErrorCode(e, 'INVALID_DATA')).toBe(true);
    expect(e.message).toMatch(/seq_len 10 and vocab_size 11 fit no task/);
    expect(hasErrorCode(errorOf(() => datasetTask(path.join(dir, 'nothing'))), 'CORRUPT_FILE')).toBe(true);
  });

  test('token rows as cells: Sudoku digits with blanks, maze characters, ARC colours; other tokens are unknown cells', () => {
    expect(tokenCells('sudoku', encodeSudoku(parseSudoku('1...3..2..4.2...')))).toEqual([['1', '', '', ''], ['3', '', '', '2'], ['', '', '4', ''], ['2', '', '', '']]);
    expect(tokenCells('sudoku', [0, 2, 3, 6])).toEqual([[UNKNOWN_CELL, '1'], ['2', UNKNOWN_CELL]]); // PAD and a digit above 4
    expect(tokenCells('maze', encodeMaze('S #G'))).toEqual([['S', ' '], ['#', 'G']]);
    expect(tokenCells('maze', [1, 2, 0, 5])).toEqual([['#', ' '], [UNKNOWN_CELL, 'o']]);
    const grid = [[4, 3, 0], [2, 1, 9]];
    expect(tokenCells('arc', encodeArcGrid(grid))).toEqual(grid.map((r) => r.map(String)));
    expect(() => tokenCells('sudoku', [1, 2, 3])).toThrow(/3 tokens are not a square sudoku grid/);
  });

  test('an ARC row placed off the corner: the scored crop is empty, the canvas shows the grid with its end-of-grid edge', () => {
    const grid = [[4, 3], [2, 1]];
    const tokens = encodeArcGrid(grid, { row: 3, col: 5 });
    expect(tokenCells('arc', tokens)).toEqual([]);
    expect(tokenCells('arc', tokens, { canvas: true })).toEqual([
      ['4', '3', ARC_EOS_CELL],
      ['2', '1', ARC_EOS_CELL],
      [ARC_EOS_CELL, ARC_EOS_CELL, ''],
    ]);
    expect(tokenCells('arc', new Uint8Array(900), { canvas: true })).toEqual([]);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('tokenCells names a bad task or tokens', () => {
    expectInvalidArgument(() => subject.tokenCells('chess' as never, []), 'tokenCells(): task must be sudoku, maze, arc or custom, got string "chess"');
    expectInvalidArgument(() => subject.tokenCells('sudoku', undefined as never), 'tokenCells(): tokens must be an array of token ids, got undefined');
  });
});
