/**
 * ARC puzzle names (hrm-spec 6.4): an augmented version is `<task>_t<t>_<10 digits of the colour map>`.
 * @module
 */
import { checkDihedralId } from '../dihedral';
import { IDENTITY_MAP, checkColourMap } from './transforms';
import { ArcAugmentation, ArcAugmentationRecord } from './types';
import { checkObject, checkString } from '../../util/errors';

/** `<task>_t<t>_<10 digits of the colour map>` (hrm-spec 6.4). */
export function arcAugmentedName(task: string, aug: ArcAugmentation): string {
  checkString(task, 'arcAugmentedName(): task');
  checkObject(aug, 'arcAugmentedName(): aug', 'an augmentation {dihedral, colourMap}');
  return `${task}_t${checkDihedralId(aug.dihedral)}_${Array.from(checkColourMap(aug.colourMap)).join('')}`;
}

/**
 * Parses a puzzle name back into its task and augmentation. A name without the `_t<t>_<map>`
 * suffix is an original (identity). The task part is everything before the last suffix, so task
 * names containing "_" survive (the reference's notebook splits at the first "_").
 */
export function parseArcName(name: string): ArcAugmentationRecord {
  const m = /^(.*)_t([0-7])_(\d{10})$/s.exec(name);
  if (!m) return { task: name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) };
  const colourMap = Array.from(m[3], Number);
  // Ten digits that are not a permutation of 0..9 are part of an original name, not a colour map.
  if (new Set(colourMap).size !== 10) return { task: name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) };
  return { task: m[1], dihedral: Number(m[2]), colourMap };
}
