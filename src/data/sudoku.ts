/**
 * Sudoku for HRM: the reference CSV schema, the reference encoding and augmentation, a dataset
 * builder that writes what HRM's `build_sudoku_dataset.py` writes, an exact solver that also rates
 * puzzles (a tdoku-style guess count), and a generator of unique-solution puzzles.
 *
 * Boards are general n x n with boxes of `rows x cols` cells (n = rows * cols): 9x9 (3x3 boxes) is
 * the reference; 4x4 (2x2) and 6x6 (2x3) are for small demos. A grid is a flat row-major array of
 * n*n cell values, 0 = blank and 1..n = digits.
 *
 * References: hrm-spec 6.1 (on-disk format), 6.2 (Sudoku builder: encoding, augmentation, layout);
 * datasets.md 2.2 (rating), 2.3 (how HRM builds its sets), 2.5 (recipe for our own data).
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { invalidArgument } from '../tensor/dtype';
import { DatasetMetadata, SetWriter, writeIdentifiers, writeMetadata } from './format';
import { Rng } from './random';

// ---------------------------------------------------------------------------------------------
// Geometry
// ---------------------------------------------------------------------------------------------

/** Box shape: a box spans `rows` rows and `cols` columns; the board side is rows * cols. */
export interface SudokuBox {
  rows: number;
  cols: number;
}

/** The board sizes whose box shape is implied by the number of cells (a CSV row's length). */
const DEFAULT_BOX_BY_CELLS: Record<number, SudokuBox> = {
  16: { rows: 2, cols: 2 },
  36: { rows: 2, cols: 3 },
  81: { rows: 3, cols: 3 },
};

/** Popcount of every mask up to 16 bits (boards up to 16x16). */
const POPCOUNT = (() => {
  const t = new Uint8Array(1 << 16);
  for (let i = 1; i < t.length; i++) t[i] = t[i >> 1] + (i & 1);
  return t;
})();

/** Digit (1-based) of a single-bit mask. */
function digitOf(bit: number): number {
  return 32 - Math.clz32(bit);
}

/**
 * Precomputed units (rows, columns, boxes) and peers of a board. Instances are cached per box shape;
 * treat them as read-only.
 */
export class SudokuGeometry {
  /** side length n = box.rows * box.cols */
  readonly n: number;
  readonly cells: number;
  /** mask with the n digit bits set (digit d <-> bit d-1) */
  readonly full: number;
  /** 3n units of n cells each: unit u is units[u*n .. u*n+n) (rows, then columns, then boxes) */
  readonly units: Int16Array;
  /** peers of cell c: peers[c*peerCount .. (c+1)*peerCount) */
  readonly peers: Int16Array;
  readonly peerCount: number;
  /**
   * Box/line intersections for locked candidates: each entry is three cell lists packed in
   * `intersections` at `intersectionStarts[k]`: the segment (box AND line), the rest of the line,
   * the rest of the box. Lengths are given by `intersectionSizes[k] = [segment, lineRest, boxRest]`.
   */
  readonly intersections: Int16Array;
  readonly intersectionStarts: Int32Array;
  readonly intersectionSizes: Int16Array;

  private static readonly cache = new Map<string, SudokuGeometry>();

  private constructor(readonly box: SudokuBox) {
    const { rows: br, cols: bc } = box;
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
    const { rows, cols } = box ?? ({} as SudokuBox);
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows * cols > 16) {
      throw invalidArgument(`sudoku box must have integer sides >= 1 with rows * cols <= 16; got ${JSON.stringify(box)}`);
    }
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
    if (box) {
      const g = SudokuGeometry.of(box);
      if (g.cells !== cells) throw invalidArgument(`a ${box.rows}x${box.cols}-box sudoku has ${g.cells} cells, got ${cells}`);
      return g;
    }
    const b = DEFAULT_BOX_BY_CELLS[cells];
    if (!b) throw invalidArgument(`cannot infer the sudoku size from ${cells} cells (expected 16, 36 or 81, or pass box: {rows, cols})`);
    return SudokuGeometry.of(b);
  }
}

/** A grid given as cell values (0 = blank) or as a string ('.' or '0' = blank, digits 1..9). */
export type SudokuGridInput = ArrayLike<number> | string;

/** Parses a puzzle string ('.' or '0' for blanks, '1'..'9' for digits) into cell values. */
export function parseSudoku(s: string, box?: SudokuBox): Uint8Array {
  const geo = SudokuGeometry.forCells(s.length, box);
  if (geo.n > 9) throw invalidArgument('sudoku strings can only express boards up to 9x9 (digits 1..9)');
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 46 /* . */ || ch === 48 /* 0 */) continue;
    const v = ch - 48;
    if (v < 1 || v > geo.n) throw invalidArgument(`sudoku string: character ${JSON.stringify(s[i])} at position ${i} is not '.', '0' or a digit 1..${geo.n}`);
    out[i] = v;
  }
  return out;
}

/** Formats cell values as a string with `blank` ('.' by default) for empty cells (boards up to 9x9). */
export function formatSudoku(grid: ArrayLike<number>, blank = '.'): string {
  let s = '';
  for (let i = 0; i < grid.length; i++) s += grid[i] === 0 ? blank : String(grid[i]);
  return s;
}

function toGrid(grid: SudokuGridInput, box: SudokuBox | undefined, what: string): { geo: SudokuGeometry; cells: Uint8Array } {
  if (typeof grid === 'string') {
    const cells = parseSudoku(grid, box);
    return { geo: SudokuGeometry.forCells(cells.length, box), cells };
  }
  if (!grid || typeof grid.length !== 'number') throw invalidArgument(`${what}: expected a grid (array of cell values or a string)`);
  const geo = SudokuGeometry.forCells(grid.length, box);
  const cells = new Uint8Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const v = grid[i];
    if (!Number.isInteger(v) || v < 0 || v > geo.n) throw invalidArgument(`${what}: cell ${i} holds ${v}; cells must be integers 0 (blank) .. ${geo.n}`);
    cells[i] = v;
  }
  return { geo, cells };
}

// ---------------------------------------------------------------------------------------------
// Encoding (hrm-spec 6.2)
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Validity checks
// ---------------------------------------------------------------------------------------------

/** True if every row, column and box of a complete grid holds each digit 1..n exactly once. */
export function isValidSudokuSolution(grid: SudokuGridInput, box?: SudokuBox): boolean {
  const { geo, cells } = toGrid(grid, box, 'isValidSudokuSolution');
  const { n, units } = geo;
  for (let u = 0; u < 3 * n; u++) {
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const v = cells[units[u * n + i]];
      if (v === 0) return false;
      seen |= 1 << (v - 1);
    }
    if (seen !== geo.full) return false;
  }
  return true;
}

/** True if `solution` is a valid complete grid that agrees with every given of `puzzle`. */
export function solvesSudoku(puzzle: SudokuGridInput, solution: SudokuGridInput, box?: SudokuBox): boolean {
  const p = toGrid(puzzle, box, 'solvesSudoku(puzzle)').cells;
  const s = toGrid(solution, box, 'solvesSudoku(solution)').cells;
  if (p.length !== s.length || !isValidSudokuSolution(s, box)) return false;
  for (let i = 0; i < p.length; i++) if (p[i] !== 0 && p[i] !== s[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Solver
// ---------------------------------------------------------------------------------------------

export interface SudokuSolveOptions {
  /** stop after this many solutions (default 1); use 2 to test uniqueness */
  limit?: number;
  /** box shape when it cannot be inferred from the number of cells */
  box?: SudokuBox;
}

export interface SudokuSolveResult {
  /** up to `limit` solutions, in search order */
  solutions: Uint8Array[];
  /**
   * Number of guesses (branching decisions) made before the search stopped. See `solveSudoku` for
   * how this relates to tdoku's num_guesses.
   */
  guesses: number;
}

/**
 * DPLL-style search over candidate bitmasks.
 *
 * State: one candidate mask per cell plus a per-cell status (0 open, 1 queued for placement,
 * 2 placed). Propagation alternates naked singles (a placed digit is removed from its peers; a cell
 * left with one candidate is queued) and hidden singles (a digit with one possible cell in a unit).
 * Branching: the open cell with the fewest candidates (first such cell in row-major order) is
 * tried with its lowest candidate (a random one when generating); that is one guess. If the branch
 * fails, or when counting solutions after it is exhausted, the candidate is eliminated in the parent
 * and propagation resumes, so a cell's last candidate is a deduction, not a guess, exactly as
 * in a DPLL solver.
 */
class Search {
  readonly solutions: Uint8Array[] = [];
  guesses = 0;
  private readonly candStack: Uint16Array[] = [];
  private readonly statusStack: Uint8Array[] = [];
  private readonly queue: Int16Array;
  private qLen = 0;

  constructor(private readonly geo: SudokuGeometry, private readonly limit: number, private readonly rng?: Rng) {
    this.queue = new Int16Array(geo.cells);
  }

  /** Solves from the given cells; fills `solutions` and `guesses`. */
  run(cells: Uint8Array): void {
    const { geo } = this;
    const cand = this.level(0);
    const status = this.statusStack[0];
    cand.fill(geo.full);
    status.fill(0);
    this.qLen = 0;
    for (let c = 0; c < geo.cells; c++) {
      if (cells[c] !== 0) {
        cand[c] = 1 << (cells[c] - 1);
        status[c] = 1;
        this.queue[this.qLen++] = c;
      }
    }
    this.search(0);
  }

  private level(depth: number): Uint16Array {
    while (this.candStack.length <= depth) {
      this.candStack.push(new Uint16Array(this.geo.cells));
      this.statusStack.push(new Uint8Array(this.geo.cells));
    }
    return this.candStack[depth];
  }

  /** Returns true when the search must stop (limit reached). */
  private search(depth: number): boolean {
    const { geo } = this;
    const cand = this.candStack[depth];
    const status = this.statusStack[depth];
    for (;;) {
      if (!this.propagate(cand, status)) return false;
      let best = -1;
      let bestCount = 99;
      for (let c = 0; c < geo.cells; c++) {
        if (status[c] === 0) {
          const k = POPCOUNT[cand[c]];
          if (k < bestCount) {
            best = c;
            bestCount = k;
            if (k === 2) break;
          }
        }
      }
      if (best < 0) {
        const sol = new Uint8Array(geo.cells);
        for (let c = 0; c < geo.cells; c++) sol[c] = digitOf(cand[c]);
        this.solutions.push(sol);
        return this.solutions.length >= this.limit;
      }
      const m = cand[best];
      const bit = this.rng ? nthBit(m, this.rng.int(POPCOUNT[m])) : m & -m;
      this.guesses++;
      const childCand = this.level(depth + 1);
      const childStatus = this.statusStack[depth + 1];
      childCand.set(cand);
      childStatus.set(status);
      childCand[best] = bit;
      childStatus[best] = 1;
      this.qLen = 0;
      this.queue[this.qLen++] = best;
      if (this.search(depth + 1)) return true;
      // The guess is refuted (or its solutions are all counted): remove it and keep deducing.
      cand[best] = m & ~bit;
      this.qLen = 0;
      if (POPCOUNT[cand[best]] === 1) {
        status[best] = 1;
        this.queue[this.qLen++] = best;
      }
    }
  }

  /** Naked and hidden singles to a fixed point; false on a contradiction. */
  private propagate(cand: Uint16Array, status: Uint8Array): boolean {
    const { geo, queue } = this;
    const { n, units, peers, peerCount, full } = geo;
    for (;;) {
      while (this.qLen > 0) {
        const c = queue[--this.qLen];
        status[c] = 2;
        const m = cand[c];
        const base = c * peerCount;
        for (let k = 0; k < peerCount; k++) {
          const p = peers[base + k];
          const pm = cand[p];
          if (pm & m) {
            if (status[p] !== 0) return false; // a placed or queued peer holds the same digit
            const left = pm & ~m;
            cand[p] = left;
            if (left === 0) return false;
            if (POPCOUNT[left] === 1) {
              status[p] = 1;
              queue[this.qLen++] = p;
            }
          }
        }
      }
      // Hidden singles: digits that occur in exactly one cell of a unit.
      for (let u = 0; u < 3 * n && this.qLen === 0; u++) {
        const base = u * n;
        let once = 0;
        let twice = 0;
        for (let i = 0; i < n; i++) {
          const m = cand[units[base + i]];
          twice |= once & m;
          once |= m;
        }
        if (once !== full) return false; // some digit has no place left in this unit
        const unique = once & ~twice;
        if (unique === 0) continue;
        for (let i = 0; i < n; i++) {
          const c = units[base + i];
          if (status[c] !== 0) continue;
          const hit = cand[c] & unique;
          if (hit === 0) continue;
          if (POPCOUNT[hit] > 1) return false; // two digits need the same cell
          cand[c] = hit;
          status[c] = 1;
          queue[this.qLen++] = c;
        }
      }
      if (this.qLen > 0) continue;
      // Locked candidates: a digit confined to one box/line intersection within the box (or within
      // the line) cannot be elsewhere in the line (or elsewhere in the box). These are the box-line
      // ("triad") interactions that tdoku also propagates (datasets.md 2.2).
      const { intersections: ix, intersectionStarts: starts, intersectionSizes: sizes } = geo;
      let changed = false;
      for (let k = 0; k < starts.length; k++) {
        const s0 = starts[k];
        const segLen = sizes[3 * k];
        const lineLen = sizes[3 * k + 1];
        const boxLen = sizes[3 * k + 2];
        let seg = 0;
        for (let i = 0; i < segLen; i++) seg |= cand[ix[s0 + i]];
        let lineRest = 0;
        for (let i = 0; i < lineLen; i++) lineRest |= cand[ix[s0 + segLen + i]];
        let boxRest = 0;
        for (let i = 0; i < boxLen; i++) boxRest |= cand[ix[s0 + segLen + lineLen + i]];
        const pointing = seg & lineRest & ~boxRest; // in the box only here: remove from the line
        const claiming = seg & boxRest & ~lineRest; // in the line only here: remove from the box
        if (pointing !== 0) {
          for (let i = 0; i < lineLen; i++) {
            const c = ix[s0 + segLen + i];
            if (!this.eliminate(cand, status, c, pointing)) return false;
          }
          changed = true;
        }
        if (claiming !== 0) {
          for (let i = 0; i < boxLen; i++) {
            const c = ix[s0 + segLen + lineLen + i];
            if (!this.eliminate(cand, status, c, claiming)) return false;
          }
          changed = true;
        }
        if (this.qLen > 0) break;
      }
      if (!changed) return true;
    }
  }

  /** Removes the digits in `mask` from cell c; queues it if one candidate is left. False on a contradiction. */
  private eliminate(cand: Uint16Array, status: Uint8Array, c: number, mask: number): boolean {
    const m = cand[c];
    if ((m & mask) === 0) return true;
    if (status[c] !== 0) return false; // a placed digit cannot be eliminated
    const left = m & ~mask;
    if (left === 0) return false;
    cand[c] = left;
    if (POPCOUNT[left] === 1) {
      status[c] = 1;
      this.queue[this.qLen++] = c;
    }
    return true;
  }
}

/** The k-th (0-based) set bit of m, as a mask. */
function nthBit(m: number, k: number): number {
  let x = m;
  for (let i = 0; i < k; i++) x &= x - 1;
  return x & -x;
}

function checkLimit(limit: unknown): number {
  if (limit === undefined) return 1;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) throw invalidArgument(`limit must be an integer >= 1; got ${String(limit)}`);
  return limit;
}

/**
 * Solves a sudoku exactly. Returns up to `limit` solutions (default 1) and the guess count.
 *
 * Rating: with limit 1, `guesses` is our counterpart of the reference rating (datasets.md 2.2:
 * `num_guesses` of tdoku's `TdokuSolverDpllTriadSimd(puzzle, limit=1, ...)`). Both count branching
 * decisions of a DPLL search until the first solution (a refuted guess's alternative is a
 * deduction, not a second guess), and both are 0 for puzzles that propagation alone solves. They
 * are not bit-identical: tdoku propagates band "triad" configurations (stronger than our naked /
 * hidden singles and locked candidates) and branches on the band and digit with the fewest
 * configurations instead of the cell with the fewest candidates. Measured on the staged sets
 * (datasets.md 2.4, unpermuted puzzles): our mean is about 2x tdoku's on the hard sets
 * (forum_hardest_1905_11plus 72.5 vs 34.2, forum_hardest_1106 123.6 vs 59.8, magictour 11.7 vs
 * 6.1), about the same on 17-clue (0.92 vs 0.46; 76.0 % vs 78.7 % need no guess); the Spearman
 * rank correlation over all ~100k rows is 0.87 (easy vs hard is ranked alike; within one hard set
 * the two counts are only weakly correlated, as guess counts depend on search order). With limit 2
 * the count includes the work to prove uniqueness (like tdoku's README figures, which use limit 2).
 */
export function solveSudoku(grid: SudokuGridInput, opts: SudokuSolveOptions = {}): SudokuSolveResult {
  const limit = checkLimit(opts.limit);
  const { geo, cells } = toGrid(grid, opts.box, 'solveSudoku');
  const s = new Search(geo, limit);
  s.run(cells);
  return { solutions: s.solutions, guesses: s.guesses };
}

/** Number of solutions, counted up to `limit` (default 2: enough to tell 0, 1 or "several"). */
export function countSolutions(grid: SudokuGridInput, limit = 2, box?: SudokuBox): number {
  return solveSudoku(grid, { limit, box }).solutions.length;
}

/** The rating of a puzzle: guesses to its first solution (solveSudoku with limit 1). */
export function rateSudoku(grid: SudokuGridInput, box?: SudokuBox): number {
  return solveSudoku(grid, { limit: 1, box }).guesses;
}

// ---------------------------------------------------------------------------------------------
// Augmentation (hrm-spec 6.2, datasets.md 2.3)
// ---------------------------------------------------------------------------------------------

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
  readonly geometry: SudokuGeometry;
  readonly digitMap: Uint8Array;
  readonly transpose: boolean;
  readonly rowPerm: Int16Array;
  readonly colPerm: Int16Array;
  /** new cell index -> old cell index (transpose and permutations combined) */
  private readonly source: Int16Array;

  constructor(spec: SudokuTransformSpec, box: SudokuBox = { rows: 3, cols: 3 }) {
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
  toJSON(): { digitMap: number[]; transpose: boolean; rowPerm: number[]; colPerm: number[]; box: SudokuBox } {
    return {
      digitMap: Array.from(this.digitMap),
      transpose: this.transpose,
      rowPerm: Array.from(this.rowPerm),
      colPerm: Array.from(this.colPerm),
      box: { ...this.geometry.box },
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Generator (datasets.md 2.5)
// ---------------------------------------------------------------------------------------------

export interface SudokuGenerateOptions {
  /** box shape; default 3x3 (9x9 board). 2x2 gives 4x4, 2x3 gives 6x6. */
  box?: SudokuBox;
  /** seed for a fresh generator (default 0); ignored when `rng` is given */
  seed?: number;
  /** generator to draw from (lets callers generate many puzzles from one stream) */
  rng?: Rng;
  /** keep only puzzles whose rating (rateSudoku) is at least this (default 0: every puzzle) */
  minRating?: number;
  /** give up after this many candidate puzzles below minRating (default 1000) */
  maxAttempts?: number;
}

export interface GeneratedSudoku {
  /** cell values, 0 = blank; exactly one solution; minimal (no clue can be removed) */
  puzzle: Uint8Array;
  solution: Uint8Array;
  /** guesses to the first solution (rateSudoku) */
  rating: number;
  /** number of givens */
  clues: number;
  /** candidate puzzles made to find this one */
  attempts: number;
}

/** A uniformly shuffled complete grid: a random search from the empty board, then a random symmetry. */
export function randomSudokuGrid(rng: Rng, box: SudokuBox = { rows: 3, cols: 3 }): Uint8Array {
  const geo = SudokuGeometry.of(box);
  const s = new Search(geo, 1, rng);
  s.run(new Uint8Array(geo.cells));
  if (s.solutions.length !== 1) throw new Error(`internal error: no complete ${geo.n}x${geo.n} grid found`);
  return SudokuTransform.random(rng, geo.box).apply(s.solutions[0]);
}

/**
 * Removes clues from a solved grid in random order while the solution stays unique
 * (datasets.md 2.5 step 2), giving a minimal puzzle.
 */
export function minimalSudokuPuzzle(solution: ArrayLike<number>, rng: Rng, box?: SudokuBox): Uint8Array {
  const { geo, cells } = toGrid(solution, box, 'minimalSudokuPuzzle');
  if (!isValidSudokuSolution(cells, geo.box)) throw invalidArgument('minimalSudokuPuzzle: the solution is not a valid complete grid');
  const puzzle = cells.slice();
  const s = new Search(geo, 2);
  for (const c of rng.permutation(geo.cells)) {
    const v = puzzle[c];
    puzzle[c] = 0;
    s.solutions.length = 0;
    s.run(puzzle);
    if (s.solutions.length !== 1) puzzle[c] = v;
  }
  return puzzle;
}

/**
 * Generates a puzzle with exactly one solution and rating >= minRating (datasets.md 2.5): a random
 * complete grid, clues removed while uniqueness holds, repeated until the rating is reached.
 * Random minimal 9x9 puzzles rate mostly 0-2 (like tdoku's "unbiased" set), so high minRating
 * values need many attempts; hard data should come from the staged hard sets instead.
 */
export function generateSudoku(opts: SudokuGenerateOptions = {}): GeneratedSudoku {
  const box = opts.box ?? { rows: 3, cols: 3 };
  const geo = SudokuGeometry.of(box);
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const minRating = opts.minRating ?? 0;
  const maxAttempts = opts.maxAttempts ?? 1000;
  if (typeof minRating !== 'number' || !(minRating >= 0)) throw invalidArgument(`generateSudoku: minRating must be a number >= 0; got ${String(minRating)}`);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) throw invalidArgument(`generateSudoku: maxAttempts must be an integer >= 1; got ${String(maxAttempts)}`);
  let best = -1;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const solution = randomSudokuGrid(rng, geo.box);
    const puzzle = minimalSudokuPuzzle(solution, rng, geo.box);
    const rating = rateSudoku(puzzle, geo.box);
    best = Math.max(best, rating);
    if (rating >= minRating) {
      let clues = 0;
      for (const v of puzzle) if (v !== 0) clues++;
      return { puzzle, solution, rating, clues, attempts: attempt };
    }
  }
  throw new Error(`generateSudoku: no ${geo.n}x${geo.n} puzzle with rating >= ${minRating} in ${maxAttempts} attempts (best ${best}); lower minRating or raise maxAttempts`);
}

// ---------------------------------------------------------------------------------------------
// CSV (the reference schema: source,question,answer,rating)
// ---------------------------------------------------------------------------------------------

/** The header of the reference CSVs (datasets.md 2.1). */
export const SUDOKU_CSV_HEADER = 'source,question,answer,rating';

/** Puzzles read from CSV, stored compactly (one row of `cells` values per puzzle). */
export interface SudokuTable {
  box: SudokuBox;
  /** cells per puzzle (n * n) */
  cells: number;
  count: number;
  /** count * cells values, 0 = blank */
  questions: Uint8Array;
  /** count * cells values 1..n */
  answers: Uint8Array;
  /** rating per puzzle; NaN where the CSV field was empty */
  ratings: Float64Array;
  /** source name per puzzle, as an index into `sourceNames` */
  sourceIndex: Uint32Array;
  sourceNames: string[];
}

export interface ReadSudokuCsvOptions {
  /** keep only rows with rating >= minDifficulty (the reference's --min-difficulty) */
  minDifficulty?: number;
  /** box shape; inferred from the question length (16, 36, 81 cells) when omitted */
  box?: SudokuBox;
  /** check that each answer is a valid grid agreeing with its question (default true) */
  validate?: boolean;
}

/**
 * Calls `onLine(text, lineNumber)` for every line of a file (without its '\n' or '\r\n'), reading
 * in 1 MiB chunks: the full train.csv (~0.7 GB) exceeds V8's longest string. Lines are cut at the
 * '\n' byte and decoded as UTF-8 one by one, so multi-byte characters are never split.
 */
function forEachLine(file: string, onLine: (line: string, lineNo: number) => void): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw invalidArgument(`cannot open sudoku CSV ${file}: ${(e as Error).message}`);
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let pending: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    const emit = (buf: Buffer, start: number, end: number) => {
      if (end > start && buf[end - 1] === 13) end--; // '\r'
      let line = buf.toString('utf8', start, end);
      if (lineNo === 0 && line.charCodeAt(0) === 0xfeff) line = line.slice(1); // byte order mark
      onLine(line, ++lineNo);
    };
    for (;;) {
      const r = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (r <= 0) break;
      const buf = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, r)]) : chunk.subarray(0, r);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        emit(buf, start, nl);
        start = nl + 1;
      }
      pending = Buffer.from(buf.subarray(start)); // copy: `chunk` is reused
    }
    if (pending.length > 0) emit(pending, 0, pending.length);
  } finally {
    fs.closeSync(fd);
  }
}

/** Splits one CSV record; supports double-quoted fields (as Python's csv module writes them). */
function splitCsv(line: string): string[] | null {
  if (line.indexOf('"') < 0) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return null; // unterminated quote
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += line[i++];
      }
      if (i < line.length && line[i] !== ',') return null;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      field = line.slice(i, end);
      i = end;
    }
    out.push(field);
    if (i >= line.length) return out;
    i++; // skip the comma
  }
}

/** A growable byte buffer. */
class Bytes {
  data: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.data = new Uint8Array(Math.max(capacity, 16));
  }
  reserve(extra: number): number {
    if (this.length + extra > this.data.length) {
      const bigger = new Uint8Array(Math.max(this.length + extra, this.data.length * 2));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    const at = this.length;
    this.length += extra;
    return at;
  }
  result(): Uint8Array {
    return this.data.slice(0, this.length);
  }
}

/**
 * Reads one or more CSV files in the reference schema (header `source,question,answer,rating`),
 * concatenated in the given order (so split parts are read in part order). Questions use '.' or '0'
 * for blanks. Every row is validated unless `validate` is false: field count, lengths, characters,
 * and the answer must be a valid grid that agrees with the question's givens. Errors name the file
 * and line. The `minDifficulty` filter is applied as in the reference (rating >= minDifficulty).
 */
export function readSudokuCsv(files: string | string[], opts: ReadSudokuCsvOptions = {}): SudokuTable {
  const list = typeof files === 'string' ? [files] : files;
  if (!Array.isArray(list) || list.length === 0) throw invalidArgument('readSudokuCsv: give at least one CSV file');
  const minDifficulty = opts.minDifficulty;
  if (minDifficulty !== undefined && (typeof minDifficulty !== 'number' || !Number.isFinite(minDifficulty))) {
    throw invalidArgument(`minDifficulty must be a number; got ${String(minDifficulty)}`);
  }
  const validate = opts.validate ?? true;
  let geo: SudokuGeometry | undefined = opts.box ? SudokuGeometry.of(opts.box) : undefined;
  if (geo && geo.n > 9) throw invalidArgument('sudoku CSVs can only hold boards up to 9x9 (one digit per cell)');
  const questions = new Bytes(1 << 16);
  const answers = new Bytes(1 << 16);
  let ratings = new Float64Array(1024);
  let sourceIndex = new Uint32Array(1024);
  const sourceNames: string[] = [];
  const sourceIds = new Map<string, number>();
  let count = 0;
  const qRow = new Uint8Array(256);
  const aRow = new Uint8Array(256);

  for (const file of list) {
    if (typeof file !== 'string') throw invalidArgument(`readSudokuCsv: file names must be strings; got ${String(file)}`);
    let sawHeader = false;
    forEachLine(file, (line, lineNo) => {
      const where = `${file}:${lineNo}`;
      if (!sawHeader) {
        if (line.trim() !== SUDOKU_CSV_HEADER) {
          throw invalidArgument(`${where}: expected the header '${SUDOKU_CSV_HEADER}', found ${JSON.stringify(line.slice(0, 80))}`);
        }
        sawHeader = true;
        return;
      }
      if (line.length === 0) return; // blank line (e.g. at the end)
      const f = splitCsv(line);
      if (!f || f.length !== 4) throw invalidArgument(`${where}: expected 4 comma-separated fields (source,question,answer,rating), found ${f ? f.length : 'a malformed quoted field'}`);
      const [source, q, a, ratingText] = f;
      if (!geo) {
        // The first row fixes the board size for all files (one dataset has one seq_len).
        if (!DEFAULT_BOX_BY_CELLS[q.length]) {
          throw invalidArgument(`${where}: question has ${q.length} characters, expected 81 (or 16 / 36 for 4x4 / 6x6 boards; other sizes need the box option)`);
        }
        geo = SudokuGeometry.forCells(q.length);
      }
      const { cells, n } = geo;
      if (q.length !== cells) throw invalidArgument(`${where}: question has ${q.length} characters, expected ${cells}`);
      if (a.length !== cells) throw invalidArgument(`${where}: answer has ${a.length} characters, expected ${cells}`);
      let rating = NaN;
      const rt = ratingText.trim();
      if (rt !== '') {
        rating = Number(rt);
        if (!Number.isFinite(rating)) throw invalidArgument(`${where}: rating ${JSON.stringify(ratingText)} is not a number`);
      }
      if (minDifficulty !== undefined) {
        if (Number.isNaN(rating)) throw invalidArgument(`${where}: the rating is empty, so minDifficulty cannot be applied`);
        if (!(rating >= minDifficulty)) return;
      }
      for (let i = 0; i < cells; i++) {
        const qc = q.charCodeAt(i);
        if (qc === 46 /* . */ || qc === 48 /* 0 */) qRow[i] = 0;
        else if (qc >= 49 && qc <= 48 + n) qRow[i] = qc - 48;
        else throw invalidArgument(`${where}: question character ${JSON.stringify(q[i])} at position ${i} is not '.', '0' or a digit 1..${n}`);
        const ac = a.charCodeAt(i);
        if (ac >= 49 && ac <= 48 + n) aRow[i] = ac - 48;
        else throw invalidArgument(`${where}: answer character ${JSON.stringify(a[i])} at position ${i} is not a digit 1..${n}`);
        if (validate && qRow[i] !== 0 && qRow[i] !== aRow[i]) {
          throw invalidArgument(`${where}: answer is inconsistent with the question at cell ${i} (row ${Math.floor(i / n) + 1}, column ${(i % n) + 1}): given ${qRow[i]}, answer ${aRow[i]}`);
        }
      }
      if (validate) {
        const bad = firstInvalidUnit(aRow, geo);
        if (bad) throw invalidArgument(`${where}: answer is not a valid solution: ${bad}`);
      }
      // reserve() may reallocate, so take the offset before touching .data
      const qAt = questions.reserve(cells);
      questions.data.set(qRow.subarray(0, cells), qAt);
      const aAt = answers.reserve(cells);
      answers.data.set(aRow.subarray(0, cells), aAt);
      if (count === ratings.length) {
        const r2 = new Float64Array(count * 2);
        r2.set(ratings);
        ratings = r2;
        const s2 = new Uint32Array(count * 2);
        s2.set(sourceIndex);
        sourceIndex = s2;
      }
      let sid = sourceIds.get(source);
      if (sid === undefined) {
        sid = sourceNames.length;
        sourceNames.push(source);
        sourceIds.set(source, sid);
      }
      ratings[count] = rating;
      sourceIndex[count] = sid;
      count++;
    });
    if (!sawHeader) throw invalidArgument(`${file}: empty file; expected the header '${SUDOKU_CSV_HEADER}'`);
  }
  const g = geo ?? SudokuGeometry.of({ rows: 3, cols: 3 });
  return {
    box: { ...g.box },
    cells: g.cells,
    count,
    questions: questions.result(),
    answers: answers.result(),
    ratings: ratings.slice(0, count),
    sourceIndex: sourceIndex.slice(0, count),
    sourceNames,
  };
}

/** Describes the first row, column or box of a complete grid that repeats a digit, or null. */
function firstInvalidUnit(grid: Uint8Array, geo: SudokuGeometry): string | null {
  const { n, units } = geo;
  const kinds = ['row', 'column', 'box'];
  for (let u = 0; u < 3 * n; u++) {
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const v = grid[units[u * n + i]];
      const bit = 1 << (v - 1);
      if (seen & bit) return `digit ${v} repeats in ${kinds[Math.floor(u / n)]} ${(u % n) + 1}`;
      seen |= bit;
    }
  }
  return null;
}

/** One row for `writeSudokuCsv`. */
export interface SudokuCsvRow {
  source: string;
  question: ArrayLike<number>;
  answer: ArrayLike<number>;
  rating?: number;
}

/** Writes puzzles as a CSV in the reference schema ('.' for blanks), e.g. generated puzzles for the builder. */
export function writeSudokuCsv(file: string, rows: Iterable<SudokuCsvRow>): void {
  const lines = [SUDOKU_CSV_HEADER];
  for (const r of rows) {
    if (/[,"\r\n]/.test(r.source)) throw invalidArgument(`writeSudokuCsv: source name ${JSON.stringify(r.source)} must not contain commas, quotes or newlines`);
    lines.push(`${r.source},${formatSudoku(r.question)},${formatSudoku(r.answer)},${r.rating ?? ''}`);
  }
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

// ---------------------------------------------------------------------------------------------
// Dataset builder (hrm-spec 6.2)
// ---------------------------------------------------------------------------------------------

export interface SudokuBuildProgress {
  split: 'train' | 'test';
  /** source puzzles (groups) written so far */
  done: number;
  total: number;
}

export interface SudokuBuildOptions {
  /** training CSVs (reference schema), read in order */
  inputs: string[];
  /** test CSVs; without them no test split is written */
  testInputs?: string[];
  outputDir: string;
  /** draw this many training puzzles without replacement (train only; all are kept if there are fewer) */
  subsampleSize?: number;
  /** augmented copies per training puzzle (default 0); the test split is never augmented */
  numAug?: number;
  /** keep rows with rating >= minDifficulty, in both splits as in the reference */
  minDifficulty?: number;
  /** seed for subsampling and augmentation (default 0) */
  seed?: number;
  /** box shape; inferred from the row length (16, 36, 81) when omitted */
  box?: SudokuBox;
  onProgress?: (p: SudokuBuildProgress) => void;
}

export interface SudokuSplitSummary {
  dir: string;
  groups: number;
  puzzles: number;
  examples: number;
  metadata: DatasetMetadata;
}

export interface SudokuBuildResult {
  outputDir: string;
  train: SudokuSplitSummary;
  test?: SudokuSplitSummary;
}

function checkCountOption(name: string, v: unknown, min: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw invalidArgument(`buildSudokuDataset: ${name} must be an integer >= ${min}; got ${String(v)}`);
}

function writeSplit(
  table: SudokuTable,
  order: ArrayLike<number>,
  numAug: number,
  rng: Rng,
  dir: string,
  split: 'train' | 'test',
  onProgress?: (p: SudokuBuildProgress) => void,
): SudokuSplitSummary {
  const { cells } = table;
  const geo = SudokuGeometry.of(table.box);
  const writer = new SetWriter(dir, 'all', cells);
  const inTok = new Uint8Array(cells);
  const outTok = new Uint8Array(cells);
  const q = new Uint8Array(cells);
  const a = new Uint8Array(cells);
  const total = order.length;
  const every = Math.max(1, Math.floor(total / 100));
  try {
    for (let g = 0; g < total; g++) {
      const row = order[g];
      const qSrc = table.questions.subarray(row * cells, (row + 1) * cells);
      const aSrc = table.answers.subarray(row * cells, (row + 1) * cells);
      // Group = the source puzzle (version 0, un-augmented) + numAug augmented versions,
      // each a puzzle with identifier 0 and one example (hrm-spec 6.2 "Layout").
      writer.addPuzzle(0, encodeSudoku(qSrc, inTok), encodeSudoku(aSrc, outTok));
      for (let k = 0; k < numAug; k++) {
        const t = SudokuTransform.random(rng, geo.box);
        t.apply(qSrc, q);
        t.apply(aSrc, a);
        writer.addPuzzle(0, encodeSudoku(q, inTok), encodeSudoku(a, outTok));
      }
      writer.endGroup();
      if (onProgress && ((g + 1) % every === 0 || g + 1 === total)) onProgress({ split, done: g + 1, total });
    }
  } catch (e) {
    writer.abort();
    throw e;
  }
  const counts = writer.finish();
  const metadata = sudokuMetadata(counts.totalGroups, geo.n);
  writeMetadata(dir, metadata);
  return { dir, groups: counts.totalGroups, puzzles: counts.totalPuzzles, examples: counts.totalExamples, metadata };
}

/**
 * Builds a Sudoku dataset as HRM's `build_sudoku_dataset.py` does (hrm-spec 6.1, 6.2):
 * `<outputDir>/train`, `<outputDir>/test` (when testInputs are given) and `identifiers.json`
 * (["<blank>"]). Train: rows filtered by minDifficulty, then optionally subsampled (uniformly without
 * replacement, in random order, like `np.random.choice(..., replace=False)`; skipped when
 * subsampleSize >= rows), then per source puzzle one group of numAug + 1 puzzles (version 0
 * un-augmented) with one example each. Test: filtered the same way, never subsampled or augmented.
 *
 * Randomness comes from `new Rng(seed)` (the reference uses numpy's unseeded global RNG, so only
 * builds without subsampling and augmentation are comparable bit for bit). Draw order: the
 * subsample first, then the transforms in output order.
 */
export function buildSudokuDataset(opts: SudokuBuildOptions): SudokuBuildResult {
  if (!opts || typeof opts !== 'object') throw invalidArgument('buildSudokuDataset: expected an options object');
  const { inputs, testInputs, outputDir } = opts;
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalidArgument('buildSudokuDataset: inputs must list at least one training CSV');
  if (testInputs !== undefined && (!Array.isArray(testInputs) || testInputs.length === 0)) {
    throw invalidArgument('buildSudokuDataset: testInputs, when given, must list at least one CSV');
  }
  if (typeof outputDir !== 'string' || outputDir.length === 0) throw invalidArgument('buildSudokuDataset: outputDir must be a non-empty path');
  checkCountOption('subsampleSize', opts.subsampleSize, 1);
  checkCountOption('numAug', opts.numAug, 0);
  const numAug = opts.numAug ?? 0;
  const rng = new Rng(opts.seed ?? 0);
  const readOpts: ReadSudokuCsvOptions = { minDifficulty: opts.minDifficulty, box: opts.box };

  const train = readSudokuCsv(inputs, readOpts);
  const test = testInputs ? readSudokuCsv(testInputs, { ...readOpts, box: opts.box ?? (train.count > 0 ? train.box : undefined) }) : undefined;
  if (test && test.count > 0 && train.count > 0 && test.cells !== train.cells) {
    throw invalidArgument(`buildSudokuDataset: train puzzles have ${train.cells} cells but test puzzles have ${test.cells}`);
  }
  let order: ArrayLike<number>;
  if (opts.subsampleSize !== undefined && opts.subsampleSize < train.count) {
    order = rng.sample(train.count, opts.subsampleSize);
  } else {
    order = Uint32Array.from({ length: train.count }, (_, i) => i);
  }
  fs.mkdirSync(outputDir, { recursive: true });
  const trainSummary = writeSplit(train, order, numAug, rng, path.join(outputDir, 'train'), 'train', opts.onProgress);
  let testSummary: SudokuSplitSummary | undefined;
  if (test) {
    const all = Uint32Array.from({ length: test.count }, (_, i) => i);
    testSummary = writeSplit(test, all, 0, rng, path.join(outputDir, 'test'), 'test', opts.onProgress);
  }
  writeIdentifiers(outputDir, ['<blank>']);
  return { outputDir, train: trainSummary, test: testSummary };
}
