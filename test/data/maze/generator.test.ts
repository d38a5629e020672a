/** The maze generator (src/data/maze/generator.ts, datasets.md 3.3). */
import { MazeGenerator, defaultMinPathLength, generateMazes, solveMaze } from '../../../src/data/maze';
import { expectShortestPath } from './helpers';

describe('generator', () => {
  test('30x30 defaults: size, minimum path length 110 cells, valid rule-labelled answers', () => {
    const gen = new MazeGenerator({}, 123);
    expect(gen.minPathLength).toBe(110);
    expect(defaultMinPathLength(30)).toBe(110);
    for (let i = 0; i < 3; i++) {
      const m = gen.next();
      expect(m.question).toHaveLength(900);
      expect(m.rating).toBeGreaterThanOrEqual(110);
      const d = expectShortestPath(m.question, m.answer);
      expect(m.rating).toBe(d + 1);
      expect(solveMaze(m.question)).toBe(m.answer);
      expect(m.question).toMatch(/^[# SG]+$/);
    }
  });

  test.each([
    { size: 10, minPathLength: 20, pairTries: 20 },
    { size: 7, minPathLength: 12, pairTries: Infinity },
    { size: 13, minPathLength: 2, pairTries: 1 },
  ])('size $size, min $minPathLength cells, pairTries $pairTries', (opts) => {
    const mazes = generateMazes(25, opts, 7);
    const layouts = new Set<string>();
    for (const m of mazes) {
      expect(m.question).toHaveLength(opts.size * opts.size);
      expect(m.rating).toBeGreaterThanOrEqual(opts.minPathLength);
      expect(m.rating).toBe(expectShortestPath(m.question, m.answer) + 1);
      expect(solveMaze(m.question)).toBe(m.answer);
      expect(m.source).toBe(`generated-${opts.size}x${opts.size}`);
      layouts.add(m.question.replace(/[SG]/g, ' '));
    }
    expect(layouts.size).toBe(mazes.length); // distinct wall layouts
  });

  test('seeded: the same seed gives the same mazes, another seed others', () => {
    const opts = { size: 9, minPathLength: 16 };
    expect(generateMazes(5, opts, 42)).toEqual(generateMazes(5, opts, 42));
    expect(generateMazes(5, opts, 43)).not.toEqual(generateMazes(5, opts, 42));
  });

  test('infeasible or invalid parameters are clear errors', () => {
    expect(() => new MazeGenerator({ size: 4, minPathLength: 16, maxLayoutsPerMaze: 500 }).next()).toThrow(/no 4x4 maze with a shortest path of >= 16 cells in 500 wall layouts/);
    expect(() => new MazeGenerator({ size: 1 })).toThrow(/maze size must be an integer/);
    expect(() => new MazeGenerator({ size: 5, minPathLength: 26 })).toThrow(/minPathLength .* \[2, 25\]/);
    expect(() => new MazeGenerator({ wallProbability: [0.5, 0.3] })).toThrow(/wallProbability/);
    expect(() => new MazeGenerator({ pairTries: 0 })).toThrow(/pairTries/);
    expect(() => generateMazes(-1)).toThrow(/count must be an integer from 0 to 4294967295 .*got -1/);
  });
});
