/**
 * The exact Sudoku search behind the solver and the generator: DPLL over candidate bitmasks with
 * naked and hidden singles and locked candidates as propagation.
 * @module
 */
import { Rng } from '../random';
import { SudokuGeometry } from './geometry';

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

/** What a locked-candidates pass did: found a contradiction, removed candidates, or nothing. */
type LockedResult = 0 | 1 | 2;
const LOCKED_CONTRADICTION = 0;
const LOCKED_CHANGED = 1;
const LOCKED_NONE = 2;

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
export class Search {
  /** the solutions found so far (cleared by the caller between runs) */
  readonly solutions: Uint8Array[] = [];
  /** guesses made so far */
  guesses = 0;
  private readonly candStack: Uint16Array[] = [];
  private readonly statusStack: Uint8Array[] = [];
  private readonly queue: Int16Array;
  private qLen = 0;

  /** A search on `geo` that stops after `limit` solutions; with an rng, guesses pick random candidates. */
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

  /** Naked singles, hidden singles and locked candidates to a fixed point; false on a contradiction. */
  private propagate(cand: Uint16Array, status: Uint8Array): boolean {
    for (;;) {
      if (!this.placeQueued(cand, status) || !this.hiddenSingles(cand, status)) return false;
      if (this.qLen > 0) continue;
      const locked = this.lockedCandidates(cand, status);
      if (locked === LOCKED_CONTRADICTION) return false;
      if (locked === LOCKED_NONE) return true;
    }
  }

  /** Places the queued cells: each removes its digit from its peers (naked singles). False on a contradiction. */
  private placeQueued(cand: Uint16Array, status: Uint8Array): boolean {
    const { queue } = this;
    const { peers, peerCount } = this.geo;
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
    return true;
  }

  /** Hidden singles: queues the cells of the first unit whose digits have one place left. False on a contradiction. */
  private hiddenSingles(cand: Uint16Array, status: Uint8Array): boolean {
    const { n, units, full } = this.geo;
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
        this.queue[this.qLen++] = c;
      }
    }
    return true;
  }

  /**
   * Locked candidates: a digit confined to one box/line intersection within the box (or within
   * the line) cannot be elsewhere in the line (or elsewhere in the box). These are the box-line
   * ("triad") interactions that tdoku also propagates (datasets.md 2.2). Stops early once a cell
   * is queued.
   */
  private lockedCandidates(cand: Uint16Array, status: Uint8Array): LockedResult {
    const { intersections: ix, intersectionStarts: starts, intersectionSizes: sizes } = this.geo;
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
        for (let i = 0; i < lineLen; i++) if (!this.eliminate(cand, status, ix[s0 + segLen + i], pointing)) return LOCKED_CONTRADICTION;
        changed = true;
      }
      if (claiming !== 0) {
        for (let i = 0; i < boxLen; i++) if (!this.eliminate(cand, status, ix[s0 + segLen + lineLen + i], claiming)) return LOCKED_CONTRADICTION;
        changed = true;
      }
      if (this.qLen > 0) break;
    }
    return changed ? LOCKED_CHANGED : LOCKED_NONE;
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
