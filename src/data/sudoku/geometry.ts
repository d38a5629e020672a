/**
 * Sudoku board geometry: n x n boards with boxes of `rows x cols` cells (n = rows * cols), and
 * their precomputed units (rows, columns, boxes), peers and box/line intersections. 9x9 (3x3
 * boxes) is the reference; 4x4 (2x2) and 6x6 (2x3) are for small demos. A grid is a flat
 * row-major array of n*n cell values, 0 = blank and 1..n = digits.
 * @module
 */
import { describeValue, invalidArgument } from '../../util/errors';

/** Box shape: a box spans `rows` rows and `cols` columns; the board side is rows * cols. */
export interface SudokuBox {
  /** rows a box spans */
  rows: number;
  /** columns a box spans */
  cols: number;
}

/** The board sides whose box shape is implied: 4 -> 2x2, 6 -> 2x3, 9 -> 3x3 (the reference). */
const DEFAULT_BOX_BY_SIDE: Record<number, SudokuBox> = {
  4: { rows: 2, cols: 2 },
  6: { rows: 2, cols: 3 },
  9: { rows: 3, cols: 3 },
};

/**
 * Returns `box` when it is a box shape with integer sides >= 1 and rows * cols <= 16; otherwise
 * `INVALID_ARGUMENT` naming `what` (the function and argument) and what was given.
 */
export function checkSudokuBox(box: unknown, what: string): SudokuBox {
  if (box === null || typeof box !== 'object') throw invalidArgument(`${what} must be a box shape {rows, cols}, got ${describeValue(box)}`);
  const { rows, cols } = box as Record<string, unknown>;
  if (typeof rows !== 'number' || typeof cols !== 'number' || !Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols > 16) {
    throw invalidArgument(`${what} must have integer sides >= 1 with rows * cols <= 16; got rows ${describeValue(rows)}, cols ${describeValue(cols)}`);
  }
  return box as SudokuBox;
}

/** The box shape implied by a board side (4, 6 or 9), or undefined for other sides. */
export function defaultSudokuBox(side: number): SudokuBox | undefined {
  const box = DEFAULT_BOX_BY_SIDE[side];
  return box ? { ...box } : undefined;
}

/** The box shape implied by a number of cells (16, 36 or 81), or undefined for other counts. */
export function defaultSudokuBoxForCells(cells: number): SudokuBox | undefined {
  const side = Math.round(Math.sqrt(cells));
  return side * side === cells ? defaultSudokuBox(side) : undefined;
}

/**
 * Precomputed units (rows, columns, boxes) and peers of a board. Instances are cached per box shape;
 * treat them as read-only.
 */
export class SudokuGeometry {
  /** side length n = box.rows * box.cols */
  readonly n: number;
  /** n * n */
  readonly cells: number;
  /** mask with the n digit bits set (digit d <-> bit d-1) */
  readonly full: number;
  /** 3n units of n cells each: unit u is units[u*n .. u*n+n) (rows, then columns, then boxes) */
  readonly units: Int16Array;
  /** peers of cell c: peers[c*peerCount .. (c+1)*peerCount) */
  readonly peers: Int16Array;
  /** peers per cell (the same for every cell) */
  readonly peerCount: number;
  /**
   * Box/line intersections for locked candidates: each entry is three cell lists packed in
   * `intersections` at `intersectionStarts[k]`: the segment (box AND line), the rest of the line,
   * the rest of the box. Lengths are given by `intersectionSizes[k] = [segment, lineRest, boxRest]`.
   */
  readonly intersections: Int16Array;
  /** start of entry k in `intersections` */
  readonly intersectionStarts: Int32Array;
  /** [segment, lineRest, boxRest] lengths of entry k */
  readonly intersectionSizes: Int16Array;

  private static readonly cache = new Map<string, SudokuGeometry>();

  /** @param box the box shape (use {@link SudokuGeometry.of}) */
  private constructor(readonly box: SudokuBox) {
    const { rows: br, cols: bc } = checkSudokuBox(box, 'SudokuGeometry: box');
    const n = br * bc;
    this.n = n;
    this.cells = n * n;
    this.full = (1 << n) - 1;
    const units: number[] = [];
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) units.push(r * n + c);
    for (let c = 0; c < n; c++) for (let r = 0; r < n; r++) units.push(r * n + c);
    // Box b: band = floor(b / boxesPerBand) (a band is br rows), stack = b % boxesPerBand (bc columns).
    const boxesPerBand = n / bc;
    for (let b = 0; b < n; b++) {
      const r0 = Math.floor(b / boxesPerBand) * br;
      const c0 = (b % boxesPerBand) * bc;
      for (let i = 0; i < br; i++) for (let j = 0; j < bc; j++) units.push((r0 + i) * n + c0 + j);
    }
    this.units = Int16Array.from(units);
    const peerSets: Set<number>[] = Array.from({ length: this.cells }, () => new Set<number>());
    for (let u = 0; u < 3 * n; u++) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) if (i !== j) peerSets[units[u * n + i]].add(units[u * n + j]);
      }
    }
    this.peerCount = peerSets[0].size;
    this.peers = new Int16Array(this.cells * this.peerCount);
    peerSets.forEach((s, c) => this.peers.set([...s].sort((a, b) => a - b), c * this.peerCount));
    // Each box meets box.rows rows and box.cols columns.
    const packed: number[] = [];
    const starts: number[] = [];
    const sizes: number[] = [];
    for (let b = 0; b < n; b++) {
      const boxCells = units.slice((2 * n + b) * n, (2 * n + b + 1) * n);
      const inBox = new Set(boxCells);
      for (let lineUnit = 0; lineUnit < 2 * n; lineUnit++) {
        const line = units.slice(lineUnit * n, (lineUnit + 1) * n);
        const seg = line.filter((c) => inBox.has(c));
        if (seg.length === 0) continue;
        const segSet = new Set(seg);
        const lineRest = line.filter((c) => !segSet.has(c));
        const boxRest = boxCells.filter((c) => !segSet.has(c));
        starts.push(packed.length);
        sizes.push(seg.length, lineRest.length, boxRest.length);
        packed.push(...seg, ...lineRest, ...boxRest);
      }
    }
    this.intersections = Int16Array.from(packed);
    this.intersectionStarts = Int32Array.from(starts);
    this.intersectionSizes = Int16Array.from(sizes);
  }

  /** The geometry for a box shape (box sides >= 1, board side n = rows * cols in 1..16). */
  static of(box: SudokuBox): SudokuGeometry {
    const { rows, cols } = checkSudokuBox(box, 'SudokuGeometry.of(): box');
    const key = `${rows}x${cols}`;
    let g = SudokuGeometry.cache.get(key);
    if (!g) {
      g = new SudokuGeometry({ rows, cols });
      SudokuGeometry.cache.set(key, g);
    }
    return g;
  }

  /** The geometry implied by a number of cells: 16 -> 2x2 boxes, 36 -> 2x3, 81 -> 3x3. */
  static forCells(cells: number, box?: SudokuBox): SudokuGeometry {
    if (typeof cells !== 'number' || !Number.isSafeInteger(cells) || cells < 0) throw invalidArgument(`SudokuGeometry.forCells(): cells must be a non-negative integer, got ${describeValue(cells)}`);
    if (box !== undefined) {
      checkSudokuBox(box, 'SudokuGeometry.forCells(): box');
      const g = SudokuGeometry.of(box);
      if (g.cells !== cells) throw invalidArgument(`a ${box.rows}x${box.cols}-box sudoku has ${g.cells} cells, got ${cells}`);
      return g;
    }
    const b = defaultSudokuBoxForCells(cells);
    if (!b) throw invalidArgument(`cannot infer the sudoku size from ${cells} cells (expected 16, 36 or 81, or pass box: {rows, cols})`);
    return SudokuGeometry.of(b);
  }
}
