/** The maze answer rule (src/data/maze/solver.ts, datasets.md 3.2) against all 2,000 staged answers. */
import { mazeDistance, mazePathProblem, solveMaze } from '../../../src/data/maze';
import { describeStaged, staged, expectShortestPath } from './helpers';

/** The same BFS labelling with another neighbour order, to show that the order matters. */
function labelWithOrder(q: string, order: [number, number][]): string {
  const n = Math.round(Math.sqrt(q.length));
  const s = q.indexOf('S');
  const g = q.indexOf('G');
  const parent = new Int32Array(n * n).fill(-2);
  parent[s] = -1;
  const queue = [s];
  for (let h = 0; h < queue.length && parent[g] === -2; h++) {
    const c = queue[h];
    const r = Math.floor(c / n);
    const col = c % n;
    for (const [dr, dc] of order) {
      const rr = r + dr;
      const cc = col + dc;
      if (rr < 0 || rr >= n || cc < 0 || cc >= n) continue;
      const v = rr * n + cc;
      if (q[v] === '#' || parent[v] !== -2) continue;
      parent[v] = c;
      queue.push(v);
    }
  }
  const a = q.split('');
  for (let c = parent[g]; c !== s; c = parent[c]) a[c] = 'o';
  return a.join('');
}

describeStaged('the answer rule on the staged Maze-Hard data', () => {
  test('reproduces all 2,000 train + test answers exactly, and the ratings', () => {
    const { train, test } = staged();
    expect(train).toHaveLength(1000);
    expect(test).toHaveLength(1000);
    let mismatches = 0;
    for (const r of [...train, ...test]) {
      if (solveMaze(r.question) !== r.answer) mismatches++;
      expect(mazeDistance(r.question)! + 1).toBe(r.rating);
    }
    expect(mismatches).toBe(0);
  });

  test('the staged answers are shortest paths, and the tie-break decides which one', () => {
    const { train, test } = staged();
    const all = [...train, ...test];
    for (const r of all.slice(0, 200)) expectShortestPath(r.question, r.answer);
    // Of the 24 neighbour orders, only down-left-right-up reproduces every answer (on all 2,000,
    // the runner-up down-right-left-up gets 1,836; most orders get almost none).
    const dirs: Record<string, [number, number]> = { D: [1, 0], L: [0, -1], R: [0, 1], U: [-1, 0] };
    const orders: string[] = [];
    const permute = (pre: string, rest: string): void => {
      if (!rest) orders.push(pre);
      for (let i = 0; i < rest.length; i++) permute(pre + rest[i], rest.slice(0, i) + rest.slice(i + 1));
    };
    permute('', 'DLRU');
    const sample = all.filter((_, i) => i % 5 === 0);
    const exact = orders.filter((o) => sample.every((r) => labelWithOrder(r.question, [...o].map((ch) => dirs[ch])) === r.answer));
    expect(exact).toEqual(['DLRU']);
  });
});

describe('solveMaze errors', () => {
  test('solveMaze: unreachable goal and invalid grids are errors', () => {
    expect(() => solveMaze('S#' + '#G')).toThrow(/cannot be reached/);
    expect(mazeDistance('S#' + '#G')).toBeNull();
    expect(() => solveMaze('S G')).toThrow(/3 characters/);
  });
});

describe('mazePathProblem', () => {
  // S at (0,0), G at (3,1): shortest paths have 4 moves; two of them exist.
  const q = 'S  #' + ' # #' + '   #' + '#G  ';
  test('any shortest path is one; the labelled answer too', () => {
    expect(mazePathProblem(q, solveMaze(q))).toBeNull();
    expect(mazePathProblem(q, 'S  #' + 'o# #' + 'oo #' + '#G  ')).toBeNull();
    expect(mazePathProblem(q, 'S  #' + 'o# #' + 'o  #' + '#G  ')).toBe('it marks 2 cell(s), a shortest path passes 3 between S and G');
    expect(mazePathProblem(q, 'So #' + 'o# #' + ' o #' + '#G  ')).toBe('the marked cells do not connect S to G');
    expect(mazePathProblem(q, 'S  o' + 'o# #' + 'oo #' + '#G  ')).toMatch(/^at cell 3 \(row 0, column 3\) the answer has "o" where the question has "#"/);
    expect(mazePathProblem('S  #' + '####' + '   #' + '#G  ', q)).toBe('the maze has no path: G cannot be reached from S');
  });
});

describeStaged('mazePathProblem on the staged Maze-Hard data', () => {
  test('every staged answer is a shortest path; one cell moved off the path is not', () => {
    const { test } = staged();
    for (const r of test.slice(0, 100)) expect(mazePathProblem(r.question, r.answer)).toBeNull();
    const r = test[0];
    const k = r.answer.indexOf('o');
    expect(mazePathProblem(r.question, r.answer.slice(0, k) + ' ' + r.answer.slice(k + 1))).toMatch(/marks \d+ cell\(s\), a shortest path passes \d+/);
  });
});
