/** Sudoku tokens (src/data/sudoku/codec.ts; hrm-spec 6.2); strings are in grid.test.ts. */
import { decodeSudoku, encodeSudoku, parseSudoku } from '../../../src/data/sudoku';
import { Q } from './helpers';
import * as subject from '../../../src/data/sudoku/codec';
import { expectInvalidArgument } from '../../helpers/errors';

describe('encoding (hrm-spec 6.2)', () => {
  test('cells v -> tokens v + 1, blank -> 1, PAD 0 never produced; decode inverts', () => {
    const q = parseSudoku(Q);
    const tok = encodeSudoku(q);
    expect(tok[0]).toBe(6); // '5'
    expect(tok[1]).toBe(1); // '.'
    expect(Math.min(...tok)).toBe(1);
    expect(Math.max(...tok)).toBeLessThanOrEqual(10);
    expect(decodeSudoku(tok)).toEqual(q);
    expect(() => decodeSudoku(new Uint8Array(81))).toThrow(/token 0 at position 0/);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('decodeSudoku names tokens that are not an array', () => {
    expectInvalidArgument(() => subject.decodeSudoku(undefined as never), 'decodeSudoku(): tokens must be an array of token ids, got undefined');
  });
});
