/** Sudoku strings and tokens (src/data/sudoku/codec.ts, grid.ts; hrm-spec 6.2). */
import { decodeSudoku, encodeSudoku, formatSudoku, parseSudoku } from '../../../src/data/sudoku';
import { Q } from './helpers';

describe('encoding and parsing (hrm-spec 6.2)', () => {
  test('cells v -> tokens v + 1, blank -> 1, PAD 0 never produced; decode inverts', () => {
    const q = parseSudoku(Q);
    expect(parseSudoku(Q.replace(/\./g, '0'))).toEqual(q);
    const tok = encodeSudoku(q);
    expect(tok[0]).toBe(6); // '5'
    expect(tok[1]).toBe(1); // '.'
    expect(Math.min(...tok)).toBe(1);
    expect(Math.max(...tok)).toBeLessThanOrEqual(10);
    expect(decodeSudoku(tok)).toEqual(q);
    expect(formatSudoku(q)).toBe(Q);
    expect(() => decodeSudoku(new Uint8Array(81))).toThrow(/token 0 at position 0/);
    expect(() => parseSudoku(Q.slice(0, 80))).toThrow(/cannot infer the sudoku size from 80 cells/);
    expect(() => parseSudoku('x' + Q.slice(1))).toThrow(/character "x" at position 0/);
  });
});
