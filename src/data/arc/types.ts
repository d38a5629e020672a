/**
 * The ARC task types (hrm-spec 6.4): grids, pairs, tasks as read from their JSON files,
 * augmentations and the task folders (subsets) of a build.
 * @module
 */

/** A grid as in the task files: rows of colours 0..9. */
export type ArcGrid = number[][];
/** One demonstration or test pair of a task. */
export interface ArcPair {
  /** the grid shown */
  input: ArcGrid;
  /** the grid to produce */
  output: ArcGrid;
}
/** One task file. `name` is the file's `"name"` key if it has one (as the reference), else its stem. */
export interface ArcTask {
  /** the task name (the file's "name" key, else its stem) */
  name: string;
  /** the file it was read from */
  file: string;
  /** demonstration pairs */
  train: ArcPair[];
  /** test pairs (with solutions) */
  test: ArcPair[];
}
/** One augmentation: a dihedral transform id 0..7 and a colour map (index = old colour, value = new colour; 0 stays 0). */
export interface ArcAugmentation {
  /** dihedral transform id 0..7 */
  dihedral: number;
  /** index = old colour, value = new colour */
  colourMap: number[];
}
/** One augmented version of a task: its puzzle name and augmentation. The original has dihedral 0 and the identity map. */
export interface ArcVersion extends ArcAugmentation {
  /** the puzzle name of this version */
  name: string;
}
/** One entry of augmentations.json. */
export interface ArcAugmentationRecord extends ArcAugmentation {
  /** the task the version is of */
  task: string;
}
/** A folder whose task files form one subset; `evaluation` decides the split rule (hrm-spec 6.4). */
export interface ArcSubset {
  /** the folder */
  dir: string;
  /** the folder's name */
  name: string;
  /** whether its test pairs go to the test split (a folder named `evaluation`) */
  evaluation: boolean;
  /** its tasks, in sorted file order */
  tasks: ArcTask[];
}
