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
import { PARTIAL_FOLDER_MARKER, writeFileAtomic } from '../../util/atomic';
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

// Token ids fit int32 (the loader's batches); 1 << 20 tokens per example is far beyond any task here.
const MAX_TOKEN_ID = 2 ** 31 - 1;
const MAX_SEQ_LEN = 2 ** 20;

/** The name of a split's metadata file. */
export const METADATA_FILE = 'dataset.json';
/** The name of a dataset root's identifier list. */
export const IDENTIFIERS_FILE = 'identifiers.json';
/** ARC datasets: per puzzle identifier, the augmentation to undo when scoring (see data/arc/augmentations-file). */
export const ARC_AUGMENTATIONS_FILE = 'augmentations.json';
/** ARC datasets: the held-out test inputs to score, per task and test input (as TRM writes it). */
export const ARC_TEST_PUZZLES_FILE = 'test_puzzles.json';
/** Custom-task datasets: the symbols, sequence length and grid width (see data/custom); its presence marks the task. */
export const CUSTOM_TASK_FILE = 'custom.json';
/** The folder of a dataset that keeps the CSVs it was built from (`hrm data sudoku --generate` writes it). */
export const DATASET_SOURCE_DIR = 'source';

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

/** Writes dataset.json (key order as the reference's pydantic dump), after checking it as {@link readMetadata} does. */
export function writeMetadata(splitDir: string, meta: DatasetMetadata): void {
  checkPath(splitDir, 'writeMetadata(): splitDir');
  const file = path.join(splitDir, METADATA_FILE);
  checkMetadata(meta, file);
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
  writeFileAtomic(file, [JSON.stringify(ordered)]);
}

/**
 * Checks every field of a dataset.json (type and range; consistency with the .npy files is the
 * split reader's): errors name the file, the field, its value and what was expected.
 */
export function checkMetadata(meta: unknown, file: string): DatasetMetadata {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw invalidDataset(`${file} must hold a JSON object, holds ${JSON.stringify(meta)}`);
  const m = meta as Record<string, unknown>;
  const bad = (key: string, expected: string) => invalidDataset(`${file}: '${key}' is ${JSON.stringify(m[key]) ?? 'missing'}, expected ${expected}`);
  const int = (key: string, min: number, max = Number.MAX_SAFE_INTEGER, what = `an integer in [${min}, ${max}]`): number => {
    const v = m[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw bad(key, what);
    return v;
  };
  const vocab = int('vocab_size', 1, MAX_TOKEN_ID + 1, `a positive integer (token ids), at most ${MAX_TOKEN_ID + 1}`);
  int('seq_len', 1, MAX_SEQ_LEN, `a positive integer (tokens per example), at most ${MAX_SEQ_LEN}`);
  int('pad_id', 0, vocab - 1, `a token id in [0, vocab_size - 1 = ${vocab - 1}]`);
  const ids = int('num_puzzle_identifiers', 1, 2 ** 31 - 1, 'a positive integer (identifiers, the blank included)');
  int('blank_identifier_id', 0, ids - 1, `an identifier in [0, num_puzzle_identifiers - 1 = ${ids - 1}]`);
  const ignore = m.ignore_label_id;
  if (ignore !== null && ignore !== undefined && (typeof ignore !== 'number' || !Number.isInteger(ignore) || Math.abs(ignore) > MAX_TOKEN_ID)) {
    throw bad('ignore_label_id', 'null or an integer label id');
  }
  int('total_groups', 1, 2 ** 31 - 1, 'a positive integer (groups in the split)');
  const mean = m.mean_puzzle_examples;
  if (typeof mean !== 'number' || !Number.isFinite(mean) || mean < 1) throw bad('mean_puzzle_examples', 'a number >= 1 (examples per puzzle, on average)');
  const sets = m.sets;
  if (!Array.isArray(sets) || sets.length === 0 || !sets.every((x) => typeof x === 'string' && /^[\w.-]+$/.test(x)) || new Set(sets).size !== sets.length) {
    throw bad('sets', 'a non-empty list of distinct set names (letters, digits, _ . -)');
  }
  if (m.total_puzzles !== undefined) int('total_puzzles', 1, 2 ** 31 - 1, 'a positive integer (puzzles in the split)');
  return meta as DatasetMetadata;
}

/** Reads a split's dataset.json and checks each field ({@link checkMetadata}). */
export function readMetadata(splitDir: string): DatasetMetadata {
  checkPath(splitDir, 'readMetadata(): splitDir');
  const metaFile = path.join(splitDir, METADATA_FILE);
  const root = path.dirname(path.resolve(splitDir));
  if (fs.existsSync(path.join(root, PARTIAL_FOLDER_MARKER))) {
    throw invalidDataset(`${root} is an unfinished dataset build (it holds ${PARTIAL_FOLDER_MARKER}); let the build finish, or build the dataset again`);
  }
  if (!fs.existsSync(metaFile)) throw invalidDataset(`${metaFile} does not exist (is ${splitDir} a dataset split folder, e.g. <dataset>/train?)`);
  let meta: unknown;
  try {
    meta = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
  } catch (e) {
    throw invalidDataset(`${metaFile} is not valid JSON (${(e as Error).message})`);
  }
  return checkMetadata(meta, metaFile);
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
