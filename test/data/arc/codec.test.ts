/** The ARC encoding against hand-written arrays and the scoring crop (src/data/arc/codec.ts; hrm-spec 6.4, 7.2). */
import { decodeArcGrid, encodeArcGrid } from '../../../src/data/arc';
import { Rng } from '../../../src/data/random';
import { canvas, randomGrid } from './helpers';
import * as subject from '../../../src/data/arc/codec';
import { expectInvalidArgument } from '../../helpers/errors';

describe('encoding (hrm-spec 6.4)', () => {
  test('a 2x2 grid at (0, 0): colour + 2, EOS right and below, corner PAD', () => {
    const got = encodeArcGrid([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(got)).toEqual(Array.from(canvas({ 0: [3, 4, 1], 1: [5, 6, 1], 2: [1, 1, 0] })));
  });

  test('the same grid at offset (1, 2)', () => {
    const got = encodeArcGrid(
      [
        [1, 2],
        [3, 4],
      ],
      { row: 1, col: 2 },
    );
    expect(Array.from(got)).toEqual(Array.from(canvas({ 1: [0, 0, 3, 4, 1], 2: [0, 0, 5, 6, 1], 3: [0, 0, 1, 1, 0] })));
  });

  test('grids touching the canvas edge get no EOS beyond it', () => {
    const wide = encodeArcGrid([Array(30).fill(0)]);
    expect(Array.from(wide.subarray(0, 30))).toEqual(Array(30).fill(2));
    expect(Array.from(wide.subarray(30, 60))).toEqual(Array(30).fill(1));
    expect(wide.subarray(60).every((v) => v === 0)).toBe(true);
    const tall = encodeArcGrid(Array.from({ length: 30 }, () => [9]));
    for (let r = 0; r < 30; r++) expect(Array.from(tall.subarray(r * 30, r * 30 + 3))).toEqual([11, 1, 0]);
    const full = encodeArcGrid(Array.from({ length: 30 }, () => Array(30).fill(5)));
    expect(full.every((v) => v === 7)).toBe(true);
    // bottom-right placement: the last row/column is on the edge
    const corner = encodeArcGrid([[3]], { row: 29, col: 29 });
    expect(corner[899]).toBe(5);
    expect(corner.reduce((a, b) => a + b, 0)).toBe(5);
  });

  test('bad grids and offsets are rejected', () => {
    expect(() => encodeArcGrid([[1]], { row: 30, col: 0 })).toThrow(/does not fit/);
    expect(() => encodeArcGrid([[1, 2], [3]])).toThrow(/not rectangular/);
    expect(() => encodeArcGrid([[10]])).toThrow(/colours are integers 0..9/);
  });
});

describe('decoder (hrm-spec 7.2 crop)', () => {
  test('decodes every encoded grid back, including edge-sized ones', () => {
    const rng = new Rng(5);
    for (const [h, w] of [[1, 1], [1, 30], [30, 1], [30, 30], [29, 30], [2, 3], [13, 27]]) {
      const grid = randomGrid(rng, h, w);
      expect(decodeArcGrid(encodeArcGrid(grid))).toEqual(grid);
    }
    // typed arrays of other integer types are accepted
    const grid = randomGrid(rng, 4, 5);
    expect(decodeArcGrid(Int32Array.from(encodeArcGrid(grid)))).toEqual(grid);
    expect(decodeArcGrid(BigInt64Array.from(encodeArcGrid(grid), (v) => BigInt(v)))).toEqual(grid);
  });

  test('crops a ragged prediction to the first largest top-left colour rectangle', () => {
    // row 0: 3 colours then EOS; row 1: 2 colours then PAD; row 2: starts with EOS.
    // Candidate rectangles: 1x3 (3), 2x2 (4), 3x0 (0) -> 2x2.
    const pred = canvas({ 0: [2, 3, 4, 1], 1: [5, 6, 0, 7], 2: [1, 8] });
    expect(decodeArcGrid(pred)).toEqual([
      [0, 1],
      [3, 4],
    ]);
    // ties keep the first: 1x2 (2) vs 2x1 (2) -> 1x2
    expect(decodeArcGrid(canvas({ 0: [2, 3, 1], 1: [4, 1] }))).toEqual([[0, 1]]);
    // nothing at the origin (e.g. a translated example): empty
    expect(decodeArcGrid(encodeArcGrid([[1]], { row: 1, col: 1 }))).toEqual([]);
    expect(() => decodeArcGrid(new Uint8Array(899))).toThrow(/900 tokens/);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('arcCanvasOfSeqLen names a sequence length that is not a number', () => {
    expectInvalidArgument(() => subject.arcCanvasOfSeqLen(undefined as never), 'seq_len must be a number of tokens (canvas x canvas), got undefined');
  });
});
