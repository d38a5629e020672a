/**
 * The Sudoku dataset builder (hrm-spec 6.1, 6.2): writes what HRM's `build_sudoku_dataset.py`
 * writes, from reference-schema CSVs.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { invalidArgument, invalidData } from '../../util/errors';
import { checkPath, checkPaths } from '../../util/path';
import { DATASET_SOURCE_DIR, DatasetMetadata, writeIdentifiers, writeMetadata } from '../format/dataset';
import { checkDatasetOutput, writeDatasetFolder } from '../format/dataset-folder';
import { SetWriter } from '../format/set-writer';
import { Rng } from '../random';
import { SudokuTransform } from './augmentation';
import { encodeSudoku, sudokuMetadata } from './codec';
import { ReadSudokuCsvOptions, SudokuTable, readSudokuCsv } from './csv';
import { SudokuBox, SudokuGeometry } from './geometry';

/** Progress of {@link buildSudokuDataset}, per split. */
export interface SudokuBuildProgress {
  /** which split */
  split: 'train' | 'test';
  /** source puzzles (groups) written so far */
  done: number;
  /** source puzzles in the split */
  total: number;
}

/** Options of {@link buildSudokuDataset}. */
export interface SudokuBuildOptions {
  /** training CSVs (reference schema), read in order */
  inputs: string[];
  /** test CSVs; without them no test split is written */
  testInputs?: string[];
  /** the dataset folder to write (train/, test/, identifiers.json), complete or not at all ({@link writeDatasetFolder}) */
  outputDir: string;
  /** replace a dataset already in outputDir, as a whole (default false: refuse) */
  overwrite?: boolean;
  /** copy the input CSVs into `<outputDir>/source/` (train.csv, test.csv; numbered when several), so the dataset keeps its sources */
  copyInputs?: boolean;
  /** draw this many training puzzles without replacement (train only; all are kept if there are fewer) */
  subsampleSize?: number;
  /** augmented copies per training puzzle (default 0); the test split is never augmented */
  numAug?: number;
  /** keep rows with rating >= minDifficulty, in both splits as in the reference */
  minDifficulty?: number;
  /** seed for subsampling and augmentation (default 0) */
  seed?: number;
  /** box shape; inferred from the row length (16, 36, 81) when omitted */
  box?: SudokuBox;
  /** called as groups are written */
  onProgress?: (p: SudokuBuildProgress) => void;
}

/** One split written by {@link buildSudokuDataset}. */
export interface SudokuSplitSummary {
  /** the split folder */
  dir: string;
  /** groups (source puzzles) */
  groups: number;
  /** puzzles (numAug + 1 per group in train) */
  puzzles: number;
  /** examples (one per puzzle) */
  examples: number;
  /** the dataset.json written */
  metadata: DatasetMetadata;
}

/** What {@link buildSudokuDataset} wrote. */
export interface SudokuBuildResult {
  /** the dataset folder */
  outputDir: string;
  /** the train split */
  train: SudokuSplitSummary;
  /** the test split, when test inputs were given */
  test?: SudokuSplitSummary;
}

function checkCountOption(name: string, v: unknown, min: number): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw invalidArgument(`buildSudokuDataset: ${name} must be an integer >= ${min}; got ${String(v)}`);
}

// source/train.csv, or source/train-1.csv, train-2.csv, ... for several inputs.
function copyInputs(files: string[], dir: string, split: 'train' | 'test'): void {
  fs.mkdirSync(dir, { recursive: true });
  files.forEach((f, i) => fs.copyFileSync(f, path.join(dir, files.length === 1 ? `${split}.csv` : `${split}-${i + 1}.csv`)));
}

/** Writes one split: per source puzzle a group of the puzzle and its numAug augmented versions. */
function writeSplit(
  table: SudokuTable,
  order: ArrayLike<number>,
  numAug: number,
  rng: Rng,
  dir: string,
  split: 'train' | 'test',
  onProgress?: (p: SudokuBuildProgress) => void,
): SudokuSplitSummary {
  const { cells } = table;
  const geo = SudokuGeometry.of(table.box);
  const writer = new SetWriter(dir, 'all', cells);
  const inTok = new Uint8Array(cells);
  const outTok = new Uint8Array(cells);
  const q = new Uint8Array(cells);
  const a = new Uint8Array(cells);
  const total = order.length;
  const every = Math.max(1, Math.floor(total / 100));
  try {
    for (let g = 0; g < total; g++) {
      const row = order[g];
      const qSrc = table.questions.subarray(row * cells, (row + 1) * cells);
      const aSrc = table.answers.subarray(row * cells, (row + 1) * cells);
      // Group = the source puzzle (version 0, un-augmented) + numAug augmented versions,
      // each a puzzle with identifier 0 and one example (hrm-spec 6.2 "Layout").
      writer.addPuzzle(0, encodeSudoku(qSrc, inTok), encodeSudoku(aSrc, outTok));
      for (let k = 0; k < numAug; k++) {
        const t = SudokuTransform.random(rng, geo.box);
        t.apply(qSrc, q);
        t.apply(aSrc, a);
        writer.addPuzzle(0, encodeSudoku(q, inTok), encodeSudoku(a, outTok));
      }
      writer.endGroup();
      if (onProgress && ((g + 1) % every === 0 || g + 1 === total)) onProgress({ split, done: g + 1, total });
    }
  } catch (e) {
    writer.abort();
    throw e;
  }
  const counts = writer.finish();
  const metadata = sudokuMetadata(counts.totalGroups, geo.n);
  writeMetadata(dir, metadata);
  return { dir, groups: counts.totalGroups, puzzles: counts.totalPuzzles, examples: counts.totalExamples, metadata };
}

/**
 * Builds a Sudoku dataset as HRM's `build_sudoku_dataset.py` does (hrm-spec 6.1, 6.2):
 * `<outputDir>/train`, `<outputDir>/test` (when testInputs are given) and `identifiers.json`
 * (["<blank>"]). Train: rows filtered by minDifficulty, then optionally subsampled (uniformly without
 * replacement, in random order, like `np.random.choice(..., replace=False)`; skipped when
 * subsampleSize >= rows), then per source puzzle one group of numAug + 1 puzzles (version 0
 * un-augmented) with one example each. Test: filtered the same way, never subsampled or augmented.
 *
 * Randomness comes from `new Rng(seed)` (the reference uses numpy's unseeded global RNG, so only
 * builds without subsampling and augmentation are comparable bit for bit). Draw order: the
 * subsample first, then the transforms in output order.
 *
 * Every CSV is read and checked (each split needs at least one puzzle) before anything is written;
 * the folder is then written complete or not at all, and an existing dataset is replaced only with
 * `overwrite` ({@link writeDatasetFolder}).
 */
export function buildSudokuDataset(opts: SudokuBuildOptions): SudokuBuildResult {
  if (!opts || typeof opts !== 'object') throw invalidArgument('buildSudokuDataset: expected an options object');
  const { inputs, testInputs, outputDir } = opts;
  if (!Array.isArray(inputs) || inputs.length === 0) throw invalidArgument('buildSudokuDataset: inputs must list at least one training CSV');
  if (testInputs !== undefined && (!Array.isArray(testInputs) || testInputs.length === 0)) {
    throw invalidArgument('buildSudokuDataset: testInputs, when given, must list at least one CSV');
  }
  checkPaths(inputs, 'buildSudokuDataset(): options.inputs');
  if (testInputs !== undefined) checkPaths(testInputs, 'buildSudokuDataset(): options.testInputs');
  checkPath(outputDir, 'buildSudokuDataset(): options.outputDir');
  checkCountOption('subsampleSize', opts.subsampleSize, 1);
  checkCountOption('numAug', opts.numAug, 0);
  const numAug = opts.numAug ?? 0;
  const rng = new Rng(opts.seed ?? 0);
  const readOpts: ReadSudokuCsvOptions = { minDifficulty: opts.minDifficulty, box: opts.box };

  const folder = { outputDir, overwrite: opts.overwrite };
  checkDatasetOutput(folder); // before reading; checked again at the end
  const train = readSudokuCsv(inputs, readOpts);
  const test = testInputs ? readSudokuCsv(testInputs, { ...readOpts, box: opts.box ?? (train.count > 0 ? train.box : undefined) }) : undefined;
  if (test && test.count > 0 && train.count > 0 && test.cells !== train.cells) {
    throw invalidArgument(`buildSudokuDataset: train puzzles have ${train.cells} cells but test puzzles have ${test.cells}`);
  }
  let order: ArrayLike<number>;
  if (opts.subsampleSize !== undefined && opts.subsampleSize < train.count) {
    order = rng.sample(train.count, opts.subsampleSize);
  } else {
    order = Uint32Array.from({ length: train.count }, (_, i) => i);
  }
  const noRows = (what: string, files: string[]) =>
    invalidData(`buildSudokuDataset: the ${what} CSV(s) ${files.join(', ')} hold no puzzles${opts.minDifficulty !== undefined ? ` with rating >= ${opts.minDifficulty}` : ''}; a split needs at least one`);
  if (train.count === 0) throw noRows('training', inputs);
  if (test && test.count === 0) throw noRows('test', testInputs!);
  return writeDatasetFolder(folder, (dir) => {
    const trainSummary = writeSplit(train, order, numAug, rng, path.join(dir, 'train'), 'train', opts.onProgress);
    let testSummary: SudokuSplitSummary | undefined;
    if (test) {
      const all = Uint32Array.from({ length: test.count }, (_, i) => i);
      testSummary = writeSplit(test, all, 0, rng, path.join(dir, 'test'), 'test', opts.onProgress);
    }
    writeIdentifiers(dir, ['<blank>']);
    if (opts.copyInputs) {
      copyInputs(inputs, path.join(dir, DATASET_SOURCE_DIR), 'train');
      if (testInputs) copyInputs(testInputs, path.join(dir, DATASET_SOURCE_DIR), 'test');
    }
    // The summaries name the folders where they will be once the build is in place.
    const placed = (sum: SudokuSplitSummary, split: string) => ({ ...sum, dir: path.join(outputDir, split) });
    return { outputDir, train: placed(trainSummary, 'train'), test: testSummary && placed(testSummary, 'test') };
  });
}
