/**
 * Mazes as the reference stores them: an n x n grid, row-major, as a string over "# SGo": '#' wall,
 * ' ' open, 'S' start, 'G' goal, and in answers 'o' for the cells of one shortest S -> G path
 * (S and G keep their letters). The record type of a CSV row, and the validity rules.
 * @module
 */
import { invalidData } from '../../util/errors';
import { MAZE_CHARSET } from './codec';

/** One CSV row in the reference schema `source,question,answer,rating`. */
export interface MazeRecord {
  /** where the maze comes from (the reference's first column) */
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

/** The side of a square grid of `length` cells, or -1 when `length` is not the area of a square of side >= 2. */
export function squareSide(length: number): number {
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
