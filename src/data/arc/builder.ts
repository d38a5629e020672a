/**
 * The ARC dataset builder (hrm-spec 6.1, 6.4): task folders -> augmented versions -> canvases
 * (30x30 as the reference, or smaller, keeping only the tasks that fit) streamed through
 * {@link SetWriter}, plus what the ARC scoring needs to undo the augmentations (hrm-spec 7.2,
 * pitfall 18):
 *
 *   <out>/identifiers.json    index = puzzle identifier, value = name ("<blank>" at 0)
 *   <out>/augmentations.json  index = puzzle identifier, value = {task, dihedral, colourMap} (null at 0)
 *   <out>/test_puzzles.json   the original tasks of the test split with their solutions (as TRM)
 *   <out>/train/, <out>/test/ the splits (test/ only when some folder is named `evaluation`)
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../util/atomic';
import { invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';
import { DatasetMetadata, writeIdentifiers, writeMetadata } from '../format/dataset';
import { checkDatasetOutput, writeDatasetFolder } from '../format/dataset-folder';
import { SetCounts, SetWriter } from '../format/set-writer';
import { Rng } from '../random';
import { ARC_AUGMENT_RETRIES_FACTOR, augmentParsed, checkNumAug, packAugmentation, taskSeed, unpackAugmentation } from './augmentation';
import { ARC_TEST_PUZZLES_FILE, writeArcAugmentations } from './augmentations-file';
import { ARC_PAD, ARC_VOCAB_SIZE, checkArcCanvas, encodeGridInto, gridFitsCanvas } from './codec';
import { ARC_GRID_SIZE, Grid } from './grid';
import { ArcIdentifiers } from './identifiers';
import { arcAugmentedName } from './names';
import { ParsedTask, parseTask, readArcFolders } from './tasks';
import { transformGrid } from './transforms';
import { ArcAugmentation, ArcPair, ArcSubset } from './types';
import { leakWarnings } from './warnings';

/** Progress of {@link buildArcDataset}. */
export interface ArcBuildProgress {
  /** 'read': task files parsed; 'train' / 'test': tasks written to that split; 'warning': a warning (also in the result). */
  phase: 'read' | 'train' | 'test' | 'warning';
  /** steps done in this phase */
  done: number;
  /** steps in this phase */
  total: number;
  /** what happened, for a log line */
  message: string;
}

/** Options of {@link buildArcDataset}. */
export interface ArcBuildOptions {
  /** Dataset folders, e.g. [<arc-agi-1>, <concept-arc>] for ARC-1 or [<arc-agi-2>] for ARC-2 (hrm-spec 6.4). */
  datasetDirs: string[];
  /** The dataset folder to write. */
  outputDir: string;
  /** Augmented versions per task besides the original (default 1000). */
  numAug?: number;
  /** Seed of every random draw (default 42). */
  seed?: number;
  /**
   * Side of the square canvas every grid is placed on (default 30, the reference's; 1..30).
   * Only tasks whose every grid (train and test pairs, inputs and outputs) fits a canvas x canvas
   * square are kept; the others are dropped and counted per folder in the result. The dataset's
   * seq_len is canvas^2, which is how readers recover the canvas (readArcCanvas). With 30 no
   * task is dropped and the build is the reference's.
   */
  canvas?: number;
  /**
   * Random placement of train-split examples (default true, as the reference). With false every
   * example sits at (0, 0). Note that the reference has no such switch: even with num_aug = 0 it
   * draws random offsets for the train split, so only a build with translate: false can be
   * compared with it array by array.
   */
  translate?: boolean;
  /** Shuffle the tasks of each folder (default true, as the reference); false keeps sorted file order. */
  shuffle?: boolean;
  /** Replace an earlier dataset in outputDir, as a whole (default false: refuse); see {@link writeDatasetFolder}. */
  overwrite?: boolean;
  /** Called as the build advances (and on warnings, which then are not printed). */
  onProgress?: (p: ArcBuildProgress) => void;
}

/** The counts of one written split. */
export interface ArcSplitCounts {
  /** groups (one per task) */
  groups: number;
  /** puzzles (one per kept version) */
  puzzles: number;
  /** examples (one per pair) */
  examples: number;
}

/** What {@link buildArcDataset} wrote and found. */
export interface ArcBuildResult {
  /** The dataset folder. */
  outputDir: string;
  /** The folders read, with their split rule and task count. */
  subsets: {
    /** the folder read */
    dir: string;
    /** its subset name (training, evaluation, ...) */
    name: string;
    /** whether its tasks' test outputs are held out */
    evaluation: boolean;
    /** tasks read from it */
    tasks: number;
    /** tasks kept: every grid fits the canvas */
    kept: number;
    /** tasks dropped: some grid is larger than the canvas */
    dropped: number;
  }[];
  /** The canvas side: every example is canvas x canvas tokens (seq_len = canvas^2). */
  canvas: number;
  /** Tasks built (read and kept). */
  tasks: number;
  /** Tasks read but dropped because some grid does not fit the canvas. */
  dropped: number;
  /** Number of identifiers including the blank (= num_puzzle_identifiers). */
  numPuzzleIdentifiers: number;
  /** The train split. */
  train: ArcSplitCounts;
  /** null when no folder is named `evaluation` (then, as in the reference, no test/ is written). */
  test: ArcSplitCounts | null;
  /** Versions per task (original included), over all tasks. */
  versions: {
    /** fewest versions of one task */
    min: number;
    /** mean versions per task */
    mean: number;
    /** most versions of one task */
    max: number;
  };
  /** Tasks that got fewer than numAug + 1 versions within the 5 * numAug draws. */
  incomplete: {
    /** the task's name */
    task: string;
    /** the versions it got */
    versions: number;
  }[];
  /** Augmentation draws made in total. */
  draws: number;
  /** Warnings about the folders and the augmentation. */
  warnings: string[];
  /** Wall-clock duration of the build. */
  seconds: number;
}

type Progress = (phase: ArcBuildProgress['phase'], done: number, total: number, message: string) => void;

/** Whether every grid of a task (train and test pairs, inputs and outputs) fits the canvas. */
function taskFits(p: ParsedTask, canvas: number): boolean {
  return [...p.train, ...p.test].every(([i, o]) => gridFitsCanvas(i, canvas) && gridFitsCanvas(o, canvas));
}

/**
 * Reads every folder and parses its tasks (shuffled per folder with the build seed, unless
 * `shuffle` is false), then keeps the tasks that fit the canvas; `dropped` counts the others per
 * subset (same order as `subsets`).
 */
function readTasks(datasetDirs: string[], seed: number, shuffle: boolean, canvas: number): { subsets: ArcSubset[]; parsed: ParsedTask[]; dropped: number[] } {
  const subsets = readArcFolders(datasetDirs);
  const order = new Rng(seed);
  const parsed: ParsedTask[] = [];
  const dropped: number[] = [];
  for (const subset of subsets) {
    const tasks = subset.tasks.map((task): ParsedTask => ({ task, subset, ...parseTask(task) }));
    if (shuffle) order.shuffle(tasks);
    const kept = tasks.filter((p) => taskFits(p, canvas));
    parsed.push(...kept);
    dropped.push(tasks.length - kept.length);
  }
  return { subsets, parsed, dropped };
}

/**
 * Encodes one puzzle (all its pairs under augmentation v) on a canvas of side S and adds it to
 * the writer. With an rng, one randomly chosen example stays at (0, 0) and every other one gets a
 * random offset shared by its input and output, r0 in [0, S - max(h_in, h_out)], c0 likewise
 * (hrm-spec 6.4, where S = 30).
 */
function writePuzzle(writer: SetWriter, id: number, pairs: readonly [Grid, Grid][], v: ArcAugmentation, rng: Rng | null, S: number): void {
  const n = pairs.length;
  const seqLen = S * S;
  const map = Uint8Array.from(v.colourMap);
  const inputs = new Uint8Array(n * seqLen);
  const labels = new Uint8Array(n * seqLen);
  const fixed = rng ? rng.int(n) : -1;
  for (let e = 0; e < n; e++) {
    const inp = transformGrid(pairs[e][0], v.dihedral, map);
    const out = transformGrid(pairs[e][1], v.dihedral, map);
    let r0 = 0;
    let c0 = 0;
    if (rng && e !== fixed) {
      r0 = rng.int(S - Math.max(inp.h, out.h) + 1);
      c0 = rng.int(S - Math.max(inp.w, out.w) + 1);
    }
    encodeGridInto(inp, r0, c0, inputs, e * seqLen, S);
    encodeGridInto(out, r0, c0, labels, e * seqLen, S);
  }
  writer.addPuzzle(id, inputs, labels);
}

/** What pass 1 (the train split) found, beside the files it wrote. */
interface TrainPass {
  counts: SetCounts;
  /** per task (in `parsed` order): the packed augmentations of its versions, for evaluation tasks */
  plans: number[][];
  incomplete: { task: string; versions: number }[];
  draws: number;
  versions: { min: number; mean: number; max: number };
}

/**
 * Pass 1: augments every task and writes its train-split puzzles (one group per task). Evaluation
 * folders: demonstrations -> train, test pairs -> test (pass 2). Other folders: all -> train.
 */
function writeTrainSplit(parsed: ParsedTask[], ids: ArcIdentifiers, writer: SetWriter, numAug: number, seed: number, translate: boolean, canvas: number, progress: Progress): TrainPass {
  const plans: number[][] = [];
  const incomplete: { task: string; versions: number }[] = [];
  let draws = 0;
  let vMin = Infinity;
  let vMax = 0;
  let vSum = 0;
  for (let k = 0; k < parsed.length; k++) {
    const p = parsed[k];
    const name = p.task.name;
    const aug = augmentParsed(name, [...p.train, ...p.test], numAug, new Rng(taskSeed(seed, 'augment', p.subset, name)));
    draws += aug.draws;
    const versions = aug.versions;
    vMin = Math.min(vMin, versions.length);
    vMax = Math.max(vMax, versions.length);
    vSum += versions.length;
    if (versions.length < numAug + 1) incomplete.push({ task: name, versions: versions.length });
    plans.push(p.subset.evaluation ? versions.map(packAugmentation) : []);
    const trainPairs = p.subset.evaluation ? p.train : [...p.train, ...p.test];
    if (trainPairs.length) {
      const rng = new Rng(taskSeed(seed, 'translate', p.subset, name));
      for (const v of versions) writePuzzle(writer, ids.idOf(name, v), trainPairs, v, translate ? rng : null, canvas);
      writer.endGroup();
    }
    progress('train', k + 1, parsed.length, `${name}: ${versions.length} versions`);
  }
  const n = parsed.length;
  return { counts: writer.finish(), plans, incomplete, draws, versions: { min: n ? vMin : 0, mean: n ? vSum / n : 0, max: vMax } };
}

/**
 * Pass 2: the test split, every example at (0, 0); identifiers mostly exist already, since an
 * evaluation task's versions have the same names in both splits.
 */
function writeTestSplit(parsed: ParsedTask[], plans: number[][], ids: ArcIdentifiers, writer: SetWriter, canvas: number, progress: Progress): SetCounts {
  for (let k = 0; k < parsed.length; k++) {
    const p = parsed[k];
    if (!p.subset.evaluation || !p.test.length) continue;
    for (let i = 0; i < plans[k].length; i++) {
      // Version 0 is the original, which keeps the plain task name.
      const v = unpackAugmentation(plans[k][i]);
      const name = i === 0 ? p.task.name : arcAugmentedName(p.task.name, v);
      writePuzzle(writer, ids.idOf(p.task.name, { name, ...v }), p.test, v, null, canvas);
    }
    writer.endGroup();
    progress('test', k + 1, parsed.length, p.task.name);
  }
  return writer.finish();
}

/** dataset.json of an ARC split: num_puzzle_identifiers = N + 1 in both splits (hrm-spec 6.4), seq_len = canvas^2. */
function arcMetadata(numPuzzleIdentifiers: number, c: SetCounts, canvas: number): DatasetMetadata {
  return {
    pad_id: ARC_PAD,
    ignore_label_id: ARC_PAD,
    blank_identifier_id: 0,
    vocab_size: ARC_VOCAB_SIZE,
    seq_len: canvas * canvas,
    num_puzzle_identifiers: numPuzzleIdentifiers,
    total_groups: c.totalGroups,
    mean_puzzle_examples: c.totalPuzzles ? c.totalExamples / c.totalPuzzles : 0,
    sets: ['all'],
  };
}

/** TRM-style test_puzzles.json: the original tasks of the test split, solutions included. */
function writeTestPuzzles(outputDir: string, parsed: ParsedTask[]): void {
  const testPuzzles: Record<string, { train: ArcPair[]; test: ArcPair[] }> = {};
  for (const p of parsed) if (p.subset.evaluation && p.test.length) testPuzzles[p.task.name] = { train: p.task.train, test: p.task.test };
  writeFileAtomic(path.join(outputDir, ARC_TEST_PUZZLES_FILE), [JSON.stringify(testPuzzles)]);
}

const splitCounts = (c: SetCounts): ArcSplitCounts => ({ groups: c.totalGroups, puzzles: c.totalPuzzles, examples: c.totalExamples });

/**
 * Builds an ARC dataset (hrm-spec 6.4) from task folders: identifiers.json, augmentations.json,
 * test_puzzles.json, train/ and (when some folder is named `evaluation`) test/, each split with
 * the single set "all". Inputs and labels are streamed to disk task by task; only the task files,
 * the identifier names and the kept augmentation plans stay in memory.
 *
 * Differences from the reference that do not change the format: folders and files are read in
 * sorted order, randomness comes from per-task {@link Rng} streams rather than numpy's global
 * RNG (so a build is reproducible from its seed, but not bit-identical to a Python build), and
 * identifiers are numbered over the train split first, then the test split.
 */
export function buildArcDataset(options: ArcBuildOptions): ArcBuildResult {
  const t0 = Date.now();
  const { datasetDirs, outputDir, numAug = 1000, seed = 42, translate = true, shuffle = true, overwrite = false, canvas = ARC_GRID_SIZE, onProgress } = options;
  checkPath(outputDir, 'buildArcDataset(): options.outputDir');
  checkArcCanvas(canvas);
  checkNumAug(numAug);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw invalidArgument(`seed must be a finite number, got ${seed}`);
  const folder = { outputDir, overwrite };
  checkDatasetOutput(folder); // before the slow part; checked again at the end

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (onProgress) onProgress({ phase: 'warning', done: 0, total: 0, message });
    else console.warn(`buildArcDataset: ${message}`);
  };
  const progress = (phase: ArcBuildProgress['phase'], done: number, total: number, message: string) => onProgress?.({ phase, done, total, message });

  // Read and validate everything before writing anything.
  const { subsets, parsed, dropped } = readTasks(datasetDirs, seed, shuffle, canvas);
  const droppedTotal = dropped.reduce((a, b) => a + b, 0);
  const droppedNote = droppedTotal ? `; kept ${parsed.length} whose grids fit the ${canvas}x${canvas} canvas, dropped ${droppedTotal}` : '';
  progress('read', parsed.length, parsed.length, `read ${parsed.length + droppedTotal} tasks from ${subsets.length} folders${droppedNote}`);
  if (parsed.length === 0 && droppedTotal > 0) throw invalidArgument(`no task of ${datasetDirs.join(', ')} fits the ${canvas}x${canvas} canvas: every one has a larger grid`);
  for (const w of leakWarnings(parsed, subsets)) warn(w);

  // Written into a partial folder renamed into place at the end: complete or absent (writeDatasetFolder).
  return writeDatasetFolder(folder, (dir) => {
    const ids = new ArcIdentifiers();
    const hasTest = subsets.some((s) => s.evaluation);
    const trainWriter = new SetWriter(path.join(dir, 'train'), 'all', canvas * canvas);
    const testWriter = hasTest ? new SetWriter(path.join(dir, 'test'), 'all', canvas * canvas) : null;
    let train: TrainPass;
    let testCounts: SetCounts | null;
    try {
      train = writeTrainSplit(parsed, ids, trainWriter, numAug, seed, translate, canvas, progress);
      testCounts = testWriter ? writeTestSplit(parsed, train.plans, ids, testWriter, canvas, progress) : null;
    } catch (e) {
      trainWriter.abort();
      testWriter?.abort();
      throw e;
    }
    writeMetadata(path.join(dir, 'train'), arcMetadata(ids.count, train.counts, canvas));
    if (testCounts) writeMetadata(path.join(dir, 'test'), arcMetadata(ids.count, testCounts, canvas));
    writeIdentifiers(dir, ids.names);
    writeArcAugmentations(dir, ids.count, (id) => ids.record(id));
    writeTestPuzzles(dir, parsed);
    const { incomplete } = train;
    if (incomplete.length) {
      warn(
        `${incomplete.length} task(s) got fewer than ${numAug + 1} versions within ${ARC_AUGMENT_RETRIES_FACTOR * numAug} draws ` +
          `(symmetric grids or few colours), e.g. ${incomplete.slice(0, 3).map((x) => `${x.task}: ${x.versions}`).join(', ')}`,
      );
    }
    return {
      outputDir,
      subsets: subsets.map((s, i) => ({ dir: s.dir, name: s.name, evaluation: s.evaluation, tasks: s.tasks.length, kept: s.tasks.length - dropped[i], dropped: dropped[i] })),
      canvas,
      tasks: parsed.length,
      dropped: droppedTotal,
      numPuzzleIdentifiers: ids.count,
      train: splitCounts(train.counts),
      test: testCounts ? splitCounts(testCounts) : null,
      versions: train.versions,
      incomplete,
      draws: train.draws,
      warnings,
      seconds: (Date.now() - t0) / 1000,
    };
  });
}
