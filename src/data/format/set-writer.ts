/**
 * The writer of one set of a split (hrm-spec 6.1): a stream of groups -> puzzles -> examples,
 * inputs and labels streamed to .npy files, the index arrays written on finish.
 * @module
 */
import * as fs from 'fs';
import { invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';
import { setArrayFile } from './dataset';
import { NpyDType, NpyWriter, writeNpy } from './npy';

/** The counts a finished set reports for dataset.json. */
export interface SetCounts {
  /** groups written */
  totalGroups: number;
  /** puzzles written */
  totalPuzzles: number;
  /** examples written */
  totalExamples: number;
}

/** Writes one set of a split as a stream of groups -> puzzles -> examples. */
export class SetWriter {
  private readonly inputs: NpyWriter;
  private readonly labels: NpyWriter;
  private readonly puzzleIdentifiers: number[] = [];
  private readonly puzzleIndices: number[] = [0];
  private readonly groupIndices: number[] = [0];
  private examples = 0;
  private groupOpen = false;

  /**
   * Starts `<splitDir>/<setName>__*.npy` for rows of `seqLen` tokens.
   * @param splitDir the split folder (train/ or test/)
   * @param setName the set's name (the file prefix)
   * @param seqLen tokens per example row
   * @param dtype the token element type
   */
  constructor(
    readonly splitDir: string,
    readonly setName: string,
    readonly seqLen: number,
    readonly dtype: NpyDType = 'uint8',
  ) {
    checkPath(splitDir, 'SetWriter: splitDir');
    fs.mkdirSync(splitDir, { recursive: true });
    this.inputs = new NpyWriter(setArrayFile(splitDir, setName, 'inputs'), dtype, [seqLen]);
    this.labels = new NpyWriter(setArrayFile(splitDir, setName, 'labels'), dtype, [seqLen]);
  }

  /** Adds one puzzle (one identifier) with its examples, as rows of seqLen tokens each. */
  addPuzzle(identifier: number, inputs: Uint8Array, labels: Uint8Array): void {
    const n = inputs.length / this.seqLen;
    if (!Number.isInteger(n) || labels.length !== inputs.length || n < 1) {
      throw invalidArgument(`addPuzzle: inputs and labels must hold the same whole number (>= 1) of ${this.seqLen}-token rows`);
    }
    this.inputs.append(inputs, n);
    this.labels.append(labels, n);
    this.examples += n;
    this.puzzleIdentifiers.push(identifier);
    this.puzzleIndices.push(this.examples);
    this.groupOpen = true;
  }

  /** Closes the current group (the puzzles added since the last endGroup). */
  endGroup(): void {
    if (!this.groupOpen) return;
    this.groupIndices.push(this.puzzleIdentifiers.length);
    this.groupOpen = false;
  }

  /** Finishes the files; returns the counts for dataset.json. */
  finish(): SetCounts {
    this.endGroup();
    this.inputs.close();
    this.labels.close();
    const index = (array: 'puzzle_identifiers' | 'puzzle_indices' | 'group_indices', values: number[]) =>
      writeNpy(setArrayFile(this.splitDir, this.setName, array), Int32Array.from(values), [values.length], 'int32');
    index('puzzle_identifiers', this.puzzleIdentifiers);
    index('puzzle_indices', this.puzzleIndices);
    index('group_indices', this.groupIndices);
    return { totalGroups: this.groupIndices.length - 1, totalPuzzles: this.puzzleIdentifiers.length, totalExamples: this.examples };
  }

  /** Abandons the set: the temporaries are removed, earlier files are left as they were. */
  abort(): void {
    this.inputs.abort();
    this.labels.abort();
  }
}
