/**
 * The puzzle identifiers of an ARC build (hrm-spec 6.4): 0 is the blank; names are numbered in
 * first-seen order. What augmentations.json needs is kept compactly (the task name and the packed
 * augmentation), as a full ARC-1 build has about 960k identifiers.
 * @module
 */
import { packAugmentation, unpackAugmentation } from './augmentation';
import { ArcAugmentationRecord, ArcVersion } from './types';

/** The identifier table of a build. */
export class ArcIdentifiers {
  /** index = identifier, value = puzzle name ("<blank>" at 0): identifiers.json */
  readonly names: string[] = ['<blank>'];
  private readonly taskOf: string[] = [''];
  private readonly packed: number[] = [0];
  private readonly ids = new Map<string, number>();

  /** The identifier of a version of `task`, numbered on first sight. */
  idOf(task: string, v: ArcVersion): number {
    let id = this.ids.get(v.name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(v.name, id);
      this.names.push(v.name);
      this.taskOf.push(task);
      this.packed.push(packAugmentation(v));
    }
    return id;
  }

  /** Identifiers including the blank (= num_puzzle_identifiers). */
  get count(): number {
    return this.names.length;
  }

  /** The augmentations.json entry of identifier id >= 1. */
  record(id: number): ArcAugmentationRecord {
    return { task: this.taskOf[id], ...unpackAugmentation(this.packed[id]) };
  }
}
