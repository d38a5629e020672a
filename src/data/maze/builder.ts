/**
 * The maze dataset builder (hrm-spec 6.3, 6.1): writes what the reference's
 * build_maze_dataset.py writes, from reference CSVs or from generated mazes.
 * @module
 */
import * as path from 'path';
import { invalidArgument, invalidData } from '../../util/errors';
import { checkPath } from '../../util/path';
import { DatasetMetadata, writeIdentifiers, writeMetadata } from '../format/dataset';
import { checkDatasetOutput, writeDatasetFolder } from '../format/dataset-folder';
import { SetWriter } from '../format/set-writer';
import { dihedralIndexMap } from '../dihedral';
import { MAZE_TOKENS, MAZE_VOCAB_SIZE, encodeMaze } from './codec';
import { loadMazeCsv } from './csv';
import { MazeGenerator, MazeGeneratorOptions } from './generator';
import { MazeRecord, mazeSize } from './grid';

/** Progress of {@link buildMazeDataset}: per split and phase. */
export interface MazeBuildProgress {
  /** which split */
  split: 'train' | 'test';
  /** what is being done: reading CSVs, generating mazes, or writing files */
  phase: 'load' | 'generate' | 'write';
  /** steps done so far */
  done: number;
  /** steps in this phase */
  total: number;
}

/** Options of {@link buildMazeDataset}. */
export interface MazeBuildOptions {
  /** Reference-schema CSV for the train split (with testCsv; excludes `generate`). */
  trainCsv?: string;
  /** Reference-schema CSV for the test split. */
  testCsv?: string;
  /** Generate both splits instead (one generator, so no layout is shared between them). */
  generate?: {
    /** generated training mazes */
    train: number;
    /** generated test mazes */
    test: number;
  } & Pick<MazeGeneratorOptions, 'size' | 'minPathLength' | 'wallProbability' | 'pairTries'>;
  /** The dataset folder to write (train/, test/, identifiers.json), complete or not at all ({@link writeDatasetFolder}). */
  outputDir: string;
  /** Replace a dataset already in outputDir, as a whole (default false: refuse). */
  overwrite?: boolean;
  /** The reference's `--aug`: 8 dihedral versions of every training maze as one group. Default false. */
  aug?: boolean;
  /** Seed of the generator (only generation draws random numbers). Default 0. */
  seed?: number;
  /** Called as the build advances. */
  onProgress?: (p: MazeBuildProgress) => void;
}

/** The counts of one written split. */
export interface MazeSplitSummary {
  /** groups (one per maze) */
  groups: number;
  /** puzzles (8 per maze with aug in train) */
  puzzles: number;
  /** examples (one per puzzle) */
  examples: number;
}

/** What {@link buildMazeDataset} wrote. */
export interface MazeBuildResult {
  /** the dataset folder */
  outputDir: string;
  /** side of the mazes */
  size: number;
  /** tokens per example (size * size) */
  seqLen: number;
  /** the train split */
  train: MazeSplitSummary;
  /** the test split */
  test: MazeSplitSummary;
}

type Split = 'train' | 'test';

/** Checks the options that choose where the mazes come from. */
function checkOptions(options: MazeBuildOptions): void {
  if (!options || typeof options !== 'object') throw invalidArgument('buildMazeDataset: expected an options object');
  checkPath(options.outputDir, 'buildMazeDataset(): options.outputDir');
  const { trainCsv, testCsv, generate, aug = false } = options;
  const hasCsv = trainCsv !== undefined || testCsv !== undefined;
  if (hasCsv && generate) throw invalidArgument('buildMazeDataset: give either trainCsv + testCsv or generate, not both');
  if (!hasCsv && !generate) throw invalidArgument('buildMazeDataset: give trainCsv + testCsv (reference CSVs) or generate: { train, test, size, minPathLength }');
  if (hasCsv && (trainCsv === undefined || testCsv === undefined)) throw invalidArgument('buildMazeDataset: trainCsv and testCsv must both be given (file paths)');
  if (hasCsv) {
    checkPath(trainCsv, 'buildMazeDataset(): options.trainCsv');
    checkPath(testCsv, 'buildMazeDataset(): options.testCsv');
  }
  if (typeof aug !== 'boolean') throw invalidArgument(`buildMazeDataset: aug must be a boolean, got ${JSON.stringify(aug)}`);
  if (generate) {
    for (const k of ['train', 'test'] as const) {
      const v = generate[k];
      if (!Number.isInteger(v) || v < 1) throw invalidArgument(`buildMazeDataset: generate.${k} must be a positive integer (number of mazes), got ${v}`);
    }
  }
}

/** Generates both splits from one generator, so no layout is shared between them. */
function generateSplits(generate: NonNullable<MazeBuildOptions['generate']>, seed: number, onProgress: MazeBuildOptions['onProgress']): Record<Split, MazeRecord[]> {
  const { size, minPathLength, wallProbability, pairTries } = generate;
  const gen = new MazeGenerator({ size, minPathLength, wallProbability, pairTries }, seed);
  const make = (split: Split, total: number): MazeRecord[] => {
    const out: MazeRecord[] = [];
    for (let i = 0; i < total; i++) {
      out.push(gen.next());
      onProgress?.({ split, phase: 'generate', done: i + 1, total });
    }
    return out;
  };
  return { train: make('train', generate.train), test: make('test', generate.test) };
}

/** Loads and validates both splits' CSVs. */
function loadSplits(trainCsv: string, testCsv: string, onProgress: MazeBuildOptions['onProgress']): Record<Split, MazeRecord[]> {
  const load = (split: Split, file: string): MazeRecord[] => {
    onProgress?.({ split, phase: 'load', done: 0, total: 1 });
    const recs = loadMazeCsv(file);
    onProgress?.({ split, phase: 'load', done: 1, total: 1 });
    return recs;
  };
  return { train: load('train', trainCsv), test: load('test', testCsv) };
}

/** dataset.json of a maze split (hrm-spec 6.3): one shared identifier (0), nothing ignored in practice, one example per puzzle. */
function mazeMetadata(seqLen: number, totalGroups: number): DatasetMetadata {
  return {
    pad_id: MAZE_TOKENS.pad,
    ignore_label_id: 0,
    blank_identifier_id: 0,
    vocab_size: MAZE_VOCAB_SIZE,
    seq_len: seqLen,
    num_puzzle_identifiers: 1,
    total_groups: totalGroups,
    mean_puzzle_examples: 1,
    sets: ['all'],
  };
}

/** Writes one split: each maze is a group of `versions` dihedral versions (1 = the maze itself). */
function writeSplit(dir: string, split: Split, records: MazeRecord[], size: number, versions: number, onProgress: MazeBuildOptions['onProgress']): MazeSplitSummary {
  const seqLen = size * size;
  const writer = new SetWriter(dir, 'all', seqLen);
  // maps[t][k]: the cell of the [size, size] maze that lands at cell k under transform t
  const maps = Array.from({ length: versions }, (_, t) => dihedralIndexMap(t, size));
  try {
    for (let r = 0; r < records.length; r++) {
      const q = encodeMaze(records[r].question);
      const a = encodeMaze(records[r].answer);
      for (const map of maps) {
        const qi = new Uint8Array(seqLen);
        const ai = new Uint8Array(seqLen);
        for (let k = 0; k < seqLen; k++) {
          qi[k] = q[map[k]];
          ai[k] = a[map[k]];
        }
        writer.addPuzzle(0, qi, ai);
      }
      writer.endGroup();
      onProgress?.({ split, phase: 'write', done: r + 1, total: records.length });
    }
  } catch (e) {
    writer.abort();
    throw e;
  }
  const counts = writer.finish();
  writeMetadata(dir, mazeMetadata(seqLen, counts.totalGroups));
  return { groups: counts.totalGroups, puzzles: counts.totalPuzzles, examples: counts.totalExamples };
}

/**
 * Builds a maze dataset as the reference's build_maze_dataset.py does (hrm-spec 6.3, 6.1):
 * `<outputDir>/{train,test}/dataset.json` + `all__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`
 * and `<outputDir>/identifiers.json` = ["<blank>"]. One example per puzzle, all with identifier 0;
 * each maze is one group (with `aug`, the 8 dihedral versions of a training maze form its group;
 * the test split is never augmented). Rows keep the CSV (or generation) order.
 * As in the reference, augmented labels are the transformed answers, not re-solved: they are still
 * shortest paths, but the tie-break of solveMaze is not symmetric, so on the staged training set
 * only the left-right flip keeps a rule-made label (931 of 1,000); the other six transforms almost
 * never do.
 * Everything is loaded and validated before the first file is written; the folder is then written
 * complete or not at all, and an existing dataset is replaced only with `overwrite`.
 */
export function buildMazeDataset(options: MazeBuildOptions): MazeBuildResult {
  checkOptions(options);
  const { trainCsv, testCsv, generate, aug = false, seed = 0, onProgress } = options;
  const folder = { outputDir: options.outputDir, overwrite: options.overwrite };
  checkDatasetOutput(folder); // before generating; checked again at the end
  const splits = generate ? generateSplits(generate, seed, onProgress) : loadSplits(trainCsv as string, testCsv as string, onProgress);
  const size = mazeSize(splits.train[0].question);
  const testSize = mazeSize(splits.test[0].question);
  if (testSize !== size) throw invalidData(`buildMazeDataset: the train mazes are ${size}x${size} but the test mazes ${testSize}x${testSize}; both splits need one size (one seq_len)`);
  const seqLen = size * size;
  return writeDatasetFolder(folder, (dir) => {
    const summary = {} as Record<Split, MazeSplitSummary>;
    for (const split of ['train', 'test'] as const) {
      const versions = split === 'train' && aug ? 8 : 1;
      summary[split] = writeSplit(path.join(dir, split), split, splits[split], size, versions, onProgress);
    }
    writeIdentifiers(dir, ['<blank>']);
    return { outputDir: options.outputDir, size, seqLen, train: summary.train, test: summary.test };
  });
}
