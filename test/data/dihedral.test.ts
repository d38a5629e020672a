/** The dihedral transforms (src/data/dihedral.ts, hrm-spec 6.4 ids) against numpy, and on mazes. */
import { DIHEDRAL_INVERSE, dihedralIndexMap, dihedralShape, dihedralTransform, inverseDihedralTransform } from '../../src/data/dihedral';
import { generateMazes } from '../../src/data/maze';
import { haveStaged, staged, expectShortestPath } from './maze/helpers';
import * as subject from '../../src/data/dihedral';
import { expectInvalidArgument } from '../helpers/errors';

describe('dihedral transforms', () => {
  test('match numpy on a 2x3 grid (rot90 counter-clockwise, flips, transposes)', () => {
    const a = Uint8Array.from([0, 1, 2, 3, 4, 5]);
    const expected = [
      [0, 1, 2, 3, 4, 5], // identity
      [2, 5, 1, 4, 0, 3], // np.rot90(a): [[2,5],[1,4],[0,3]]
      [5, 4, 3, 2, 1, 0], // rot180
      [3, 0, 4, 1, 5, 2], // rot270: [[3,0],[4,1],[5,2]]
      [2, 1, 0, 5, 4, 3], // fliplr
      [3, 4, 5, 0, 1, 2], // flipud
      [0, 3, 1, 4, 2, 5], // transpose
      [5, 2, 4, 1, 3, 0], // fliplr(rot90(a)): [[5,2],[4,1],[3,0]]
    ];
    for (let t = 0; t < 8; t++) expect([...dihedralTransform(a, t, 2, 3)]).toEqual(expected[t]);
  });

  test('every transform is a bijection whose inverse restores the original', () => {
    for (const [rows, cols] of [[1, 1], [3, 3], [4, 7], [30, 30]]) {
      const grid = Uint8Array.from({ length: rows * cols }, (_, i) => i % 251);
      for (let t = 0; t < 8; t++) {
        const map = dihedralIndexMap(t, rows, cols);
        expect(new Set(map).size).toBe(rows * cols);
        expect(Math.min(...map)).toBe(0);
        expect(Math.max(...map)).toBe(rows * cols - 1);
        const [tr, tc] = dihedralShape(t, rows, cols);
        const out = dihedralTransform(grid, t, rows, cols);
        expect(dihedralTransform(out, DIHEDRAL_INVERSE[t], tr, tc)).toEqual(grid);
        expect(inverseDihedralTransform(out, t, rows, cols)).toEqual(grid);
      }
      // the eight transforms of an asymmetric square grid are all different
      if (rows === cols && rows > 1) expect(new Set(Array.from({ length: 8 }, (_, t) => dihedralIndexMap(t, rows).join(','))).size).toBe(8);
    }
    expect(() => dihedralTransform('abc', 8, 1, 3)).toThrow(/0\.\.7/);
    expect(() => dihedralTransform('abc', 1, 2, 2)).toThrow(/3 cells, expected 2 x 2/);
  });

  test('a transformed answer is still a shortest path of the transformed question', () => {
    const mazes = haveStaged ? staged().train.slice(0, 5) : generateMazes(5, { size: 10, minPathLength: 20 }, 1);
    for (const m of mazes) {
      const n = Math.round(Math.sqrt(m.question.length));
      for (let t = 0; t < 8; t++) {
        const q = dihedralTransform(m.question, t, n);
        const a = dihedralTransform(m.answer, t, n);
        expect(expectShortestPath(q, a)).toBe(m.rating! - 1);
        expect(inverseDihedralTransform(a, t, n)).toBe(m.answer);
      }
    }
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('checkDihedralId and dihedralIndexMap describe any value, cycles and bigints too', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectInvalidArgument(() => subject.dihedralShape(cyclic as never, 2, 2), 'dihedral transform id must be an integer 0..7, got an object');
    expectInvalidArgument(() => subject.checkDihedralId(1n), 'dihedral transform id must be an integer 0..7, got bigint 1n');
    expectInvalidArgument(() => subject.dihedralIndexMap(0, 2, 0.5), 'dihedralIndexMap(): rows and cols must be positive integers, got rows number 2, cols number 0.5');
  });
});
