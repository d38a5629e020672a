/**
 * The rule that labels a maze question with its answer (datasets.md 3.2), and shortest-path
 * distances.
 * @module
 */
import { invalidData } from '../../util/errors';
import { validateMaze } from './grid';
import { GridSearch } from './search';

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
  return labelShortestPath(search, question, question.indexOf('S'), question.indexOf('G'));
}

/** Length of the shortest S -> G path in moves (the staged `rating` is this + 1), or null if none. */
export function mazeDistance(question: string): number | null {
  const n = validateMaze(question, undefined, 'mazeDistance');
  const search = new GridSearch(n);
  search.openFrom(question);
  const g = question.indexOf('G');
  search.run(question.indexOf('S'), g);
  return search.visited(g) ? search.dist[g] : null;
}

/** Labels `question` (S at cell s, G at g) with solveMaze's rule, reusing `search` (of the question's size). */
export function labelShortestPath(search: GridSearch, question: string, s: number, g: number): string {
  search.openFrom(question);
  search.run(s, g);
  if (!search.visited(g)) throw invalidData('solveMaze: the goal G cannot be reached from the start S');
  const chars = question.split('');
  for (let c = search.parent[g]; c !== s; c = search.parent[c]) chars[c] = 'o';
  return chars.join('');
}
