/**
 * A seeded generator of new mazes with the statistics of Maze-Hard (datasets.md 3.3): Bernoulli
 * walls, a long shortest path between S and G, labelled with solveMaze's rule.
 * @module
 */
import { invalidArgument } from '../../util/errors';
import { Rng } from '../random';
import { MazeRecord } from './grid';
import { GridSearch } from './search';
import { labelShortestPath } from './solver';

/** Options of {@link MazeGenerator}. */
export interface MazeGeneratorOptions {
  /** Side of the square grid. Default 30. */
  size?: number;
  /**
   * Minimum shortest-path length in cells, counting S and G (the staged `rating`; = moves + 1).
   * Default round(11 * size / 3): 110 for 30x30, HRM's "difficulty > 110" filter as the staged
   * data realises it (datasets.md 3.3), scaled with the side for other sizes.
   */
  minPathLength?: number;
  /**
   * Each maze draws p uniformly from this range and makes every cell a wall with probability p.
   * Default [0.3, 0.5] (datasets.md 3.3: Bernoulli walls fit the staged wall counts).
   */
  wallProbability?: [number, number];
  /**
   * Random (S, G) pairs tried per wall layout before the layout is discarded (Lehnert et al.'s
   * procedure, which tries up to 100). Default 20, which fits the staged path-length distribution.
   * `Infinity` instead keeps every layout that has a qualifying pair and picks one of those pairs
   * uniformly (the literal datasets.md 3.3 recipe: ~15x faster, but too many paths at the
   * threshold); see MazeGenerator.
   */
  pairTries?: number;
  /** Wall layouts to try per maze before giving up (the parameters are then infeasible). Default 1000000. */
  maxLayoutsPerMaze?: number;
  /** Value of the `source` column of generated records. Default "generated-<size>x<size>". */
  source?: string;
}

/** Default minimum path length (cells) for a size: 110 at 30x30. */
export function defaultMinPathLength(size: number): number {
  return Math.round((11 * size) / 3);
}

/**
 * Seeded maze generator after datasets.md 3.3 and Lehnert et al.:
 *  1. draw p ~ U(wallProbability) and make each cell a wall with probability p;
 *  2. try up to `pairTries` random pairs (S, G) of distinct open cells; the first whose shortest
 *     path has >= minPathLength cells makes the maze; if none does, discard the layout;
 *  3. label it with solveMaze's rule; rating = moves + 1.
 * Tries that provably fail (S and G in different components, or an upper bound on their distance
 * below the threshold) skip the search; that only saves time, the outcome is the same.
 *
 * Why pair tries and not "keep any layout that has a long pair, then pick one of its long pairs
 * uniformly" (datasets.md 3.3 steps 2-3; available as pairTries = Infinity): that recipe keeps a
 * layout with a single long pair as readily as one with thousands, and so over-produces paths
 * right at the threshold. Measured on 3,000 generated 30x30 mazes against the 2,000 staged ones:
 * P(109 moves) 0.47 vs 0.16 staged, P(>= 120 moves) 0.02 vs 0.12, mean 110.6 vs 113.8 moves. The
 * staged set instead looks like "one random pair per layout, kept if long enough" (a pool made with
 * a low threshold, then filtered at 110): layouts weighted by their share of long pairs, which a
 * few tries per layout reproduce. With 20 tries: P(109) 0.16, P(110) 0.13, P(>= 120) 0.10-0.11,
 * mean 113.5 moves (staged 0.16, 0.14, 0.12, 113.8), and per-layout counts of qualifying pairs with
 * quantiles close to the staged layouts'. Wall counts match either way (mean ~334, sd ~23-25).
 * Cost: 30x30 at the default threshold needs ~3,000 layouts per maze with 20 tries (~0.2 s on one
 * core) against ~140 (~15 ms) with Infinity.
 *
 * Layouts never repeat within one generator (datasets.md 3.3: distinct layouts, none shared
 * between train and test when both come from the same generator).
 */
export class MazeGenerator {
  /** side of the square grid */
  readonly size: number;
  /** minimum shortest-path length in cells, counting S and G */
  readonly minPathLength: number;
  /** the range each maze draws its wall probability from */
  readonly wallProbability: [number, number];
  /** (S, G) pairs tried per wall layout */
  readonly pairTries: number;
  /** wall layouts tried per maze before giving up */
  readonly maxLayoutsPerMaze: number;
  /** the `source` column of generated records */
  readonly source: string;
  /** Layouts drawn so far (kept or not); with `generated`, the acceptance rate. */
  layoutsTried = 0;
  /** Mazes made so far. */
  generated = 0;
  private readonly rng: Rng;
  private readonly search: GridSearch;
  private readonly seenLayouts = new Set<string>();
  private readonly comp: Int32Array;
  private readonly openCells: Int32Array;
  private readonly levelCells: Int32Array;
  private readonly levels: Int32Array;
  private readonly pairCounts: Int32Array;
  private readonly goodComp: Uint8Array;
  /** Distance of each cell of a large component from that component's central cell. */
  private readonly hubDist: Int32Array;

  /** Checks the options; `seed` is a seed or a generator to draw from. */
  constructor(options: MazeGeneratorOptions = {}, seed: number | Rng = 0) {
    const size = options.size ?? 30;
    if (!Number.isInteger(size) || size < 2 || size > 1024) throw invalidArgument(`maze size must be an integer in [2, 1024], got ${size}`);
    const minPathLength = options.minPathLength ?? defaultMinPathLength(size);
    if (!Number.isInteger(minPathLength) || minPathLength < 2 || minPathLength > size * size) {
      throw invalidArgument(`minPathLength (cells on the path, counting S and G) must be an integer in [2, ${size * size}] for a ${size}x${size} maze, got ${minPathLength}`);
    }
    const wp = options.wallProbability ?? [0.3, 0.5];
    if (!Array.isArray(wp) || wp.length !== 2 || !(wp[0] >= 0 && wp[0] <= wp[1] && wp[1] < 1)) {
      throw invalidArgument(`wallProbability must be [low, high] with 0 <= low <= high < 1, got ${JSON.stringify(wp)}`);
    }
    const tries = options.pairTries ?? 20;
    if (!(tries === Infinity || (Number.isInteger(tries) && tries >= 1))) throw invalidArgument(`pairTries must be a positive integer or Infinity, got ${tries}`);
    const maxLayouts = options.maxLayoutsPerMaze ?? 1000000;
    if (!Number.isInteger(maxLayouts) || maxLayouts < 1) throw invalidArgument(`maxLayoutsPerMaze must be a positive integer, got ${maxLayouts}`);
    this.size = size;
    this.minPathLength = minPathLength;
    this.wallProbability = [wp[0], wp[1]];
    this.pairTries = tries;
    this.maxLayoutsPerMaze = maxLayouts;
    this.source = options.source ?? `generated-${size}x${size}`;
    this.rng = seed instanceof Rng ? seed : new Rng(seed);
    this.search = new GridSearch(size);
    const cells = size * size;
    this.comp = new Int32Array(cells);
    this.openCells = new Int32Array(cells);
    this.levelCells = new Int32Array(cells);
    this.levels = new Int32Array(cells);
    this.pairCounts = new Int32Array(cells);
    this.goodComp = new Uint8Array(cells);
    this.hubDist = new Int32Array(cells);
  }

  /** The next maze. Throws when maxLayoutsPerMaze layouts in a row yield none. */
  next(): MazeRecord {
    for (let attempt = 0; attempt < this.maxLayoutsPerMaze; attempt++) {
      this.layoutsTried++;
      const maze = this.tryLayout();
      if (maze) {
        this.generated++;
        return maze;
      }
    }
    throw invalidArgument(
      `MazeGenerator: no ${this.size}x${this.size} maze with a shortest path of >= ${this.minPathLength} cells in ${this.maxLayoutsPerMaze} wall layouts ` +
        `(wall probability ${this.wallProbability[0]}..${this.wallProbability[1]}); lower minPathLength or change wallProbability`,
    );
  }

  private tryLayout(): MazeRecord | null {
    const { size, search, rng } = this;
    const cells = size * size;
    const open = search.open;
    const [lo, hi] = this.wallProbability;
    // Bernoulli walls, two cells per 32-bit draw (half the generator calls; most layouts are
    // rejected, so this is hot): a cell is a wall when its 16-bit half is below round(p * 2^16),
    // i.e. p to within 2^-17.
    const wallBelow = Math.round((lo + (hi - lo) * rng.next()) * 65536);
    const openCells = this.openCells;
    let numOpen = 0;
    for (let i = 0; i < cells; i += 2) {
      const word = rng.uint32();
      const a = (word & 0xffff) >= wallBelow ? 1 : 0;
      open[i] = a;
      if (a) openCells[numOpen++] = i;
      if (i + 1 < cells) {
        const b = word >>> 16 >= wallBelow ? 1 : 0;
        open[i + 1] = b;
        if (b) openCells[numOpen++] = i + 1;
      }
    }
    const minMoves = this.minPathLength - 1;
    if (numOpen <= minMoves) return null;

    // Label the components and mark those that may hold a long enough path. With pairTries =
    // Infinity that is decided exactly (diameterAtLeast); otherwise prepareHub() gives each large
    // component a central cell whose distances bound every pair's distance from above.
    const comp = this.comp.fill(-1);
    const good = this.goodComp;
    let labels = 0;
    let anyGood = false;
    for (let k = 0; k < numOpen; k++) {
      const c = openCells[k];
      if (comp[c] >= 0) continue;
      const far = search.run(c);
      const label = labels++;
      for (let j = 0; j < search.count; j++) comp[search.order[j]] = label;
      let ok = search.count > minMoves;
      if (ok) ok = this.pairTries === Infinity ? this.diameterAtLeast(far, minMoves) : this.prepareHub(far, minMoves);
      good[label] = ok ? 1 : 0;
      anyGood ||= ok;
    }
    if (!anyGood) return null;

    const pair = this.pairTries === Infinity ? this.uniformPair(numOpen, good, minMoves) : this.triedPair(numOpen, good, minMoves);
    if (!pair) return null;
    const [s, g] = pair;

    let layout = '';
    for (let i = 0; i < cells; i++) layout += open[i] ? ' ' : '#';
    if (this.seenLayouts.has(layout)) return null;
    this.seenLayouts.add(layout);

    const q = layout.split('');
    q[s] = 'S';
    q[g] = 'G';
    const question = q.join('');
    const answer = labelShortestPath(search, question, s, g);
    // labelShortestPath's search from S stopped at G, so dist[g] is the S -> G distance.
    return { source: this.source, question, answer, rating: search.dist[g] + 1 };
  }

  /** Up to pairTries random pairs of distinct open cells; the first one far enough apart, or null. */
  private triedPair(numOpen: number, good: Uint8Array, minMoves: number): [number, number] | null {
    const { rng, search, comp, openCells, hubDist } = this;
    for (let t = 0; t < this.pairTries; t++) {
      const i = rng.int(numOpen);
      let j = rng.int(numOpen - 1);
      if (j >= i) j++;
      const s = openCells[i];
      const g = openCells[j];
      // Failed tries that need no search: different components (unreachable), a component
      // without a long enough pair, or d(S, G) <= d(S, hub) + d(hub, G) below the threshold.
      if (comp[s] !== comp[g] || good[comp[s]] === 0 || hubDist[s] + hubDist[g] < minMoves) continue;
      search.run(s, g);
      if (search.dist[g] >= minMoves) return [s, g];
    }
    return null;
  }

  /** A pair drawn uniformly from all ordered pairs far enough apart (all-pairs searches). */
  private uniformPair(numOpen: number, good: Uint8Array, minMoves: number): [number, number] | null {
    const { rng, search, comp, openCells } = this;
    const counts = this.pairCounts;
    let total = 0;
    for (let k = 0; k < numOpen; k++) {
      const u = openCells[k];
      counts[k] = 0;
      if (good[comp[u]] === 0) continue;
      search.run(u);
      // order[] is sorted by distance, so the qualifying goals are a suffix.
      let m = 0;
      for (let j = search.count - 1; j >= 0 && search.dist[search.order[j]] >= minMoves; j--) m++;
      counts[k] = m;
      total += m;
    }
    if (total === 0) return null;
    let pick = rng.int(total);
    let k = 0;
    while (pick >= counts[k]) pick -= counts[k++];
    const s = openCells[k];
    search.run(s);
    return [s, search.order[search.count - counts[k] + pick]];
  }

  /**
   * For the component holding `far` (the last cell reached by a search from anywhere in it): finds a
   * central cell u (the middle of a double-sweep path) and stores d(u, v) for its cells in hubDist,
   * so that d(S, G) <= hubDist[S] + hubDist[G] rules out most short pairs without a search. Returns
   * false when even 2 * ecc(u) is below m: then no pair of the component is m moves apart.
   */
  private prepareHub(far: number, m: number): boolean {
    const search = this.search;
    const b = search.run(far);
    const lb = search.dist[b];
    let u = b;
    for (let k = 0; k < lb >> 1; k++) u = search.parent[u];
    search.run(u);
    for (let j = 0; j < search.count; j++) {
      const v = search.order[j];
      this.hubDist[v] = search.dist[v];
    }
    return 2 * search.dist[search.order[search.count - 1]] >= m;
  }

  /**
   * Whether the component holding `far` (the last cell reached by a search from anywhere in it) has
   * two cells at least `m` moves apart. Lower bound lb: eccentricities found so far. Upper bound:
   * from a central cell u with levels L(v) = d(u, v), once every cell with L >= i has had its
   * eccentricity taken, any pair left has both L <= i - 1, hence distance <= 2(i - 1); so the
   * diameter is <= max(lb, 2(i - 1)) (the iFUB argument of Crescenzi et al.).
   */
  private diameterAtLeast(far: number, m: number): boolean {
    const search = this.search;
    const b = search.run(far);
    let lb = search.dist[b];
    if (lb >= m) return true;
    // u = the middle of the far -> b path: a cell of small eccentricity, so the upper bound is tight.
    let u = b;
    for (let k = 0; k < lb >> 1; k++) u = search.parent[u];
    search.run(u);
    const count = search.count;
    const eccU = search.dist[search.order[count - 1]];
    if (2 * eccU < m) return false;
    this.levelCells.set(search.order.subarray(0, count));
    for (let k = 0; k < count; k++) this.levels[k] = search.dist[this.levelCells[k]];
    let idx = count - 1;
    for (let i = eccU; i >= 1; i--) {
      while (idx >= 0 && this.levels[idx] === i) {
        const v = this.levelCells[idx--];
        const w = search.run(v);
        lb = Math.max(lb, search.dist[w]);
        if (lb >= m) return true;
      }
      if (2 * (i - 1) < m) return false;
    }
    return lb >= m;
  }
}

/** The longest a JavaScript array can be. */
const MAX_ARRAY_LENGTH = 2 ** 32 - 1;

/** `count` mazes from a fresh generator (see MazeGenerator). */
export function generateMazes(count: number, options: MazeGeneratorOptions = {}, seed = 0): MazeRecord[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_ARRAY_LENGTH) {
    throw invalidArgument(`generateMazes: count must be an integer from 0 to ${MAX_ARRAY_LENGTH} (the most an array holds), got ${count}`);
  }
  const gen = new MazeGenerator(options, seed);
  const out: MazeRecord[] = [];
  for (let i = 0; i < count; i++) out.push(gen.next());
  return out;
}
