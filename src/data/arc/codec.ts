/**
 * The ARC token encoding (hrm-spec 6.4) and the scoring's decoder (hrm-spec 7.2): every grid on
 * a 30x30 canvas of 900 tokens, PAD 0, EOS 1, colours 0..9 as 2..11.
 * @module
 */
import { invalidArgument } from '../../util/errors';
import { ARC_GRID_SIZE, Grid, toGrid } from './grid';
import { ArcGrid } from './types';

/** Tokens per example: the 30x30 canvas flattened row-major. */
export const ARC_SEQ_LEN = ARC_GRID_SIZE * ARC_GRID_SIZE;
/** PAD 0, EOS 1, colours 0..9 as 2..11 (hrm-spec 6.4). */
export const ARC_VOCAB_SIZE = 12;
/** The padding token. */
export const ARC_PAD = 0;
/** The token that marks a grid's right and bottom edges. */
export const ARC_EOS = 1;
/** Colour c is token c + ARC_COLOUR_OFFSET. */
export const ARC_COLOUR_OFFSET = 2;

/**
 * Writes grid `g` at (r0, c0) into a zeroed 900-token canvas starting at `out[offset]`: colours
 * as c + 2, EOS on the row just below the grid (within its columns) and on the column just right
 * of it (within its rows) where those exist on the canvas; the corner cell and the rest stay PAD.
 */
export function encodeGridInto(g: Grid, r0: number, c0: number, out: Uint8Array, offset: number): void {
  const S = ARC_GRID_SIZE;
  for (let r = 0; r < g.h; r++) {
    const base = offset + (r0 + r) * S + c0;
    for (let c = 0; c < g.w; c++) out[base + c] = g.d[r * g.w + c] + ARC_COLOUR_OFFSET;
    if (c0 + g.w < S) out[base + g.w] = ARC_EOS;
  }
  if (r0 + g.h < S) {
    const base = offset + (r0 + g.h) * S + c0;
    for (let c = 0; c < g.w; c++) out[base + c] = ARC_EOS;
  }
}

/**
 * Encodes one grid as 900 tokens with its top-left corner at (row, col) (default (0, 0)). Throws
 * if the grid does not fit on the 30x30 canvas at that offset.
 */
export function encodeArcGrid(grid: ArcGrid, offset: { row: number; col: number } = { row: 0, col: 0 }): Uint8Array {
  const g = toGrid(grid, 'grid');
  const { row, col } = offset;
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row + g.h > ARC_GRID_SIZE || col + g.w > ARC_GRID_SIZE) {
    throw invalidArgument(`a ${g.h}x${g.w} grid does not fit the ${ARC_GRID_SIZE}x${ARC_GRID_SIZE} canvas at offset (${row}, ${col})`);
  }
  const out = new Uint8Array(ARC_SEQ_LEN);
  encodeGridInto(g, row, col, out, 0);
  return out;
}

/**
 * Decodes 900 tokens (a label row or an argmax prediction) back to a grid, cropping as the
 * reference scoring does (hrm-spec 7.2 step 2): scan rows from the top, keeping a running width
 * that shrinks to the first non-colour token (anything outside 2..11) of each row; of the
 * (rows, width) rectangles met, keep the first with the largest area; subtract the colour offset.
 * A prediction whose first token is not a colour decodes to the empty grid [].
 */
export function decodeArcGrid(tokens: ArrayLike<number | bigint>): ArcGrid {
  const S = ARC_GRID_SIZE;
  if (tokens.length !== ARC_SEQ_LEN) throw invalidArgument(`decodeArcGrid: expected ${ARC_SEQ_LEN} tokens (a 30x30 canvas), got ${tokens.length}`);
  const isColour = (v: number | bigint) => v >= ARC_COLOUR_OFFSET && v <= ARC_COLOUR_OFFSET + 9;
  let width = S;
  let bestArea = 0;
  let bestRows = 0;
  let bestCols = 0;
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < width; c++) {
      if (!isColour(tokens[r * S + c])) {
        width = c;
        break;
      }
    }
    const area = (r + 1) * width;
    if (area > bestArea) {
      bestArea = area;
      bestRows = r + 1;
      bestCols = width;
    }
  }
  const out: ArcGrid = [];
  for (let r = 0; r < bestRows; r++) {
    const row: number[] = [];
    for (let c = 0; c < bestCols; c++) row.push(Number(tokens[r * S + c]) - ARC_COLOUR_OFFSET);
    out.push(row);
  }
  return out;
}
