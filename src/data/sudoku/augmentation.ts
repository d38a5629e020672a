/**
 * The reference's Sudoku augmentation (hrm-spec 6.2, datasets.md 2.3) as an invertible,
 * validity-preserving transform: digit permutation, optional transpose, band/row and
 * stack/column permutations.
 * @module
 */
import { checkArrayLike, checkObject, invalidArgument } from '../../util/errors';
import { Rng, checkRng } from '../random';
import { SudokuBox, SudokuGeometry } from './geometry';

function isPermutation(p: ArrayLike<number>, n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = p[i];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

function invertPermutation(p: ArrayLike<number>): number[] {
  const inv = new Array<number>(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]] = i;
  return inv;
}

/** True if a row (or column) permutation keeps bands of `size` lines together. */
function keepsBands(p: ArrayLike<number>, size: number): boolean {
  for (let start = 0; start < p.length; start += size) {
    const band = Math.floor(p[start] / size);
    for (let i = 1; i < size; i++) if (Math.floor(p[start + i] / size) !== band) return false;
  }
  return true;
}

/** The parameters of a validity-preserving sudoku transform. */
export interface SudokuTransformSpec {
  /** digitMap[v] = new value of v; digitMap[0] = 0 and 1..n permuted */
  digitMap: ArrayLike<number>;
  /** transpose before permuting (only for square boxes) */
  transpose: boolean;
  /** new row i takes old row rowPerm[i] (after the optional transpose); bands stay together */
  rowPerm: ArrayLike<number>;
  /** new column j takes old column colPerm[j]; stacks stay together */
  colPerm: ArrayLike<number>;
}

/**
 * The reference augmentation `shuffle_sudoku` as an invertible object (hrm-spec 6.2):
 *   new[i][j] = digitMap[ T(old)[rowPerm[i]][colPerm[j]] ]   with T = transpose or identity.
 * It maps valid solutions to valid solutions and puzzles to equivalent puzzles; applying the same
 * transform to a puzzle and its solution keeps them matched.
 */
export class SudokuTransform {
  /** the board it applies to */
  readonly geometry: SudokuGeometry;
  /** digitMap[v] = new value of v (0 stays 0) */
  readonly digitMap: Uint8Array;
  /** transpose before permuting */
  readonly transpose: boolean;
  /** new row i takes old row rowPerm[i] */
  readonly rowPerm: Int16Array;
  /** new column j takes old column colPerm[j] */
  readonly colPerm: Int16Array;
  /** new cell index -> old cell index (transpose and permutations combined) */
  private readonly source: Int16Array;

  /** Checks and precomputes a transform (the default box is 3x3, the 9x9 board). */
  constructor(spec: SudokuTransformSpec, box: SudokuBox = { rows: 3, cols: 3 }) {
    checkObject(spec, 'SudokuTransform: spec', 'an object {digitMap, transpose, rowPerm, colPerm}');
    for (const k of ['digitMap', 'rowPerm', 'colPerm'] as const) checkArrayLike(spec[k], `SudokuTransform: spec.${k}`);
    const geo = SudokuGeometry.of(box);
    const n = geo.n;
    const dm = spec.digitMap;
    if (dm.length !== n + 1 || dm[0] !== 0 || !isPermutation(Array.from(dm, (v) => v - 1).slice(1), n)) {
      throw invalidArgument(`SudokuTransform: digitMap must have ${n + 1} entries, map 0 to 0 and permute 1..${n}; got [${Array.from(dm)}]`);
    }
    if (spec.transpose && box.rows !== box.cols) throw invalidArgument(`SudokuTransform: transpose needs square boxes; got ${box.rows}x${box.cols}`);
    // After a transpose, rows are old columns, so bands of the (square) box size either way.
    if (!isPermutation(spec.rowPerm, n) || !keepsBands(spec.rowPerm, box.rows)) {
      throw invalidArgument(`SudokuTransform: rowPerm must permute 0..${n - 1} keeping bands of ${box.rows} rows together; got [${Array.from(spec.rowPerm)}]`);
    }
    if (!isPermutation(spec.colPerm, n) || !keepsBands(spec.colPerm, box.cols)) {
      throw invalidArgument(`SudokuTransform: colPerm must permute 0..${n - 1} keeping stacks of ${box.cols} columns together; got [${Array.from(spec.colPerm)}]`);
    }
    this.geometry = geo;
    this.digitMap = Uint8Array.from(dm);
    this.transpose = !!spec.transpose;
    this.rowPerm = Int16Array.from(spec.rowPerm);
    this.colPerm = Int16Array.from(spec.colPerm);
    this.source = new Int16Array(geo.cells);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const r = this.rowPerm[i];
        const c = this.colPerm[j];
        // T(old)[r][c] = old[c][r] when transposed
        this.source[i * n + j] = this.transpose ? c * n + r : r * n + c;
      }
    }
  }

  /**
   * A random transform with the reference's draws, in its order (hrm-spec 6.2): a permutation of
   * digits 1..n (0 fixed), transpose with probability 0.5 (square boxes only), then bands and the
   * rows within each band, then stacks and the columns within each stack.
   */
  static random(rng: Rng, box: SudokuBox = { rows: 3, cols: 3 }): SudokuTransform {
    checkRng(rng, 'SudokuTransform.random(): rng');
    const geo = SudokuGeometry.of(box);
    const n = geo.n;
    const digitMap = [0, ...rng.permutation(n).map((v) => v + 1)];
    const transpose = box.rows === box.cols ? rng.next() < 0.5 : false;
    const lines = (size: number): number[] => {
      const groups = rng.permutation(n / size);
      const out: number[] = [];
      for (const g of groups) for (const k of rng.permutation(size)) out.push(g * size + k);
      return out;
    };
    const rowPerm = lines(box.rows);
    const colPerm = lines(box.cols);
    return new SudokuTransform({ digitMap, transpose, rowPerm, colPerm }, box);
  }

  /** The identity transform. */
  static identity(box: SudokuBox = { rows: 3, cols: 3 }): SudokuTransform {
    const n = SudokuGeometry.of(box).n;
    const id = Array.from({ length: n }, (_, i) => i);
    return new SudokuTransform({ digitMap: [0, ...id.map((v) => v + 1)], transpose: false, rowPerm: id, colPerm: id }, box);
  }

  /**
   * Applies the transform to a grid of cell values (0 = blank). Returns a new grid, or writes into
   * `into` (which must not be `grid` itself: cells move).
   */
  apply(grid: ArrayLike<number>, into?: Uint8Array): Uint8Array {
    const cells = this.geometry.cells;
    if (grid.length !== cells) throw invalidArgument(`SudokuTransform.apply: grid has ${grid.length} cells, expected ${cells}`);
    if (into === grid) throw invalidArgument('SudokuTransform.apply: `into` must be a different array from `grid`');
    const out = into ?? new Uint8Array(cells);
    for (let k = 0; k < cells; k++) {
      const v = grid[this.source[k]];
      const w = this.digitMap[v];
      if (w === undefined) throw invalidArgument(`SudokuTransform.apply: cell ${this.source[k]} holds ${v}, expected 0..${this.geometry.n}`);
      out[k] = w;
    }
    return out;
  }

  /**
   * The inverse transform, in the same canonical form (transpose first). With z = T(x) and
   * y[i][j] = D[z[r[i]][c[j]]]: z[p][q] = D^-1[y[r^-1[p]][c^-1[q]]]. Without a transpose that is
   * (D^-1, r^-1, c^-1); with one, x = z^T gives x[a][b] = D^-1[y^T[c^-1[a]][r^-1[b]]], i.e. a
   * transpose followed by rows c^-1 and columns r^-1.
   */
  inverse(): SudokuTransform {
    const n = this.geometry.n;
    const dInv = new Array<number>(n + 1);
    for (let v = 0; v <= n; v++) dInv[this.digitMap[v]] = v;
    const rInv = invertPermutation(this.rowPerm);
    const cInv = invertPermutation(this.colPerm);
    return new SudokuTransform(
      this.transpose ? { digitMap: dInv, transpose: true, rowPerm: cInv, colPerm: rInv } : { digitMap: dInv, transpose: false, rowPerm: rInv, colPerm: cInv },
      this.geometry.box,
    );
  }

  /** Parameters as plain arrays (e.g. for logging or JSON). */
  toJSON(): {
    /** digit d becomes digitMap[d] (0 stays 0) */
    digitMap: number[];
    /** the board is transposed first */
    transpose: boolean;
    /** new row r is old row rowPerm[r] */
    rowPerm: number[];
    /** new column c is old column colPerm[c] */
    colPerm: number[];
    /** the board's box shape */
    box: SudokuBox;
  } {
    return {
      digitMap: Array.from(this.digitMap),
      transpose: this.transpose,
      rowPerm: Array.from(this.rowPerm),
      colPerm: Array.from(this.colPerm),
      box: { ...this.geometry.box },
    };
  }
}
