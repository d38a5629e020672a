/**
 * The ARC augmentations (hrm-spec 6.4): colour permutations and the dihedral transforms of
 * src/data/dihedral.ts, applied together, and their inverses (hrm-spec 7.2 step 4).
 * @module
 */
import { invalidArgument } from '../../util/errors';
import { DIHEDRAL_INVERSE, checkDihedralId, dihedralIndexMap, dihedralShape } from '../dihedral';
import { Grid, fromGrid, toGrid } from './grid';
import { ArcAugmentation, ArcGrid } from './types';

/** Inverse of each dihedral transform id (hrm-spec 6.4); the same table as {@link DIHEDRAL_INVERSE}. */
export const ARC_DIHEDRAL_INVERSE: readonly number[] = DIHEDRAL_INVERSE;

/** The identity colour map. */
export const IDENTITY_MAP = Uint8Array.from({ length: 10 }, (_, i) => i);

/** Checks a colour map (a permutation of 0..9; undefined = identity) and returns it as bytes. */
export function checkColourMap(map: ArrayLike<number> | undefined): Uint8Array {
  if (map === undefined) return IDENTITY_MAP;
  if (map.length !== 10) throw invalidArgument(`colourMap must have 10 entries (one per colour 0..9), got ${map.length}`);
  const m = Uint8Array.from(map as ArrayLike<number>);
  const seen = new Set<number>();
  for (let i = 0; i < 10; i++) {
    if (!Number.isInteger(map[i]) || map[i] < 0 || map[i] > 9) throw invalidArgument(`colourMap[${i}] is ${map[i]}; entries are colours 0..9`);
    seen.add(m[i]);
  }
  if (seen.size !== 10) throw invalidArgument(`colourMap [${Array.from(m)}] is not a permutation of 0..9`);
  return m;
}

// The builder transforms every pair of every draw: index maps are cached per (id, shape), at
// most 8 * 30 * 30 of them as ARC grids are at most 30x30.
const INDEX_MAPS = new Map<number, Int32Array>();

function indexMapOf(t: number, h: number, w: number): Int32Array {
  const key = (t * 64 + h) * 64 + w;
  let m = INDEX_MAPS.get(key);
  if (!m) {
    m = dihedralIndexMap(t, h, w);
    INDEX_MAPS.set(key, m);
  }
  return m;
}

/**
 * Applies colour map then dihedral transform `t` in one pass (the reference maps colours first;
 * the two commute).
 */
export function transformGrid(g: Grid, t: number, map: Uint8Array): Grid {
  const [h, w] = dihedralShape(t, g.h, g.w);
  // source[k]: the cell of the [g.h, g.w] input that lands at cell k of the [h, w] output
  const source = indexMapOf(t, g.h, g.w);
  const out = new Uint8Array(source.length);
  for (let k = 0; k < source.length; k++) out[k] = map[g.d[source[k]]];
  return { h, w, d: out };
}

/** Dihedral transform `id` (hrm-spec 6.4: 0 identity, 1 rot90 ccw, 2 rot180, 3 rot270, 4 flip lr, 5 flip ud, 6 transpose, 7 anti-transpose). */
export function arcDihedralTransform(grid: ArcGrid, id: number): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), checkDihedralId(id), IDENTITY_MAP));
}

/** Maps every colour c of the grid to colourMap[c]. */
export function arcApplyColourMap(grid: ArcGrid, colourMap: ArrayLike<number>): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), 0, checkColourMap(colourMap)));
}

/** The augmentation the builder applies to every grid of a version: colour map, then dihedral transform. */
export function arcAugmentGrid(grid: ArcGrid, aug: ArcAugmentation): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), checkDihedralId(aug.dihedral), checkColourMap(aug.colourMap)));
}

/** The inverse colour map (argsort of the map): inverse[map[c]] = c. */
export function arcInverseColourMap(colourMap: ArrayLike<number>): number[] {
  const m = checkColourMap(colourMap);
  const inv = new Array<number>(10);
  for (let c = 0; c < 10; c++) inv[m[c]] = c;
  return inv;
}

/**
 * Undoes an augmentation (hrm-spec 7.2 step 4): the inverse dihedral transform, then the inverse
 * colour map, so that `inverseTransform(arcAugmentGrid(g, aug), aug)` equals g. Use it on a
 * decoded prediction of an augmented puzzle to vote in the original task's frame.
 */
export function inverseTransform(grid: ArcGrid, aug: ArcAugmentation): ArcGrid {
  const g = toGrid(grid, 'grid');
  const undone = transformGrid(g, ARC_DIHEDRAL_INVERSE[checkDihedralId(aug.dihedral)], IDENTITY_MAP);
  return fromGrid(transformGrid(undone, 0, Uint8Array.from(arcInverseColourMap(aug.colourMap))));
}
