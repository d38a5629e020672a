/**
 * Drawing a task's augmented versions (hrm-spec 6.4): random dihedral transforms and colour
 * permutations, deduplicated by the puzzle hash, from per-task seeded streams.
 * @module
 */
import * as crypto from 'crypto';
import * as path from 'path';
import { invalidArgument } from '../../util/errors';
import { Rng } from '../random';
import { Grid } from './grid';
import { puzzleHash } from './hash';
import { arcAugmentedName } from './names';
import { parseTask } from './tasks';
import { IDENTITY_MAP, transformGrid } from './transforms';
import { ArcAugmentation, ArcSubset, ArcTask, ArcVersion } from './types';

/** Draws tried per requested augmentation before giving up (the reference's retries factor). */
export const ARC_AUGMENT_RETRIES_FACTOR = 5;

/** One random augmentation: a dihedral id and a colour map that keeps 0 (black, the usual background). */
function drawAugmentation(rng: Rng): { t: number; map: Uint8Array } {
  const t = rng.int(8);
  // Colour 0 (black, the usual background) stays fixed; 1..9 are permuted.
  const perm = rng.permutation(9);
  const map = new Uint8Array(10);
  for (let i = 0; i < 9; i++) map[i + 1] = perm[i] + 1;
  return { t, map };
}

/**
 * Draws up to `numAug` distinct augmented versions of a parsed task, trying at most
 * 5 * numAug draws; the original is pre-registered, so a draw reproducing it (or any version
 * already kept) is rejected. Returns the original first.
 */
export function augmentParsed(name: string, pairs: readonly (readonly [Grid, Grid])[], numAug: number, rng: Rng): { versions: ArcVersion[]; draws: number } {
  const versions: ArcVersion[] = [{ name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) }];
  if (numAug <= 0) return { versions, draws: 0 };
  const seen = new Set([puzzleHash(pairs)]);
  let draws = 0;
  for (let k = 0; k < ARC_AUGMENT_RETRIES_FACTOR * numAug && versions.length < numAug + 1; k++) {
    const { t, map } = drawAugmentation(rng);
    draws++;
    const h = puzzleHash(pairs.map(([i, o]) => [transformGrid(i, t, map), transformGrid(o, t, map)] as const));
    if (seen.has(h)) continue;
    seen.add(h);
    const colourMap = Array.from(map);
    versions.push({ name: arcAugmentedName(name, { dihedral: t, colourMap }), dihedral: t, colourMap });
  }
  return { versions, draws };
}

/**
 * The augmented versions of one task, as the builder draws them (hrm-spec 6.4): the original
 * first, then up to `numAug` versions whose puzzle hashes (over all train and test pairs) are
 * new. Symmetric tasks or tasks with few colours may yield fewer.
 */
export function augmentArcTask(task: ArcTask, numAug: number, rng: Rng): ArcVersion[] {
  checkNumAug(numAug);
  const { train, test } = parseTask(task);
  return augmentParsed(task.name, [...train, ...test], numAug, rng).versions;
}

/** Checks the number of augmentations asked for. */
export function checkNumAug(numAug: number): void {
  if (!Number.isInteger(numAug) || numAug < 0) throw invalidArgument(`numAug must be a non-negative integer, got ${numAug}`);
}


/**
 * A seed for one task's own random stream, from the build seed and where the task comes from.
 * Per-task streams make a task's versions and offsets independent of the other folders in the
 * build, of the task order and of the translate option; the subset's parent folder is part of
 * the key so that the same task id in ARC-AGI-1 and ARC-AGI-2 gets different versions.
 */
export function taskSeed(seed: number, purpose: string, subset: ArcSubset, task: string): number {
  const parent = path.basename(path.dirname(path.resolve(subset.dir)));
  const h = crypto.createHash('sha256').update(`${seed}\u0000${purpose}\u0000${parent}/${subset.name}\u0000${task}`).digest();
  return h.readUIntBE(0, 6); // 48 bits: an exact double
}

/**
 * An augmentation as one exact double: dihedral * 1e10 + the 10 map digits read as a decimal
 * number (below 2^53).
 */
export function packAugmentation(a: ArcAugmentation): number {
  let m = 0;
  for (let i = 0; i < 10; i++) m = m * 10 + a.colourMap[i];
  return a.dihedral * 1e10 + m;
}

/** Inverse of {@link packAugmentation}. */
export function unpackAugmentation(packed: number): ArcAugmentation {
  const digits = String(packed % 1e10).padStart(10, '0');
  return { dihedral: Math.floor(packed / 1e10), colourMap: Array.from(digits, Number) };
}
