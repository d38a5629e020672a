/**
 * The reader of one split of a dataset folder (hrm-spec 6.1): dataset.json and every set's
 * arrays, validated against each other. Inputs and labels stay on disk (read by rows).
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetMetadata, METADATA_FILE, SetArray, invalidDataset, readMetadata, setArrayFile } from './dataset';
import { NpyFile, npyView, readNpy } from './npy';
import { checkPath } from '../../util/path';
import { checkObject, describeValue, invalidArgument } from '../../util/errors';

/** One set of a loaded split: inputs/labels stay on disk, index arrays in memory. */
export interface LoadedSet {
  /** the set's name */
  name: string;
  /** [examples, seqLen] */
  inputs: NpyFile;
  /** [examples, seqLen] */
  labels: NpyFile;
  /** [puzzles] */
  puzzleIdentifiers: Int32Array;
  /** [puzzles + 1] example offsets */
  puzzleIndices: Int32Array;
  /** [groups + 1] puzzle offsets */
  groupIndices: Int32Array;
}

const TOKEN_DTYPES = ['uint8', 'int8', 'int16', 'int32', 'int64'];

/** A split of a dataset folder, validated. Call close() to release the files. */
export class DatasetSplit {
  /** The split's dataset.json. */
  readonly metadata: DatasetMetadata;
  /** The sets named in dataset.json, by name. */
  readonly sets = new Map<string, LoadedSet>();

  /**
   * Opens and validates the split folder `dir`.
   * @param dir the split folder, e.g. `<dataset>/train`
   */
  constructor(readonly dir: string) {
    checkPath(dir, 'DatasetSplit: dir');
    this.metadata = readMetadata(dir);
    try {
      for (const name of this.metadata.sets) this.sets.set(name, this.loadSet(name));
      checkTotals([...this.sets.values()], this.metadata, path.join(dir, METADATA_FILE));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private existing(name: string, array: SetArray): string {
    const p = setArrayFile(this.dir, name, array);
    if (!fs.existsSync(p)) throw invalidDataset(`${p} is missing`);
    return p;
  }

  // An index array, as int32 (the reference writes int32; int64 is accepted).
  private indexArray(name: string, array: SetArray): Int32Array {
    const file = this.existing(name, array);
    const { dtype, shape, data } = readNpy(file);
    if (shape.length !== 1) throw invalidDataset(`${file} must be 1-D, has shape [${shape}]`);
    if (dtype === 'int32') return data as Int32Array;
    if (dtype === 'int64') return Int32Array.from(data as BigInt64Array, (v) => Number(v));
    throw invalidDataset(`${file} must be int32 or int64, is ${dtype}`);
  }

  private loadSet(name: string): LoadedSet {
    const puzzleIdentifiers = this.indexArray(name, 'puzzle_identifiers');
    const puzzleIndices = this.indexArray(name, 'puzzle_indices');
    const groupIndices = this.indexArray(name, 'group_indices');
    const inputs = new NpyFile(this.existing(name, 'inputs'));
    let labels: NpyFile | undefined;
    try {
      labels = new NpyFile(this.existing(name, 'labels'));
      const set: LoadedSet = { name, inputs, labels, puzzleIdentifiers, puzzleIndices, groupIndices };
      checkSet(set, this.metadata);
      return set;
    } catch (e) {
      inputs.close();
      labels?.close();
      throw e;
    }
  }

  /** Releases the files of every set. */
  close(): void {
    for (const s of this.sets.values()) {
      s.inputs.close();
      s.labels.close();
    }
    this.sets.clear();
  }
}

/** Example `row` of a set: its input and label tokens as stored (labels not remapped to IGNORE_LABEL_ID). */
export function readExample(
  set: LoadedSet,
  row: number,
): {
  /** [seqLen] input tokens */
  inputs: Int32Array;
  /** [seqLen] label tokens */
  labels: Int32Array;
} {
  checkObject(set, 'readExample(): set', 'a loaded set (from DatasetSplit.sets)');
  for (const k of ['inputs', 'labels'] as const) {
    if (!(set[k] instanceof NpyFile)) throw invalidArgument(`readExample(): set.${k} must be an NpyFile, got ${describeValue(set[k])}`);
  }
  if (typeof row !== 'number' || !Number.isSafeInteger(row)) throw invalidArgument(`readExample(): row must be an integer, got ${describeValue(row)}`);
  const read = (f: NpyFile) => Int32Array.from(npyView(f.dtype, f.readRowsRaw(row, 1)) as ArrayLike<number | bigint>, Number);
  return { inputs: read(set.inputs), labels: read(set.labels) };
}

/** Checks that a set's arrays agree with each other and with the metadata. */
function checkSet(set: LoadedSet, meta: DatasetMetadata): void {
  const { name, inputs, labels, puzzleIdentifiers, puzzleIndices, groupIndices } = set;
  const seq = meta.seq_len;
  for (const [what, a] of [['inputs', inputs], ['labels', labels]] as const) {
    if (a.shape.length !== 2 || a.shape[1] !== seq) throw invalidDataset(`${name}__${what}.npy has shape [${a.shape}], expected [examples, ${seq}]`);
    if (!TOKEN_DTYPES.includes(a.dtype)) throw invalidDataset(`${name}__${what}.npy has dtype ${a.dtype}, expected integers`);
  }
  if (inputs.rows !== labels.rows) throw invalidDataset(`${name}: ${inputs.rows} input rows but ${labels.rows} label rows`);
  if (puzzleIndices.length !== puzzleIdentifiers.length + 1) {
    throw invalidDataset(`${name}: ${puzzleIdentifiers.length} puzzle identifiers need ${puzzleIdentifiers.length + 1} puzzle indices, found ${puzzleIndices.length}`);
  }
  const monotone = (a: Int32Array, what: string, end: number) => {
    if (a[0] !== 0) throw invalidDataset(`${name}: ${what} must start at 0`);
    for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) throw invalidDataset(`${name}: ${what} decrease at ${i}`);
    if (a[a.length - 1] !== end) throw invalidDataset(`${name}: ${what} end at ${a[a.length - 1]}, expected ${end}`);
  };
  monotone(puzzleIndices, 'puzzle_indices', inputs.rows);
  monotone(groupIndices, 'group_indices', puzzleIdentifiers.length);
  for (const id of puzzleIdentifiers) {
    if (id < 0 || id >= meta.num_puzzle_identifiers) throw invalidDataset(`${name}: puzzle identifier ${id} is outside [0, ${meta.num_puzzle_identifiers})`);
  }
}

/** Checks dataset.json's totals against the sets' arrays (the reference sums them over the sets). */
function checkTotals(sets: LoadedSet[], meta: DatasetMetadata, file: string): void {
  const groups = sets.reduce((n, s) => n + s.groupIndices.length - 1, 0);
  const puzzles = sets.reduce((n, s) => n + s.puzzleIdentifiers.length, 0);
  const examples = sets.reduce((n, s) => n + s.inputs.rows, 0);
  const where = `the sets' .npy files (${sets.map((s) => s.name).join(', ')})`;
  if (meta.total_groups !== groups) throw invalidDataset(`${file}: 'total_groups' is ${meta.total_groups}, but ${where} hold ${groups} groups`);
  if (meta.total_puzzles !== undefined && meta.total_puzzles !== puzzles) throw invalidDataset(`${file}: 'total_puzzles' is ${meta.total_puzzles}, but ${where} hold ${puzzles} puzzles`);
  const mean = puzzles ? examples / puzzles : 0;
  if (Math.abs(meta.mean_puzzle_examples - mean) > 1e-6 * Math.max(1, mean)) {
    throw invalidDataset(`${file}: 'mean_puzzle_examples' is ${meta.mean_puzzle_examples}, but ${where} hold ${examples} examples in ${puzzles} puzzles (${mean})`);
  }
}
