/**
 * The reference's on-disk puzzle dataset (hrm-spec 6.1), its file names and its JSON files:
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
import { writeFileAtomic } from '../../util/atomic';
import { hrmError, HrmError } from '../../util/errors';
import { checkPath } from '../../util/path';

/** dataset.json, with the reference's key names. */
export interface DatasetMetadata {
  /** token id of padding */
  pad_id: number;
  /** label id the loss ignores (mapped to IGNORE_LABEL_ID on loading), or null */
  ignore_label_id: number | null;
  /** puzzle identifier of padding rows */
  blank_identifier_id: number;
  /** number of token ids */
  vocab_size: number;
  /** tokens per example */
  seq_len: number;
  /** number of puzzle identifiers, the blank included */
  num_puzzle_identifiers: number;
  /** groups in the split */
  total_groups: number;
  /** mean examples per puzzle */
  mean_puzzle_examples: number;
  /** the sets of the split (usually ['all']) */
  sets: string[];
  /** puzzles in the split (written by some builders) */
  total_puzzles?: number;
}

/**
 * The label the loss ignores (PyTorch's cross-entropy default `ignore_index`): the loader maps a
 * dataset's own `ignore_label_id` to it, and padding rows carry it.
 */
export const IGNORE_LABEL_ID = -100;

/** The name of a split's metadata file. */
export const METADATA_FILE = 'dataset.json';
/** The name of a dataset root's identifier list. */
export const IDENTIFIERS_FILE = 'identifiers.json';

/** True when `dir` is a built dataset split (it has its metadata file). */
export function isDatasetSplit(dir: string): boolean {
  checkPath(dir, 'isDatasetSplit(): dir');
  return fs.existsSync(path.join(dir, METADATA_FILE));
}

/** The arrays each set of a split stores, one .npy file each. */
export type SetArray = 'inputs' | 'labels' | 'puzzle_identifiers' | 'puzzle_indices' | 'group_indices';

/** The path of one array of a set: `<splitDir>/<set>__<array>.npy`. */
export function setArrayFile(splitDir: string, setName: string, array: SetArray): string {
  checkPath(splitDir, 'setArrayFile(): splitDir');
  return path.join(splitDir, `${setName}__${array}.npy`);
}

/** A dataset folder that does not hold what the format requires: code `CORRUPT_FILE`. */
export function invalidDataset(what: string): HrmError {
  return hrmError('CORRUPT_FILE', `invalid dataset: ${what}`);
}

/** Writes dataset.json (key order as the reference's pydantic dump). */
export function writeMetadata(splitDir: string, meta: DatasetMetadata): void {
  checkPath(splitDir, 'writeMetadata(): splitDir');
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
  writeFileAtomic(path.join(splitDir, METADATA_FILE), [JSON.stringify(ordered)]);
}

/** Reads and checks a split's dataset.json. */
export function readMetadata(splitDir: string): DatasetMetadata {
  checkPath(splitDir, 'readMetadata(): splitDir');
  const metaFile = path.join(splitDir, METADATA_FILE);
  if (!fs.existsSync(metaFile)) throw invalidDataset(`${metaFile} does not exist (is ${splitDir} a dataset split folder, e.g. <dataset>/train?)`);
  let meta: DatasetMetadata;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch (e) {
    throw invalidDataset(`${metaFile} is not valid JSON (${(e as Error).message})`);
  }
  for (const k of ['pad_id', 'blank_identifier_id', 'vocab_size', 'seq_len', 'num_puzzle_identifiers', 'total_groups', 'mean_puzzle_examples'] as const) {
    if (typeof meta[k] !== 'number') throw invalidDataset(`${metaFile}: '${k}' must be a number`);
  }
  if (!Array.isArray(meta.sets) || meta.sets.length === 0) throw invalidDataset(`${metaFile}: 'sets' must be a non-empty list`);
  return meta;
}

/** Writes identifiers.json: index = puzzle identifier, value = its name. */
export function writeIdentifiers(root: string, names: string[]): void {
  checkPath(root, 'writeIdentifiers(): root');
  writeFileAtomic(path.join(root, IDENTIFIERS_FILE), [JSON.stringify(names)]);
}

/** The identifier names of a dataset root, or undefined if it has no identifiers.json. */
export function readIdentifiers(root: string): string[] | undefined {
  checkPath(root, 'readIdentifiers(): root');
  const p = path.join(root, IDENTIFIERS_FILE);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, 'utf8')) as string[]) : undefined;
}
