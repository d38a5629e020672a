/** ARC dihedral transforms, colour maps and their inverses (src/data/arc/transforms.ts). */
import {
  ARC_DIHEDRAL_INVERSE,
  ArcGrid,
  arcApplyColourMap,
  arcAugmentGrid,
  arcDihedralTransform,
  arcInverseColourMap,
  inverseTransform,
} from '../../../src/data/arc';
import { Rng } from '../../../src/data/random';
import { randomGrid } from './helpers';

describe('dihedral transforms and colour maps', () => {
  const g = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  // numpy semantics written out by hand: rot90 is counter-clockwise.
  const expected: ArcGrid[] = [
    [[1, 2, 3], [4, 5, 6]], // 0 identity
    [[3, 6], [2, 5], [1, 4]], // 1 rot90
    [[6, 5, 4], [3, 2, 1]], // 2 rot180
    [[4, 1], [5, 2], [6, 3]], // 3 rot270
    [[3, 2, 1], [6, 5, 4]], // 4 flip left-right
    [[4, 5, 6], [1, 2, 3]], // 5 flip up-down
    [[1, 4], [2, 5], [3, 6]], // 6 transpose
    [[6, 3], [5, 2], [4, 1]], // 7 anti-transpose
  ];

  test('the 8 ids match the hand-written numpy results and are distinct bijections', () => {
    const seen = new Set<string>();
    for (let t = 0; t < 8; t++) {
      const out = arcDihedralTransform(g, t);
      expect(out).toEqual(expected[t]);
      expect(out.flat().sort()).toEqual(g.flat().sort()); // a permutation of the cells
      seen.add(JSON.stringify(out));
    }
    expect(seen.size).toBe(8);
  });

  test('the inverse table undoes every transform, on random grids of every shape class', () => {
    const rng = new Rng(7);
    for (const [h, w] of [[1, 1], [1, 30], [30, 1], [3, 5], [7, 7], [30, 30]]) {
      const grid = randomGrid(rng, h, w);
      for (let t = 0; t < 8; t++) {
        expect(arcDihedralTransform(arcDihedralTransform(grid, t), ARC_DIHEDRAL_INVERSE[t])).toEqual(grid);
      }
    }
    expect(() => arcDihedralTransform(g, 8)).toThrow(/0..7/);
  });

  test('colour maps keep 0 in the builder, are bijections, and their argsort inverts them', () => {
    const rng = new Rng(3);
    const grid = randomGrid(rng, 6, 4);
    for (let k = 0; k < 20; k++) {
      const map = [0, ...rng.permutation(9).map((x) => x + 1)];
      const inv = arcInverseColourMap(map);
      for (let c = 0; c < 10; c++) expect(inv[map[c]]).toBe(c);
      expect(arcApplyColourMap(arcApplyColourMap(grid, map), inv)).toEqual(grid);
    }
    expect(() => arcApplyColourMap(grid, [0, 1, 1, 3, 4, 5, 6, 7, 8, 9])).toThrow(/not a permutation/);
    expect(() => arcApplyColourMap(grid, [0, 1, 2])).toThrow(/10 entries/);
  });

  test('inverseTransform undoes arcAugmentGrid for every dihedral id and random colour maps', () => {
    const rng = new Rng(11);
    for (let k = 0; k < 40; k++) {
      const grid = randomGrid(rng, 1 + rng.int(30), 1 + rng.int(30));
      const aug = { dihedral: k % 8, colourMap: [0, ...rng.permutation(9).map((x) => x + 1)] };
      const augmented = arcAugmentGrid(grid, aug);
      // colours first, then the transform (they commute)
      expect(augmented).toEqual(arcDihedralTransform(arcApplyColourMap(grid, aug.colourMap), aug.dihedral));
      expect(inverseTransform(augmented, aug)).toEqual(grid);
    }
  });

});
