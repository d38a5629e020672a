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

/**
 * Why `answer` is not a shortest S -> G path of `question`, in words, or null when it is one: the
 * answer must keep the question's walls, S and G, and mark with 'o' exactly the cells between S
 * and G of one shortest path (any shortest path; the labels use one of them, see solveMaze).
 * The question itself must be a valid maze (validateMaze's errors) whose G can be reached.
 */
export function mazePathProblem(question: string, answer: string): string | null {
  const n = validateMaze(question, undefined, 'maze');
  const distance = mazeDistance(question);
  if (distance === null) return 'the maze has no path: G cannot be reached from S';
  try {
    validateMaze(question, answer, 'maze answer');
  } catch (e) {
    return (e as Error).message.replace(/^maze answer: /, '');
  }
  // The marked cells with S and G must hold a path of `distance` moves, and no other cell.
  const marked = [...answer].filter((c) => c === 'o').length;
  if (marked !== distance - 1) return `it marks ${marked} cell(s), a shortest path passes ${distance - 1} between S and G`;
  const search = new GridSearch(n);
  for (let i = 0; i < answer.length; i++) search.open[i] = answer[i] === 'o' || answer[i] === 'S' || answer[i] === 'G' ? 1 : 0;
  const g = question.indexOf('G');
  search.run(question.indexOf('S'), g);
  if (!search.visited(g)) return 'the marked cells do not connect S to G';
  return null;
}
