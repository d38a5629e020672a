/**
 * The ARC token encoding (hrm-spec 6.4) and the scoring's decoder (hrm-spec 7.2): every grid on
 * a square canvas, PAD 0, EOS 1, colours 0..9 as 2..11. The reference's canvas is 30x30 (900
 * tokens), which holds every ARC grid; a smaller canvas (e.g. 10x10, 100 tokens) holds only the
 * tasks whose grids all fit, for small runs. Every function takes the canvas side, default 30.
 *
 * A built dataset does not store its canvas separately: it is the square root of `seq_len` in its
 * dataset.json (see {@link arcCanvasOfSeqLen}, and readArcCanvas for a dataset folder).
 * @module
 */
import { describeValue, invalidArgument } from '../../util/errors';
import { ARC_GRID_SIZE, Grid, toGrid } from './grid';
import { ArcGrid } from './types';

/** Tokens per example on the reference canvas: 30x30 flattened row-major. */
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
 * Checks a canvas side: an integer from 1 to 30 (ARC grids are at most 30x30, so a larger canvas
 * would only add padding). Returns it; throws `INVALID_ARGUMENT` naming `what` otherwise.
 */
export function checkArcCanvas(canvas: number, what = 'canvas'): number {
  if (!Number.isInteger(canvas) || canvas < 1 || canvas > ARC_GRID_SIZE) {
    throw invalidArgument(`${what} must be an integer side length from 1 to ${ARC_GRID_SIZE} (the canvas is canvas x canvas tokens), got ${canvas}`);
  }
  return canvas;
}

/** Tokens per example on a canvas of side `canvas` (canvas^2). */
export function arcSeqLen(canvas: number = ARC_GRID_SIZE): number {
  return checkArcCanvas(canvas) ** 2;
}

/**
 * The canvas side of an ARC sequence length: the integer whose square is `seqLen` (30 for 900,
 * 10 for 100). Throws `INVALID_ARGUMENT` naming `what` if `seqLen` is not the square of a side
 * from 1 to 30.
 */
export function arcCanvasOfSeqLen(seqLen: number, what = 'seq_len'): number {
  if (typeof what !== 'string') throw invalidArgument(`arcCanvasOfSeqLen(): what must be a string, got ${describeValue(what)}`);
  if (typeof seqLen !== 'number') throw invalidArgument(`${what} must be a number of tokens (canvas x canvas), got ${describeValue(seqLen)}`);
  const side = Math.round(Math.sqrt(seqLen));
  if (!Number.isInteger(seqLen) || side * side !== seqLen || side < 1 || side > ARC_GRID_SIZE) {
    throw invalidArgument(`${what} ${seqLen} is not an ARC canvas: ARC sequences are canvas x canvas tokens with a side from 1 to ${ARC_GRID_SIZE} (900 for the 30x30 canvas)`);
  }
  return side;
}

/** Whether a grid fits a canvas of side `canvas`. */
export function gridFitsCanvas(g: { h: number; w: number }, canvas: number): boolean {
  return g.h <= canvas && g.w <= canvas;
}

/**
 * Writes grid `g` at (r0, c0) into a zeroed canvas of `canvas`^2 tokens (default 30x30) starting
 * at `out[offset]`: colours as c + 2, EOS on the row just below the grid (within its columns) and
 * on the column just right of it (within its rows) where those exist on the canvas; the corner
 * cell and the rest stay PAD. The caller makes sure the grid fits at (r0, c0).
 */
export function encodeGridInto(g: Grid, r0: number, c0: number, out: Uint8Array, offset: number, canvas: number = ARC_GRID_SIZE): void {
  const S = canvas;
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

/** Where {@link encodeArcGrid} places a grid, and on which canvas. */
export interface ArcEncodeOptions {
  /** row of the grid's top-left corner (default 0) */
  row?: number;
  /** column of the grid's top-left corner (default 0) */
  col?: number;
  /** the canvas side (default 30, the reference's) */
  canvas?: number;
}

/**
 * Encodes one grid as canvas^2 tokens (900 by default) with its top-left corner at (row, col)
 * (default (0, 0)). Throws `INVALID_ARGUMENT` if the grid does not fit the canvas at that offset.
 */
export function encodeArcGrid(grid: ArcGrid, options: ArcEncodeOptions = {}): Uint8Array {
  const { row = 0, col = 0, canvas = ARC_GRID_SIZE } = options;
  const S = checkArcCanvas(canvas);
  const g = toGrid(grid, 'grid');
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row + g.h > S || col + g.w > S) {
    throw invalidArgument(`a ${g.h}x${g.w} grid does not fit the ${S}x${S} canvas at offset (${row}, ${col})`);
  }
  const out = new Uint8Array(S * S);
  encodeGridInto(g, row, col, out, 0, S);
  return out;
}

/**
 * Decodes canvas^2 tokens (a label row or an argmax prediction; 900 by default) back to a grid,
 * cropping as the reference scoring does (hrm-spec 7.2 step 2): scan rows from the top, keeping a
 * running width that shrinks to the first non-colour token (anything outside 2..11) of each row;
 * of the (rows, width) rectangles met, keep the first with the largest area; subtract the colour
 * offset. A prediction whose first token is not a colour decodes to the empty grid [].
 */
export function decodeArcGrid(tokens: ArrayLike<number | bigint>, canvas: number = ARC_GRID_SIZE): ArcGrid {
  const S = checkArcCanvas(canvas);
  if (!tokens || tokens.length !== S * S) throw invalidArgument(`decodeArcGrid: expected ${S * S} tokens (a ${S}x${S} canvas), got ${tokens?.length}`);
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
