/**
 * Maze-Hard (hrm-spec 6.3; datasets.md 3): the reference CSV format, the token encoding, the rule
 * that turns a question grid into its labelled answer, a seeded generator of new mazes with the
 * same statistics, the dihedral augmentation, and a builder that writes the reference's on-disk
 * dataset (hrm-spec 6.1).
 *
 * A maze is an n x n grid stored row-major as a string over "# SGo": '#' wall, ' ' open, 'S' start,
 * 'G' goal, and in answers 'o' for the cells of one shortest S -> G path (S and G keep their letters).
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { invalidArgument } from '../tensor/dtype';
import { writeFileAtomic } from '../tensor/io';
import { SetWriter, writeIdentifiers, writeMetadata } from './format';
import { Rng } from './random';

/** The reference's CHARSET: character k gets token id k + 1 (hrm-spec 6.3). */
export const MAZE_CHARSET = '# SGo';
/** Token ids (hrm-spec 6.3). PAD never occurs in a maze. */
export const MAZE_TOKENS = { pad: 0, wall: 1, open: 2, start: 3, goal: 4, path: 5 } as const;
/** PAD + the five characters. */
export const MAZE_VOCAB_SIZE = MAZE_CHARSET.length + 1;

/** One CSV row in the reference schema `source,question,answer,rating`. */
export interface MazeRecord {
  source: string;
  /** n*n characters over "# SG", exactly one 'S' and one 'G'. */
  question: string;
  /** The question with the intermediate cells of one shortest S -> G path set to 'o'. */
  answer: string;
  /**
   * The staged data's rating: cells on the shortest path counting S and G (= moves + 1); null when
   * the CSV leaves it empty. The reference builder ignores this column.
   */
  rating: number | null;
}

/** Bad data in a file or record the caller supplied (as opposed to a bad option). */
function invalidData(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'INVALID_DATA' });
}

// ---------------------------------------------------------------------------------------------
// Validation and encoding
// ---------------------------------------------------------------------------------------------

/** The side of a square grid of `length` cells, or -1 when `length` is not a square >= 4. */
function squareSide(length: number): number {
  const n = Math.round(Math.sqrt(length));
  return n >= 2 && n * n === length ? n : -1;
}

/**
 * Checks one maze and returns its side length. `where` prefixes messages (e.g. "train.csv line 7").
 * Rules: the question is a square grid (at least 2 x 2) over "# SG" with exactly one 'S' and one
 * 'G'; the answer, when given, has the same length and differs from the question only where an
 * open cell ' ' became 'o' (so walls, S and G are unchanged).
 */
export function validateMaze(question: string, answer?: string, where = 'maze'): number {
  if (typeof question !== 'string') throw invalidData(`${where}: the question must be a string`);
  const n = squareSide(question.length);
  if (n < 0) throw invalidData(`${where}: the question has ${question.length} characters, which is not the area of a square grid of side >= 2 (30x30 = 900)`);
  let starts = 0;
  let goals = 0;
  for (let i = 0; i < question.length; i++) {
    const ch = question[i];
    if (ch === 'S') starts++;
    else if (ch === 'G') goals++;
    else if (ch !== '#' && ch !== ' ') {
      const hint = ch === 'o' ? " ('o' marks the path and belongs only in answers)" : '';
      throw invalidData(`${where}: the question has ${JSON.stringify(ch)} at cell ${i} (row ${Math.floor(i / n)}, column ${i % n}); allowed are '#', ' ', 'S', 'G'${hint}`);
    }
  }
  if (starts !== 1 || goals !== 1) throw invalidData(`${where}: the question must hold exactly one 'S' and one 'G', found ${starts} 'S' and ${goals} 'G'`);
  if (answer !== undefined) {
    if (typeof answer !== 'string') throw invalidData(`${where}: the answer must be a string`);
    if (answer.length !== question.length) throw invalidData(`${where}: the answer has ${answer.length} characters, the question ${question.length}`);
    for (let i = 0; i < answer.length; i++) {
      const a = answer[i];
      const q = question[i];
      if (a === q || (q === ' ' && a === 'o')) continue;
      if (!MAZE_CHARSET.includes(a)) throw invalidData(`${where}: the answer has ${JSON.stringify(a)} at cell ${i}; allowed are ${JSON.stringify(MAZE_CHARSET)}`);
      throw invalidData(`${where}: at cell ${i} (row ${Math.floor(i / n)}, column ${i % n}) the answer has ${JSON.stringify(a)} where the question has ${JSON.stringify(q)}; an answer may only turn open cells ' ' into 'o'`);
    }
  }
  return n;
}

/** Side length of a square maze string (throws when the length is not a square). */
export function mazeSize(grid: string): number {
  const n = squareSide(grid.length);
  if (n < 0) throw invalidData(`a maze of ${grid.length} characters is not a square grid of side >= 2`);
  return n;
}

const CHAR_TO_TOKEN = new Map<string, number>([...MAZE_CHARSET].map((c, i) => [c, i + 1]));

/** Tokens of a maze string (hrm-spec 6.3: '#'=1, ' '=2, 'S'=3, 'G'=4, 'o'=5). */
export function encodeMaze(grid: string): Uint8Array {
  const out = new Uint8Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const t = CHAR_TO_TOKEN.get(grid[i]);
    if (t === undefined) throw invalidData(`encodeMaze: ${JSON.stringify(grid[i])} at cell ${i} is not one of ${JSON.stringify(MAZE_CHARSET)}`);
    out[i] = t;
  }
  return out;
}

/** The maze string of a token row (inverse of encodeMaze; PAD is not a maze character). */
export function decodeMaze(tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t >= 1 && t <= MAZE_CHARSET.length) || !Number.isInteger(t)) throw invalidData(`decodeMaze: token ${t} at position ${i} is not a maze token (1..${MAZE_CHARSET.length})`);
    s += MAZE_CHARSET[t - 1];
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// The answer rule
// ---------------------------------------------------------------------------------------------

/**
 * Breadth-first search over the open cells of an n x n grid. The neighbour order of the labelling
 * rule is built in: down (r+1, c), left (r, c-1), right (r, c+1), up (r-1, c). Cells are marked
 * visited when first discovered, so a cell's parent is the first cell that discovers it.
 * Visited marks are stamps, so a search costs O(cells reached), not O(grid).
 */
class GridSearch {
  readonly cells: number;
  readonly open: Uint8Array;
  readonly dist: Int32Array;
  readonly parent: Int32Array;
  /** Cells in the order they were discovered (non-decreasing distance); valid for [0, count). */
  readonly order: Int32Array;
  count = 0;
  private readonly seen: Uint32Array;
  private stamp = 0;
  /** Neighbours of cell c at [4c, 4c + 4): down, left, right, up; -1 outside the grid. */
  private readonly nbr: Int32Array;

  constructor(readonly n: number) {
    this.cells = n * n;
    this.open = new Uint8Array(this.cells);
    this.dist = new Int32Array(this.cells);
    this.parent = new Int32Array(this.cells);
    this.order = new Int32Array(this.cells);
    this.seen = new Uint32Array(this.cells);
    this.nbr = new Int32Array(4 * this.cells);
    for (let c = 0; c < this.cells; c++) {
      const r = Math.floor(c / n);
      const col = c - r * n;
      this.nbr[4 * c] = r + 1 < n ? c + n : -1;
      this.nbr[4 * c + 1] = col > 0 ? c - 1 : -1;
      this.nbr[4 * c + 2] = col + 1 < n ? c + 1 : -1;
      this.nbr[4 * c + 3] = r > 0 ? c - n : -1;
    }
  }

  visited(c: number): boolean {
    return this.seen[c] === this.stamp;
  }

  /** Searches from `src` (stops early once `stopAt` is discovered); returns the last cell reached. */
  run(src: number, stopAt = -1): number {
    const { open, dist, parent, order, seen, nbr } = this;
    if (++this.stamp === 0xffffffff) {
      seen.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    seen[src] = stamp;
    dist[src] = 0;
    parent[src] = -1;
    order[0] = src;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const c = order[head++];
      const d = dist[c] + 1;
      // nbr lists down, left, right, up: the order that reproduces the reference labels (see solveMaze)
      for (let k = 4 * c, end = k + 4; k < end; k++) {
        const v = nbr[k];
        if (v < 0 || open[v] === 0 || seen[v] === stamp) continue;
        seen[v] = stamp;
        dist[v] = d;
        parent[v] = c;
        order[tail++] = v;
        if (v === stopAt) {
          this.count = tail;
          return v;
        }
      }
    }
    this.count = tail;
    return order[tail - 1];
  }
}

/**
 * The labelled answer of a question, computed exactly as the reference data was labelled.
 *
 * Rule (datasets.md 3.2; checked against all 2,000 staged train + test answers by
 * test/data/maze.test.ts): breadth-first search from S over the 4-neighbourhood of non-wall cells,
 * expanding each cell's neighbours in the order down (row+1), left (col-1), right (col+1), up
 * (row-1); a cell's parent is the first cell that discovers it (FIFO queue, visited on discovery);
 * the path is read back from G through the parents, and every cell on it except S and G becomes
 * 'o'. Mazes have many shortest paths, so the tie-break matters: exact-match accuracy on the staged
 * test set is only meaningful for labels made by this rule. Of the 24 neighbour orders only this one
 * reproduces all 2,000 answers (the runner-up, down-right-left-up, gets 1,836; most get under 5).
 *
 * Throws when G cannot be reached from S.
 */
export function solveMaze(question: string): string {
  const n = validateMaze(question, undefined, 'solveMaze');
  const search = new GridSearch(n);
  return solveOn(search, question, question.indexOf('S'), question.indexOf('G'));
}

/** Length of the shortest S -> G path in moves (the staged `rating` is this + 1), or null if none. */
export function mazeDistance(question: string): number | null {
  const n = validateMaze(question, undefined, 'mazeDistance');
  const search = new GridSearch(n);
  for (let i = 0; i < question.length; i++) search.open[i] = question[i] === '#' ? 0 : 1;
  const g = question.indexOf('G');
  search.run(question.indexOf('S'), g);
  return search.visited(g) ? search.dist[g] : null;
}

function solveOn(search: GridSearch, question: string, s: number, g: number): string {
  for (let i = 0; i < question.length; i++) search.open[i] = question[i] === '#' ? 0 : 1;
  search.run(s, g);
  if (!search.visited(g)) throw invalidData('solveMaze: the goal G cannot be reached from the start S');
  const chars = question.split('');
  for (let c = search.parent[g]; c !== s; c = search.parent[c]) chars[c] = 'o';
  return chars.join('');
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/** RFC 4180 rows (quoted fields with "" escapes; LF or CRLF line ends), each with its 1-based line. */
function csvRows(text: string, name: string): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          if (i >= text.length) throw invalidData(`${name} line ${startLine}: a quoted field is not closed`);
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        if (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
          throw invalidData(`${name} line ${line}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
        }
      } else {
        const start = i;
        while (i < text.length && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') i++;
        field = text.slice(start, i);
      }
      fields.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    // Blank lines (e.g. a trailing one) carry no record.
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: startLine });
  }
  return rows;
}

/**
 * Parses maze CSV text in the reference schema. Like the reference builder, the first row is a
 * header and columns are taken by position (source, question, answer, rating). Every row is
 * validated (validateMaze) and all mazes of a file must have the same size.
 * @param name used in error messages (e.g. the file name)
 */
export function parseMazeCsv(text: string, name = 'maze CSV'): MazeRecord[] {
  const rows = csvRows(text, name);
  if (rows.length === 0) throw invalidData(`${name}: the file is empty (expected a header 'source,question,answer,rating' and maze rows)`);
  const header = rows[0];
  if (header.fields.length !== 4) {
    throw invalidData(`${name} line ${header.line}: the header has ${header.fields.length} column(s); expected 4: source,question,answer,rating`);
  }
  // A first row that is itself a maze means the header is missing; the reference would skip that maze silently.
  if (squareSide(header.fields[1].length) >= 2 && /^[# SG]+$/.test(header.fields[1]) && header.fields[1].includes('S')) {
    throw invalidData(`${name} line ${header.line}: the first row looks like a maze, but it must be the header 'source,question,answer,rating'`);
  }
  if (rows.length === 1) throw invalidData(`${name}: no maze rows after the header`);
  const out: MazeRecord[] = [];
  let size = -1;
  for (let r = 1; r < rows.length; r++) {
    const { fields, line } = rows[r];
    const where = `${name} line ${line}`;
    if (fields.length !== 4) throw invalidData(`${where}: ${fields.length} column(s), expected 4 (source,question,answer,rating)`);
    const [source, question, answer, ratingText] = fields;
    const n = validateMaze(question, answer, where);
    if (size < 0) size = n;
    else if (n !== size) throw invalidData(`${where}: a ${n}x${n} maze, but the earlier rows are ${size}x${size}; all mazes of a dataset must have one size`);
    let rating: number | null = null;
    if (ratingText.trim() !== '') {
      rating = Number(ratingText);
      if (!Number.isFinite(rating)) throw invalidData(`${where}: the rating ${JSON.stringify(ratingText)} is not a number`);
    }
    out.push({ source, question, answer, rating });
  }
  return out;
}

/** Reads and validates a maze CSV file (see parseMazeCsv). */
export function loadMazeCsv(file: string): MazeRecord[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidArgument(`cannot read the maze CSV ${file}: ${(e as Error).message}`);
  }
  return parseMazeCsv(text, path.basename(file));
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text in the reference schema (quoting only where needed, as Python's csv module does). */
export function formatMazeCsv(records: readonly MazeRecord[]): string {
  const lines = ['source,question,answer,rating'];
  for (const r of records) lines.push([r.source, r.question, r.answer, r.rating === null ? '' : String(r.rating)].map(csvField).join(','));
  return lines.join('\n') + '\n';
}

/** Writes records as a reference-schema CSV (atomically). */
export function writeMazeCsv(file: string, records: readonly MazeRecord[]): void {
  writeFileAtomic(file, [formatMazeCsv(records)]);
}

// ---------------------------------------------------------------------------------------------
// Dihedral transforms (hrm-spec 6.4 ids, as numpy computes them)
// ---------------------------------------------------------------------------------------------

/**
 * Inverse of each dihedral id: rot90 and rot270 undo each other, every other transform is its own
 * inverse. Ids: 0 identity, 1 rot90 (numpy's counter-clockwise rot90, k=1), 2 rot180, 3 rot270,
 * 4 flip left-right, 5 flip up-down, 6 transpose, 7 anti-transpose (flip-lr of rot90).
 */
export const DIHEDRAL_INVERSE: readonly number[] = [0, 3, 2, 1, 4, 5, 6, 7];

function checkTid(tid: number): void {
  if (!Number.isInteger(tid) || tid < 0 || tid > 7) throw invalidArgument(`dihedral transform id must be an integer 0..7, got ${tid}`);
}

/** Shape of a rows x cols grid after transform `tid` (ids 1, 3, 6, 7 swap the sides). */
export function dihedralShape(tid: number, rows: number, cols: number): [number, number] {
  checkTid(tid);
  return tid === 1 || tid === 3 || tid === 6 || tid === 7 ? [cols, rows] : [rows, cols];
}

/**
 * The gather map of transform `tid` on a rows x cols row-major grid: output cell k takes input cell
 * map[k]. It is a permutation of 0..rows*cols-1.
 */
export function dihedralIndexMap(tid: number, rows: number, cols: number = rows): Int32Array {
  checkTid(tid);
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw invalidArgument(`dihedralIndexMap: rows and cols must be positive integers, got ${rows} x ${cols}`);
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

// ---------------------------------------------------------------------------------------------
// Generator
// ---------------------------------------------------------------------------------------------

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
  readonly size: number;
  readonly minPathLength: number;
  readonly wallProbability: [number, number];
  readonly pairTries: number;
  readonly maxLayoutsPerMaze: number;
  readonly source: string;
  /** Layouts drawn so far (kept or not); with `generated`, the acceptance rate. */
  layoutsTried = 0;
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
    const answer = solveOn(search, question, s, g);
    // solveOn's search from S stopped at G, so dist[g] is the S -> G distance.
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

/** `count` mazes from a fresh generator (see MazeGenerator). */
export function generateMazes(count: number, options: MazeGeneratorOptions = {}, seed = 0): MazeRecord[] {
  if (!Number.isInteger(count) || count < 0) throw invalidArgument(`generateMazes: count must be a non-negative integer, got ${count}`);
  const gen = new MazeGenerator(options, seed);
  const out: MazeRecord[] = [];
  for (let i = 0; i < count; i++) out.push(gen.next());
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dataset builder
// ---------------------------------------------------------------------------------------------

export interface MazeBuildProgress {
  split: 'train' | 'test';
  phase: 'load' | 'generate' | 'write';
  done: number;
  total: number;
}

export interface MazeBuildOptions {
  /** Reference-schema CSV for the train split (with testCsv; excludes `generate`). */
  trainCsv?: string;
  /** Reference-schema CSV for the test split. */
  testCsv?: string;
  /** Generate both splits instead (one generator, so no layout is shared between them). */
  generate?: { train: number; test: number } & Pick<MazeGeneratorOptions, 'size' | 'minPathLength' | 'wallProbability' | 'pairTries'>;
  outputDir: string;
  /** The reference's `--aug`: 8 dihedral versions of every training maze as one group. Default false. */
  aug?: boolean;
  /** Seed of the generator (only generation draws random numbers). Default 0. */
  seed?: number;
  onProgress?: (p: MazeBuildProgress) => void;
}

export interface MazeSplitSummary {
  groups: number;
  puzzles: number;
  examples: number;
}

export interface MazeBuildResult {
  outputDir: string;
  size: number;
  seqLen: number;
  train: MazeSplitSummary;
  test: MazeSplitSummary;
}

/**
 * Builds a maze dataset as the reference's build_maze_dataset.py does (hrm-spec 6.3, 6.1):
 * `<outputDir>/{train,test}/dataset.json` + `all__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`
 * and `<outputDir>/identifiers.json` = ["<blank>"]. One example per puzzle, all with identifier 0;
 * each maze is one group (with `aug`, the 8 dihedral versions of a training maze form its group;
 * the test split is never augmented). Rows keep the CSV (or generation) order.
 * As in the reference, augmented labels are the transformed answers, not re-solved: they are still
 * shortest paths, but the tie-break of solveMaze is not symmetric, so on the staged training set
 * only the left-right flip keeps a rule-made label (931 of 1,000); the other six transforms almost
 * never do.
 * Everything is loaded and validated before the first file is written.
 */
export function buildMazeDataset(options: MazeBuildOptions): MazeBuildResult {
  if (!options || typeof options.outputDir !== 'string' || options.outputDir === '') throw invalidArgument('buildMazeDataset: outputDir (a folder path) is required');
  const { trainCsv, testCsv, generate, aug = false, seed = 0, onProgress } = options;
  const hasCsv = trainCsv !== undefined || testCsv !== undefined;
  if (hasCsv && generate) throw invalidArgument('buildMazeDataset: give either trainCsv + testCsv or generate, not both');
  if (!hasCsv && !generate) throw invalidArgument('buildMazeDataset: give trainCsv + testCsv (reference CSVs) or generate: { train, test, size, minPathLength }');
  if (hasCsv && (typeof trainCsv !== 'string' || typeof testCsv !== 'string')) throw invalidArgument('buildMazeDataset: trainCsv and testCsv must both be given (file paths)');
  if (typeof aug !== 'boolean') throw invalidArgument(`buildMazeDataset: aug must be a boolean, got ${JSON.stringify(aug)}`);

  let splits: { train: MazeRecord[]; test: MazeRecord[] };
  if (generate) {
    for (const k of ['train', 'test'] as const) {
      const v = generate[k];
      if (!Number.isInteger(v) || v < 1) throw invalidArgument(`buildMazeDataset: generate.${k} must be a positive integer (number of mazes), got ${v}`);
    }
    const { size, minPathLength, wallProbability, pairTries } = generate;
    const gen = new MazeGenerator({ size, minPathLength, wallProbability, pairTries }, seed);
    const make = (split: 'train' | 'test', total: number): MazeRecord[] => {
      const out: MazeRecord[] = [];
      for (let i = 0; i < total; i++) {
        out.push(gen.next());
        onProgress?.({ split, phase: 'generate', done: i + 1, total });
      }
      return out;
    };
    splits = { train: make('train', generate.train), test: make('test', generate.test) };
  } else {
    const load = (split: 'train' | 'test', file: string): MazeRecord[] => {
      onProgress?.({ split, phase: 'load', done: 0, total: 1 });
      const recs = loadMazeCsv(file);
      onProgress?.({ split, phase: 'load', done: 1, total: 1 });
      return recs;
    };
    splits = { train: load('train', trainCsv as string), test: load('test', testCsv as string) };
  }
  const size = mazeSize(splits.train[0].question);
  const testSize = mazeSize(splits.test[0].question);
  if (testSize !== size) throw invalidData(`buildMazeDataset: the train mazes are ${size}x${size} but the test mazes ${testSize}x${testSize}; both splits need one size (one seq_len)`);
  const seqLen = size * size;

  const root = options.outputDir;
  const summary = {} as Record<'train' | 'test', MazeSplitSummary>;
  for (const split of ['train', 'test'] as const) {
    const records = splits[split];
    const dir = path.join(root, split);
    const writer = new SetWriter(dir, 'all', seqLen);
    const versions = split === 'train' && aug ? 8 : 1;
    const maps = Array.from({ length: versions }, (_, t) => dihedralIndexMap(t, size));
    try {
      for (let r = 0; r < records.length; r++) {
        const q = encodeMaze(records[r].question);
        const a = encodeMaze(records[r].answer);
        for (const map of maps) {
          const qi = new Uint8Array(seqLen);
          const ai = new Uint8Array(seqLen);
          for (let k = 0; k < seqLen; k++) {
            qi[k] = q[map[k]];
            ai[k] = a[map[k]];
          }
          writer.addPuzzle(0, qi, ai);
        }
        writer.endGroup();
        onProgress?.({ split, phase: 'write', done: r + 1, total: records.length });
      }
    } catch (e) {
      writer.abort();
      throw e;
    }
    const counts = writer.finish();
    // hrm-spec 6.3: one shared identifier (0), nothing ignored in practice, one example per puzzle.
    writeMetadata(dir, {
      pad_id: MAZE_TOKENS.pad,
      ignore_label_id: 0,
      blank_identifier_id: 0,
      vocab_size: MAZE_VOCAB_SIZE,
      seq_len: seqLen,
      num_puzzle_identifiers: 1,
      total_groups: counts.totalGroups,
      mean_puzzle_examples: 1,
      sets: ['all'],
    });
    summary[split] = { groups: counts.totalGroups, puzzles: counts.totalPuzzles, examples: counts.totalExamples };
  }
  writeIdentifiers(root, ['<blank>']);
  return { outputDir: root, size, seqLen, train: summary.train, test: summary.test };
}
