/** ARC augmentation and dedup (src/data/arc/augmentation.ts, hrm-spec 6.4). */
import {
  ArcGrid,
  ArcTask,
  arcAugmentGrid,
  arcAugmentedName,
  arcPuzzleHash,
  augmentArcTask,
} from '../../../src/data/arc';
import { Rng } from '../../../src/data/random';
import { randomGrid } from './helpers';

describe('augmentation and dedup (hrm-spec 6.4)', () => {
  const task = (pairs: { input: ArcGrid; output: ArcGrid }[]): ArcTask => ({ name: 'x', file: 'x.json', train: pairs, test: [] });

  test('an all-black task has no distinct versions at all', () => {
    const t = task([{ input: [[0, 0], [0, 0]], output: [[0]] }]);
    expect(augmentArcTask(t, 8, new Rng(1))).toHaveLength(1);
  });

  test('a symmetric one-colour grid yields only the 9 colour choices, an asymmetric one reaches numAug + 1', () => {
    const plus = [
      [0, 1, 0],
      [1, 1, 1],
      [0, 1, 0],
    ];
    const sym = augmentArcTask(task([{ input: plus, output: plus }]), 20, new Rng(2));
    expect(sym).toHaveLength(9); // original + the 8 other colours for 1; every dihedral id maps the plus onto itself
    expect(new Set(sym.map((v) => v.colourMap[1])).size).toBe(9);
    const ell = [
      [1, 0, 0],
      [1, 0, 0],
      [1, 2, 2],
    ];
    const asym = augmentArcTask(task([{ input: ell, output: ell }]), 20, new Rng(2));
    expect(asym).toHaveLength(21);
  });

  test('kept versions are distinct by the puzzle hash, named per the spec, reproducible from the seed', () => {
    const rng = new Rng(9);
    const t = task([
      { input: randomGrid(rng, 3, 4), output: randomGrid(rng, 2, 2) },
      { input: randomGrid(rng, 5, 1), output: randomGrid(rng, 1, 5) },
    ]);
    const versions = augmentArcTask(t, 30, new Rng(42));
    expect(versions).toHaveLength(31);
    expect(versions[0]).toEqual({ name: 'x', dihedral: 0, colourMap: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
    const hashes = new Set<string>();
    for (const v of versions) {
      expect(v.colourMap[0]).toBe(0);
      if (v !== versions[0]) expect(v.name).toBe(arcAugmentedName('x', v));
      hashes.add(arcPuzzleHash(t.train.map((p) => ({ input: arcAugmentGrid(p.input, v), output: arcAugmentGrid(p.output, v) }))));
    }
    expect(hashes.size).toBe(31);
    expect(augmentArcTask(t, 30, new Rng(42))).toEqual(versions);
    expect(augmentArcTask(t, 30, new Rng(43))).not.toEqual(versions);
    expect(augmentArcTask(t, 0, new Rng(42))).toHaveLength(1);
  });
});
