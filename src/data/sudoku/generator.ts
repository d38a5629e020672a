/**
 * The Sudoku generator (datasets.md 2.5): random complete grids, minimal unique-solution puzzles,
 * and puzzles of a minimum rating.
 * @module
 */
import { invalidArgument } from '../../util/errors';
import { Rng, checkRng } from '../random';
import { SudokuTransform } from './augmentation';
import { SudokuBox, SudokuGeometry } from './geometry';
import { toSudokuGrid } from './grid';
import { Search } from './search';
import { rateSudoku } from './solver';
import { isValidSudokuSolution } from './validity';

/** Options of {@link generateSudoku}. */
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
  /**
   * Givens the puzzle should have: the minimal puzzle gets extra givens from its solution, at
   * random blank cells ({@link addSudokuClues}), up to this count. Default: none added (a minimal
   * puzzle). More givens make an easier puzzle; the solution stays the unique one.
   */
  clues?: number;
}

/** A puzzle made by {@link generateSudoku}. */
export interface GeneratedSudoku {
  /** cell values, 0 = blank; exactly one solution; minimal (no clue can be removed) unless `clues` added givens */
  puzzle: Uint8Array;
  /** its solution */
  solution: Uint8Array;
  /** guesses to the first solution (rateSudoku) of the minimal puzzle */
  rating: number;
  /** number of givens (after any added by `clues`) */
  clues: number;
  /** candidate puzzles made to find this one */
  attempts: number;
}

/** A uniformly shuffled complete grid: a random search from the empty board, then a random symmetry. */
export function randomSudokuGrid(rng: Rng, box: SudokuBox = { rows: 3, cols: 3 }): Uint8Array {
  checkRng(rng, 'randomSudokuGrid(): rng');
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
  const { geo, cells } = toSudokuGrid(solution, box, 'minimalSudokuPuzzle');
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
 * A copy of `puzzle` with blank cells filled from `solution`, picked in a random order drawn from
 * `rng`, until it has `clues` givens (unchanged when it already has that many or more). A puzzle
 * with one solution keeps it: givens only remove candidates.
 */
export function addSudokuClues(puzzle: ArrayLike<number>, solution: ArrayLike<number>, clues: number, rng: Rng): Uint8Array {
  if (!Number.isInteger(clues) || clues < 0) throw invalidArgument(`addSudokuClues: clues must be an integer >= 0; got ${String(clues)}`);
  if (puzzle.length !== solution.length) throw invalidArgument(`addSudokuClues: the puzzle has ${puzzle.length} cells but the solution ${solution.length}`);
  if (clues > puzzle.length) throw invalidArgument(`addSudokuClues: clues ${clues} is more than the ${puzzle.length} cells of the grid`);
  const out = Uint8Array.from(puzzle);
  const blanks = rng.shuffle([...out.keys()].filter((k) => out[k] === 0));
  for (const k of blanks.slice(0, Math.max(0, clues - (out.length - blanks.length)))) out[k] = solution[k];
  return out;
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
  if (opts.clues !== undefined && (!Number.isInteger(opts.clues) || opts.clues < 0 || opts.clues > geo.cells)) {
    throw invalidArgument(`generateSudoku: clues must be an integer from 0 to ${geo.cells} (the cells of a ${geo.n}x${geo.n} grid); got ${String(opts.clues)}`);
  }
  let best = -1;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const solution = randomSudokuGrid(rng, geo.box);
    const puzzle = minimalSudokuPuzzle(solution, rng, geo.box);
    const rating = rateSudoku(puzzle, geo.box);
    best = Math.max(best, rating);
    if (rating >= minRating) {
      const given = opts.clues === undefined ? puzzle : addSudokuClues(puzzle, solution, opts.clues, rng);
      let clues = 0;
      for (const v of given) if (v !== 0) clues++;
      return { puzzle: given, solution, rating, clues, attempts: attempt };
    }
  }
  throw invalidArgument(`generateSudoku: no ${geo.n}x${geo.n} puzzle with rating >= ${minRating} in ${maxAttempts} attempts (best ${best}); lower minRating or raise maxAttempts`);
}
