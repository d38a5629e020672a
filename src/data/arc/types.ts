/**
 * The ARC task types (hrm-spec 6.4): grids, pairs, tasks as read from their JSON files,
 * augmentations and the task folders (subsets) of a build.
 * @module
 */

/** A grid as in the task files: rows of colours 0..9. */
export type ArcGrid = number[][];
/** One demonstration or test pair of a task. */
export interface ArcPair {
  input: ArcGrid;
  output: ArcGrid;
}
/** One task file. `name` is the file's `"name"` key if it has one (as the reference), else its stem. */
export interface ArcTask {
  name: string;
  file: string;
  train: ArcPair[];
  test: ArcPair[];
}
/** One augmentation: a dihedral transform id 0..7 and a colour map (index = old colour, value = new colour; 0 stays 0). */
export interface ArcAugmentation {
  dihedral: number;
  colourMap: number[];
}
/** One augmented version of a task: its puzzle name and augmentation. The original has dihedral 0 and the identity map. */
export interface ArcVersion extends ArcAugmentation {
  name: string;
}
/** One entry of augmentations.json. */
export interface ArcAugmentationRecord extends ArcAugmentation {
  task: string;
}
/** A folder whose task files form one subset; `evaluation` decides the split rule (hrm-spec 6.4). */
export interface ArcSubset {
  dir: string;
  name: string;
  evaluation: boolean;
  tasks: ArcTask[];
}
