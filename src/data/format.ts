/**
 * The reference's on-disk puzzle dataset (hrm-spec 6.1):
 *   <root>/identifiers.json                      index = puzzle identifier, value = name ("<blank>" at 0)
 *   <root>/<split>/dataset.json                  metadata
 *   <root>/<split>/<set>__inputs.npy             [examples, seqLen]
 *   <root>/<split>/<set>__labels.npy             [examples, seqLen]
 *   <root>/<split>/<set>__puzzle_identifiers.npy [puzzles] int32
 *   <root>/<split>/<set>__puzzle_indices.npy     [puzzles + 1] int32, example offsets from 0
 *   <root>/<split>/<set>__group_indices.npy      [groups + 1] int32, puzzle offsets from 0
 * Datasets written by the reference's Python builders load unchanged; ours write the same files.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { invalidArgument } from '../tensor/dtype';
import { writeFileAtomic } from '../tensor/io';
import { NpyDType, NpyFile, NpyWriter, readNpy, writeNpy } from './npy';

/** dataset.json, with the reference's key names. */
export interface DatasetMetadata {
  pad_id: number;
  ignore_label_id: number | null;
  blank_identifier_id: number;
  vocab_size: number;
  seq_len: number;
  num_puzzle_identifiers: number;
  total_groups: number;
  mean_puzzle_examples: number;
  sets: string[];
  total_puzzles?: number;
}

/**
 * The label the loss ignores (PyTorch's cross-entropy default `ignore_index`): the loader maps a
 * dataset's own `ignore_label_id` to it, and padding rows carry it.
 */
export const IGNORE_LABEL_ID = -100;

function corrupt(what: string): Error {
  return Object.assign(new Error(`invalid dataset: ${what}`), { code: 'CORRUPT_FILE' });
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

  constructor(readonly splitDir: string, readonly setName: string, readonly seqLen: number, readonly dtype: NpyDType = 'uint8') {
    fs.mkdirSync(splitDir, { recursive: true });
    this.inputs = new NpyWriter(path.join(splitDir, `${setName}__inputs.npy`), dtype, [seqLen]);
    this.labels = new NpyWriter(path.join(splitDir, `${setName}__labels.npy`), dtype, [seqLen]);
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
  finish(): { totalGroups: number; totalPuzzles: number; totalExamples: number } {
    this.endGroup();
    this.inputs.close();
    this.labels.close();
    const dir = this.splitDir;
    writeNpy(path.join(dir, `${this.setName}__puzzle_identifiers.npy`), Int32Array.from(this.puzzleIdentifiers), [this.puzzleIdentifiers.length], 'int32');
    writeNpy(path.join(dir, `${this.setName}__puzzle_indices.npy`), Int32Array.from(this.puzzleIndices), [this.puzzleIndices.length], 'int32');
    writeNpy(path.join(dir, `${this.setName}__group_indices.npy`), Int32Array.from(this.groupIndices), [this.groupIndices.length], 'int32');
    return { totalGroups: this.groupIndices.length - 1, totalPuzzles: this.puzzleIdentifiers.length, totalExamples: this.examples };
  }

  abort(): void {
    this.inputs.abort();
    this.labels.abort();
  }
}

/** Writes dataset.json (key order as the reference's pydantic dump). */
export function writeMetadata(splitDir: string, meta: DatasetMetadata): void {
  const ordered: Record<string, unknown> = {
    pad_id: meta.pad_id,
    ignore_label_id: meta.ignore_label_id,
    blank_identifier_id: meta.blank_identifier_id,
    vocab_size: meta.vocab_size,
    seq_len: meta.seq_len,
    num_puzzle_identifiers: meta.num_puzzle_identifiers,
    total_groups: meta.total_groups,
    mean_puzzle_examples: meta.mean_puzzle_examples,
    sets: meta.sets,
  };
  if (meta.total_puzzles !== undefined) ordered.total_puzzles = meta.total_puzzles;
  writeFileAtomic(path.join(splitDir, 'dataset.json'), [JSON.stringify(ordered)]);
}

export function writeIdentifiers(root: string, names: string[]): void {
  writeFileAtomic(path.join(root, 'identifiers.json'), [JSON.stringify(names)]);
}

/** One set of a loaded split: inputs/labels stay on disk, index arrays in memory. */
export interface LoadedSet {
  name: string;
  inputs: NpyFile;
  labels: NpyFile;
  puzzleIdentifiers: Int32Array;
  puzzleIndices: Int32Array;
  groupIndices: Int32Array;
}

/** A split of a dataset folder, validated. Call close() to release the files. */
export class DatasetSplit {
  readonly metadata: DatasetMetadata;
  readonly sets = new Map<string, LoadedSet>();

  constructor(readonly dir: string) {
    const metaFile = path.join(dir, 'dataset.json');
    if (!fs.existsSync(metaFile)) throw corrupt(`${metaFile} does not exist (is ${dir} a dataset split folder, e.g. <dataset>/train?)`);
    let meta: DatasetMetadata;
    try {
      meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
    } catch (e) {
      throw corrupt(`${metaFile} is not valid JSON (${(e as Error).message})`);
    }
    for (const k of ['pad_id', 'blank_identifier_id', 'vocab_size', 'seq_len', 'num_puzzle_identifiers', 'total_groups', 'mean_puzzle_examples'] as const) {
      if (typeof meta[k] !== 'number') throw corrupt(`${metaFile}: '${k}' must be a number`);
    }
    if (!Array.isArray(meta.sets) || meta.sets.length === 0) throw corrupt(`${metaFile}: 'sets' must be a non-empty list`);
    this.metadata = meta;
    try {
      for (const name of meta.sets) this.sets.set(name, this.loadSet(name));
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private loadSet(name: string): LoadedSet {
    const f = (suffix: string) => {
      const p = path.join(this.dir, `${name}__${suffix}.npy`);
      if (!fs.existsSync(p)) throw corrupt(`${p} is missing`);
      return p;
    };
    const ints = (suffix: string): Int32Array => {
      const { dtype, shape, data } = readNpy(f(suffix));
      if (shape.length !== 1) throw corrupt(`${f(suffix)} must be 1-D, has shape [${shape}]`);
      if (dtype === 'int32') return data as Int32Array;
      if (dtype === 'int64') return Int32Array.from(data as BigInt64Array, (v) => Number(v));
      throw corrupt(`${f(suffix)} must be int32 or int64, is ${dtype}`);
    };
    const puzzleIdentifiers = ints('puzzle_identifiers');
    const puzzleIndices = ints('puzzle_indices');
    const groupIndices = ints('group_indices');
    const inputs = new NpyFile(f('inputs'));
    const labels = new NpyFile(f('labels'));
    const set: LoadedSet = { name, inputs, labels, puzzleIdentifiers, puzzleIndices, groupIndices };
    try {
      const seq = this.metadata.seq_len;
      for (const [what, a] of [['inputs', inputs], ['labels', labels]] as const) {
        if (a.shape.length !== 2 || a.shape[1] !== seq) throw corrupt(`${name}__${what}.npy has shape [${a.shape}], expected [examples, ${seq}]`);
        if (!['uint8', 'int8', 'int16', 'int32', 'int64'].includes(a.dtype)) throw corrupt(`${name}__${what}.npy has dtype ${a.dtype}, expected integers`);
      }
      if (inputs.rows !== labels.rows) throw corrupt(`${name}: ${inputs.rows} input rows but ${labels.rows} label rows`);
      if (puzzleIndices.length !== puzzleIdentifiers.length + 1) {
        throw corrupt(`${name}: ${puzzleIdentifiers.length} puzzle identifiers need ${puzzleIdentifiers.length + 1} puzzle indices, found ${puzzleIndices.length}`);
      }
      const monotone = (a: Int32Array, what: string, end: number) => {
        if (a[0] !== 0) throw corrupt(`${name}: ${what} must start at 0`);
        for (let i = 1; i < a.length; i++) if (a[i] < a[i - 1]) throw corrupt(`${name}: ${what} decrease at ${i}`);
        if (a[a.length - 1] !== end) throw corrupt(`${name}: ${what} end at ${a[a.length - 1]}, expected ${end}`);
      };
      monotone(puzzleIndices, 'puzzle_indices', inputs.rows);
      monotone(groupIndices, 'group_indices', puzzleIdentifiers.length);
      for (const id of puzzleIdentifiers) {
        if (id < 0 || id >= this.metadata.num_puzzle_identifiers) throw corrupt(`${name}: puzzle identifier ${id} is outside [0, ${this.metadata.num_puzzle_identifiers})`);
      }
      return set;
    } catch (e) {
      inputs.close();
      labels.close();
      throw e;
    }
  }

  close(): void {
    for (const s of this.sets.values()) {
      s.inputs.close();
      s.labels.close();
    }
    this.sets.clear();
  }
}

/** The identifier names of a dataset root, or undefined if it has no identifiers.json. */
export function readIdentifiers(root: string): string[] | undefined {
  const p = path.join(root, 'identifiers.json');
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as string[]) : undefined;
}
