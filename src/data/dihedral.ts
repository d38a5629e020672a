/**
 * The eight dihedral transforms of a rows x cols row-major grid (hrm-spec 6.4 ids, as numpy
 * computes them): 0 identity, 1 rot90 (numpy's counter-clockwise rot90, k=1), 2 rot180,
 * 3 rot270, 4 flip left-right, 5 flip up-down, 6 transpose, 7 anti-transpose (flip-lr of rot90).
 * The maze augmentation and the ARC augmentation both use them.
 * @module
 */
import { describeValue, invalidArgument } from '../util/errors';

/**
 * Inverse of each dihedral id: rot90 and rot270 undo each other, every other transform is its own
 * inverse.
 */
export const DIHEDRAL_INVERSE: readonly number[] = Object.freeze([0, 3, 2, 1, 4, 5, 6, 7]);

/** Checks a dihedral transform id (an integer 0..7) and returns it. */
export function checkDihedralId(tid: unknown): number {
  if (typeof tid !== 'number' || !Number.isInteger(tid) || tid < 0 || tid > 7) throw invalidArgument(`dihedral transform id must be an integer 0..7, got ${describeValue(tid)}`);
  return tid;
}

/** Shape of a rows x cols grid after transform `tid` (ids 1, 3, 6, 7 swap the sides). */
export function dihedralShape(tid: number, rows: number, cols: number): [number, number] {
  checkDihedralId(tid);
  return tid === 1 || tid === 3 || tid === 6 || tid === 7 ? [cols, rows] : [rows, cols];
}

/**
 * The gather map of transform `tid` on a rows x cols row-major grid: output cell k takes input cell
 * map[k]. It is a permutation of 0..rows*cols-1.
 */
export function dihedralIndexMap(tid: number, rows: number, cols: number = rows): Int32Array {
  checkDihedralId(tid);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw invalidArgument(`dihedralIndexMap(): rows and cols must be positive integers, got rows ${describeValue(rows)}, cols ${describeValue(cols)}`);
  const [outRows, outCols] = dihedralShape(tid, rows, cols);
  const map = new Int32Array(rows * cols);
  for (let i = 0; i < outRows; i++) {
    for (let j = 0; j < outCols; j++) {
      // (r, c): the input cell that lands at output (i, j), written out from numpy's definitions.
      let r: number;
      let c: number;
      switch (tid) {
        case 0: r = i; c = j; break;
        case 1: r = j; c = cols - 1 - i; break; // rot90: out[i, j] = in[j, W-1-i]
        case 2: r = rows - 1 - i; c = cols - 1 - j; break;
        case 3: r = rows - 1 - j; c = i; break; // rot270: out[i, j] = in[H-1-j, i]
        case 4: r = i; c = cols - 1 - j; break;
        case 5: r = rows - 1 - i; c = j; break;
        case 6: r = j; c = i; break;
        default: r = rows - 1 - j; c = cols - 1 - i; break; // fliplr(rot90): in[H-1-j, W-1-i]
      }
      map[i * outCols + j] = r * cols + c;
    }
  }
  return map;
}

/**
 * Applies dihedral transform `tid` to a rows x cols row-major grid (a maze string or a token row),
 * returning the same kind of value. Undo it with `dihedralTransform(out, DIHEDRAL_INVERSE[tid], ...)`
 * using the transformed shape, or with inverseDihedralTransform.
 */
export function dihedralTransform<T extends string | Uint8Array>(grid: T, tid: number, rows: number, cols: number = rows): T {
  if (grid.length !== rows * cols) throw invalidArgument(`dihedralTransform: the grid has ${grid.length} cells, expected ${rows} x ${cols} = ${rows * cols}`);
  const map = dihedralIndexMap(tid, rows, cols);
  if (typeof grid === 'string') {
    let s = '';
    for (let k = 0; k < map.length; k++) s += grid[map[k]];
    return s as T;
  }
  const src = grid as Uint8Array;
  const out = new Uint8Array(src.length);
  for (let k = 0; k < map.length; k++) out[k] = src[map[k]];
  return out as T;
}

/** Undoes dihedralTransform(grid, tid, rows, cols): `grid` here is the transformed grid, rows x cols the ORIGINAL shape. */
export function inverseDihedralTransform<T extends string | Uint8Array>(grid: T, tid: number, rows: number, cols: number = rows): T {
  const [tr, tc] = dihedralShape(tid, rows, cols);
  return dihedralTransform(grid, DIHEDRAL_INVERSE[tid], tr, tc);
}

