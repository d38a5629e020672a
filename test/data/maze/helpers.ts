/** Shared by the maze tests: the staged Maze-Hard CSVs, scratch folders, and an independent shortest-path check. */
import * as path from 'path';
import { MazeRecord, loadMazeCsv } from '../../../src/data/maze';
import { haveSharedData, sharedDataPath } from '../../helpers/shared-data';
import { scratchFolders } from '../scratch';

export const MAZE_DIR = sharedDataPath('maze', 'maze-30x30-hard-1k');
export const TRAIN_CSV = path.join(MAZE_DIR, 'train.csv');
export const TEST_CSV = path.join(MAZE_DIR, 'test.csv');
export const haveStaged = haveSharedData('maze', 'maze-30x30-hard-1k', 'train.csv') && haveSharedData('maze', 'maze-30x30-hard-1k', 'test.csv');
export const describeStaged = haveStaged ? describe : describe.skip;

/** A new scratch folder (removed after the test file). */
export const scratch = scratchFolders('hrm-maze-');

let stagedCache: { train: MazeRecord[]; test: MazeRecord[] } | undefined;
export function staged(): { train: MazeRecord[]; test: MazeRecord[] } {
  stagedCache ??= { train: loadMazeCsv(TRAIN_CSV), test: loadMazeCsv(TEST_CSV) };
  return stagedCache;
}

/** Plain BFS distances from `src` (neighbour order irrelevant), written independently of src/data/maze. */
function distancesFrom(q: string, n: number, src: number): Int32Array {
  const dist = new Int32Array(n * n).fill(-1);
  const queue = [src];
  dist[src] = 0;
  for (let h = 0; h < queue.length; h++) {
    const c = queue[h];
    const r = Math.floor(c / n);
    const col = c % n;
    for (const [dr, dc] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const rr = r + dr;
      const cc = col + dc;
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      const v = rr * n + cc;
      if (q[v] === '#' || dist[v] >= 0) continue;
      dist[v] = dist[c] + 1;
      queue.push(v);
    }
  }
  return dist;
}

/**
 * Checks that `answer` marks one shortest S -> G path of `question` (independently of solveMaze):
 * only open cells become 'o'; S, the 'o' cells and G form a chain of adjacent cells from S to G
 * with exactly (distance + 1) cells. Returns the distance in moves.
 */
export function expectShortestPath(question: string, answer: string): number {
  const n = Math.round(Math.sqrt(question.length));
  expect(answer.length).toBe(question.length);
  for (let i = 0; i < question.length; i++) {
    if (answer[i] !== question[i] && !(question[i] === ' ' && answer[i] === 'o')) throw new Error(`cell ${i}: ${question[i]} -> ${answer[i]}`);
  }
  const s = question.indexOf('S');
  const g = question.indexOf('G');
  const d = distancesFrom(question, n, s)[g];
  expect(d).toBeGreaterThan(0);
  const onPath = (c: number) => answer[c] === 'o' || c === s || c === g;
  const cellsOnPath = [...answer].filter((ch) => ch === 'o').length + 2;
  expect(cellsOnPath).toBe(d + 1);
  // Walk the chain from S: each step must have exactly one unvisited path neighbour.
  const seen = new Set([s]);
  let c = s;
  while (c !== g) {
    const col = c % n;
    const next = [c - n, c + n, col > 0 ? c - 1 : -1, col < n - 1 ? c + 1 : -1].filter((v) => v >= 0 && v < n * n && onPath(v) && !seen.has(v));
    if (next.length !== 1) throw new Error(`path branches or breaks at cell ${c} (${next.length} continuations)`);
    c = next[0];
    seen.add(c);
  }
  expect(seen.size).toBe(cellsOnPath);
  return d;
}
