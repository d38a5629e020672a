/** The puzzle codec (src/data/puzzle-codec.ts): puzzles of every task to tokens and back. */
import { ArcTask, decodeArcGrid, encodeArcGrid } from '../../src/data/arc';
import { encodeMaze, solveMaze } from '../../src/data/maze';
import { encodePuzzle } from '../../src/data/puzzle-codec';
import { encodeSudoku, parseSudoku } from '../../src/data/sudoku';
import { hasErrorCode } from '../../src/util/errors';
import { errorOf } from '../helpers/errors';

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
