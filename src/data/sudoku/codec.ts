/**
 * The reference's Sudoku token encoding and dataset.json values (hrm-spec 6.2): PAD 0, blank 1,
 * digit k -> k + 1.
 * @module
 */
import { checkArrayLike, invalidArgument } from '../../util/errors';
import type { DatasetMetadata } from '../format/dataset';
import { SudokuBox, SudokuGeometry } from './geometry';

/** Token id of padding. It never occurs in Sudoku data (hrm-spec 6.2). */
export const SUDOKU_PAD_ID = 0;
/** Labels equal to this id are ignored by the loss; since tokens are v + 1 >= 1 nothing is ignored, so all cells are supervised. */
export const SUDOKU_IGNORE_LABEL_ID = 0;

/** Vocabulary size for an n x n board: PAD + blank + n digits (11 for 9x9). */
export function sudokuVocabSize(n = 9): number {
  return n + 2;
}

/** Encodes cell values v (0 = blank) as tokens v + 1 (hrm-spec 6.2: PAD 0, blank 1, digit k -> k + 1). */
export function encodeSudoku(grid: ArrayLike<number>, into?: Uint8Array, offset = 0): Uint8Array {
  const out = into ?? new Uint8Array(grid.length);
  for (let i = 0; i < grid.length; i++) out[offset + i] = grid[i] + 1;
  return out;
}

/** Decodes tokens back to cell values (token - 1); PAD (0) or tokens above n + 1 are errors. */
export function decodeSudoku(tokens: ArrayLike<number>, box?: SudokuBox): Uint8Array {
  checkArrayLike(tokens, 'decodeSudoku(): tokens', 'an array of token ids');
  const geo = SudokuGeometry.forCells(tokens.length, box);
  const out = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!Number.isInteger(t) || t < 1 || t > geo.n + 1) throw invalidArgument(`decodeSudoku: token ${t} at position ${i} is not a cell token (1..${geo.n + 1})`);
    out[i] = t - 1;
  }
  return out;
}

/** dataset.json values for a Sudoku split (hrm-spec 6.2); `totalGroups` = number of source puzzles. */
export function sudokuMetadata(totalGroups: number, n = 9): DatasetMetadata {
  return {
    pad_id: SUDOKU_PAD_ID,
    ignore_label_id: SUDOKU_IGNORE_LABEL_ID,
    blank_identifier_id: 0,
    vocab_size: sudokuVocabSize(n),
    seq_len: n * n,
    num_puzzle_identifiers: 1,
    total_groups: totalGroups,
    mean_puzzle_examples: 1,
    sets: ['all'],
  };
}
