/**
 * ARC grids inside the builder: a flat Uint8Array in row-major order with its shape, like the
 * reference's uint8 numpy arrays, so that hashing sees the same bytes; conversion from and to the
 * task files' nested lists, with the reference's validity rules.
 * @module
 */
import { invalidArgument, invalidData } from '../../util/errors';
import { ArcGrid } from './types';

/** The largest ARC grid side (grids are 1x1 .. 30x30), and the reference's canvas side: the default canvas of the builder and codec. */
export const ARC_GRID_SIZE = 30;

/** A grid as h rows of w colours, `d` holding the [h, w] cells row-major. */
export interface Grid {
  h: number;
  w: number;
  d: Uint8Array;
}

/**
 * Validates a grid as the reference does (2-D, at most 30x30, values 0..9); we also require it to
 * be non-empty. Errors are `INVALID_DATA`, prefixed by `where()`.
 */
export function parseGrid(raw: unknown, where: () => string): Grid {
  if (!Array.isArray(raw) || raw.length === 0) throw invalidData(`${where()} must be a non-empty list of rows`);
  const h = raw.length;
  const first = raw[0];
  if (!Array.isArray(first) || first.length === 0) throw invalidData(`${where()} row 0 must be a non-empty list of colours`);
  const w = first.length;
  if (h > ARC_GRID_SIZE || w > ARC_GRID_SIZE) throw invalidData(`${where()} is ${h}x${w}; ARC grids are at most ${ARC_GRID_SIZE}x${ARC_GRID_SIZE}`);
  const d = new Uint8Array(h * w);
  for (let r = 0; r < h; r++) {
    const row = raw[r];
    if (!Array.isArray(row)) throw invalidData(`${where()} row ${r} is not a list`);
    if (row.length !== w) throw invalidData(`${where()} is not rectangular: row ${r} has ${row.length} cells, row 0 has ${w}`);
    for (let c = 0; c < w; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 9) {
        throw invalidData(`${where()} cell (${r}, ${c}) is ${JSON.stringify(v)}; colours are integers 0..9`);
      }
      d[r * w + c] = v;
    }
  }
  return { h, w, d };
}

/** A caller's grid, checked (errors are `INVALID_ARGUMENT`, prefixed by `what`). */
export function toGrid(g: ArcGrid, what: string): Grid {
  try {
    return parseGrid(g, () => what);
  } catch (e) {
    throw invalidArgument((e as Error).message);
  }
}

/** The nested-list form of a grid. */
export function fromGrid(g: Grid): ArcGrid {
  const out: ArcGrid = [];
  for (let r = 0; r < g.h; r++) out.push(Array.from(g.d.subarray(r * g.w, (r + 1) * g.w)));
  return out;
}
