/**
 * The dataset builders behind `hrm data sudoku|maze|arc|custom`: options -> builder call, with a
 * progress bar and a summary. Loaded only when a build is asked for.
 *
 * A build runs in a worker thread, so that Ctrl-C (SIGINT) or SIGTERM, which cannot interrupt the
 * builders' synchronous loops, stops it at once: the worker is terminated and its partial folder
 * (`<output-dir>.partial-<pid>`, see data/format/dataset-folder) removed; the output folder is
 * left as it was before the build.
 * @module
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { buildArcDataset } from '../data/arc';
import { CustomFileFormat, buildCustomDataset } from '../data/custom';
import { DatasetFolderOptions, abandonDatasetBuild, checkDatasetOutput } from '../data/format/dataset-folder';
import { buildMazeDataset } from '../data/maze';
import { buildSudokuDataset, defaultSudokuBox, generateSudoku, writeSudokuCsv } from '../data/sudoku';
import { isProcessAlive } from '../util/atomic';
import { ProgressBar, ProgressStream } from '../util/progress';
import { ERROR_CODES, ErrorCode, hrmError, invalidArgument } from '../util/errors';
import { Options } from './args';
import { dataStats } from './data';

/** What the worker is told: the sub-command, its options, and whether stderr is a terminal. */
export interface DataBuildRequest {
  /** sudoku, maze, arc or custom */
  sub: string;
  /** the parsed --options */
  options: Map<string, string | boolean>;
  /** the positional words */
  positional: string[];
  /** the main thread's stderr is a terminal (a worker's is a pipe) */
  stderrIsTTY: boolean;
}

/** What the worker answers: an exit code, or the error that ended the build. */
export type DataBuildReply = { code: number } | { error: { message: string; code?: string; stack?: string } };

// Progress bars draw on the main thread's stderr; in a worker that is a pipe, so the terminal is passed in.
let progressStream: ProgressStream = process.stderr;
const bar = (label: string, total: number) => new ProgressBar(label, total, progressStream);

function finish(out: string, started: number): number {
  console.log(`\nbuilt ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(dataStats(out));
  return 0;
}

/** --output-dir and --overwrite, checked ({@link checkDatasetOutput}, in the CLI's words) by the builders before any slow work. */
function outputFolder(o: Options): DatasetFolderOptions {
  return { outputDir: o.requireString('output-dir'), overwrite: o.flag('overwrite'), overwriteHint: 'pass --overwrite' };
}

const GENERATED_CSV_PREFIX = 'hrm-sudoku-generated-';

/**
 * Where `hrm data sudoku --generate` writes its CSVs before the build copies them into
 * <output-dir>/source; those of killed builds (their process gone) are removed here.
 */
function generatedCsvFolder(): string {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = name.startsWith(GENERATED_CSV_PREFIX) ? Number(name.slice(GENERATED_CSV_PREFIX.length)) : NaN;
    if (Number.isInteger(pid) && pid !== process.pid && !isProcessAlive(pid)) fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
  return path.join(os.tmpdir(), `${GENERATED_CSV_PREFIX}${process.pid}`);
}

function sudoku(o: Options): number {
  const folder = outputFolder(o);
  const out = folder.outputDir;
  const started = Date.now();
  const generate = o.int('generate', undefined, { min: 1 });
  let inputs = o.list('input');
  let testInputs = o.list('test-input');
  // --generate makes 9x9 boards unless told; --input reads the board size from the first puzzle.
  const sizeFlag = o.int('size');
  const size = sizeFlag ?? 9;
  const box = defaultSudokuBox(size);
  if (!box) throw invalidArgument(`--size must be 4, 6 or 9, got ${size}`);
  const seed = o.int('seed', 0, { min: 0 })!;
  const testCount = o.int('generate-test', Math.max(1, Math.round((generate ?? 0) / 10)), { min: 1 })!;
  const minRating = o.int('min-rating', 0, { min: 0 })!;
  const clues = o.int('clues', undefined, { min: 0, max: size * size });
  const subsampleSize = o.int('subsample-size', undefined, { min: 1 });
  const numAug = o.int('num-aug', 0, { min: 0 });
  const minDifficulty = o.number('min-difficulty');
  o.rejectUnknown('data sudoku');
  checkDatasetOutput(folder);
  const scratch = generatedCsvFolder();
  try {
    if (generate !== undefined) {
      // Generated puzzles with unique solutions, as reference CSVs; the build keeps them in <out>/source.
      const progress = bar('generating', generate + testCount);
      const make = (n: number, offset: number) =>
        Array.from({ length: n }, (_, i) => {
          const g = generateSudoku({ box, seed: seed * 1_000_003 + offset + i, minRating, clues });
          progress.update(offset + i + 1);
          return { source: `generated-${size}x${size}`, question: g.puzzle, answer: g.solution, rating: g.rating };
        });
      inputs = [path.join(scratch, 'train.csv')];
      testInputs = [path.join(scratch, 'test.csv')];
      writeSudokuCsv(inputs[0], make(generate, 0));
      writeSudokuCsv(testInputs[0], make(testCount, generate));
    }
    if (inputs.length === 0) throw invalidArgument('hrm data sudoku: give --input train.csv[,more.csv] (reference schema) or --generate N');
    const bars: Record<string, ProgressBar> = {};
    buildSudokuDataset({
      inputs,
      testInputs: testInputs.length ? testInputs : undefined,
      outputDir: out,
      overwrite: folder.overwrite,
      copyInputs: generate !== undefined,
      subsampleSize,
      numAug,
      minDifficulty,
      seed,
      box: generate !== undefined || sizeFlag !== undefined ? box : undefined,
      onProgress: (p) => (bars[p.split] ??= bar(`sudoku ${p.split}`, p.total)).update(p.done),
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  return finish(out, started);
}

function maze(o: Options): number {
  const folder = outputFolder(o);
  const out = folder.outputDir;
  const started = Date.now();
  const trainCsv = o.string('train-csv');
  const testCsv = o.string('test-csv');
  const gen = o.int('generate', undefined, { min: 1 });
  const generate =
    gen === undefined
      ? undefined
      : { train: gen, test: o.int('generate-test', Math.max(1, Math.round(gen / 10)), { min: 1 })!, size: o.int('size', undefined, { min: 2 }), minPathLength: o.int('min-path-length', undefined, { min: 2 }) };
  const aug = o.flag('aug');
  const seed = o.int('seed', 0, { min: 0 });
  o.rejectUnknown('data maze');
  checkDatasetOutput(folder);
  const bars: Record<string, ProgressBar> = {};
  buildMazeDataset({
    outputDir: out,
    overwrite: folder.overwrite,
    trainCsv,
    testCsv,
    generate,
    aug,
    seed,
    onProgress: (p) => (bars[`${p.split}-${p.phase}`] ??= bar(`maze ${p.split} ${p.phase}`, p.total)).update(p.done),
  });
  return finish(out, started);
}

function arc(o: Options): number {
  const folder = outputFolder(o);
  const out = folder.outputDir;
  const started = Date.now();
  const dirs = o.list('dataset-dirs');
  if (dirs.length === 0) throw invalidArgument('hrm data arc: give --dataset-dirs <arc-agi-1>,<concept-arc> (one-JSON-per-task folders)');
  const numAug = o.int('num-aug', 1000, { min: 0 });
  const seed = o.int('seed', 42, { min: 0 });
  const canvas = o.int('canvas', 30);
  o.rejectUnknown('data arc');
  checkDatasetOutput(folder);
  const bars: Record<string, ProgressBar> = {};
  const result = buildArcDataset({
    datasetDirs: dirs,
    outputDir: out,
    numAug,
    seed,
    canvas,
    overwrite: folder.overwrite,
    onProgress: (p) => {
      if (p.phase === 'warning') console.warn(`warning: ${p.message}`);
      else (bars[p.phase] ??= bar(`arc ${p.phase}`, p.total)).update(p.done);
    },
  });
  if (result.warnings.length) console.warn(`${result.warnings.length} warning(s); see above`);
  console.log(`\ncanvas ${result.canvas}x${result.canvas} (seq_len ${result.canvas ** 2}): ${result.tasks} tasks kept, ${result.dropped} dropped (a grid larger than the canvas)`);
  for (const s of result.subsets) console.log(`  ${s.dir}: ${s.kept} of ${s.tasks} kept, ${s.dropped} dropped`);
  return finish(out, started);
}

/**
 * `--vocab` as the builder takes it: a list when it has commas (`a,b,c`), a vocabulary size when it
 * is a whole number (`10`: the symbols 0..9), else one symbol per character (`ACGT`).
 */
export function parseVocabFlag(text: string): string[] | number {
  if (text.includes(',')) return text.split(',').map((s) => s.trim());
  if (/^\d+$/.test(text)) return Number(text);
  return [...text];
}

function custom(o: Options): number {
  const folder = outputFolder(o);
  const out = folder.outputDir;
  const started = Date.now();
  const input = o.requireString('input');
  const test = o.string('test');
  const testFraction = o.number('test-fraction');
  const vocabText = o.requireString('vocab');
  const seqLen = o.int('seq-len', undefined, { min: 1 });
  const format = o.string('format');
  const seed = o.int('seed', 0, { min: 0 });
  o.rejectUnknown('data custom');
  if (seqLen === undefined) throw invalidArgument('hrm data custom: --seq-len N is required (tokens per example: shorter examples are padded, longer ones are an error)');
  if (test !== undefined && testFraction !== undefined) throw invalidArgument('hrm data custom: give --test FILE or --test-fraction F, not both');
  if (testFraction !== undefined && !(testFraction > 0 && testFraction < 1)) throw invalidArgument(`--test-fraction must be a number in (0, 1), got ${testFraction}`);
  if (format !== undefined && format !== 'jsonl' && format !== 'csv') throw invalidArgument(`--format must be jsonl or csv, got '${format}'`);
  checkDatasetOutput(folder);
  const bars: Record<string, ProgressBar> = {};
  const result = buildCustomDataset({
    input,
    test,
    testFraction,
    format: format as CustomFileFormat | undefined,
    vocab: parseVocabFlag(vocabText),
    seqLen,
    seed,
    ...folder,
    onProgress: (p) => (bars[p.split] ??= bar(`custom ${p.split}`, p.total)).update(p.done),
  });
  if (!result.test) console.warn(`warning: no test split (give --test FILE or --test-fraction F): 'hrm train' will not evaluate, 'hrm eval' has nothing to score`);
  return finish(out, started);
}

/** The builders of `hrm data`, by sub-command, run on the calling thread. */
export const DATA_COMMANDS: Record<string, (o: Options, positional: string[]) => number> = { sudoku, maze, arc, custom };

/** Runs a build on the worker's thread and answers the main thread (see {@link runDataBuild}). */
export function runDataBuildInWorker(request: DataBuildRequest): DataBuildReply {
  progressStream = { write: (text) => process.stderr.write(text), isTTY: request.stderrIsTTY };
  try {
    return { code: DATA_COMMANDS[request.sub](new Options(request.options), request.positional) };
  } catch (e) {
    const err = e as Error & { code?: unknown };
    return { error: { message: err.message, code: typeof err.code === 'string' ? err.code : undefined, stack: err.stack } };
  }
}

function errorFromWorker(error: { message: string; code?: string; stack?: string }): Error {
  const e = (ERROR_CODES as readonly string[]).includes(error.code ?? '') ? hrmError(error.code as ErrorCode, error.message) : Object.assign(new Error(error.message), { code: error.code });
  if (error.stack) e.stack = error.stack;
  return e;
}

const WORKER = path.join(__dirname, 'data-build-worker.js');

/**
 * Runs `hrm data <sub>` in a worker thread; on SIGINT/SIGTERM terminates it, removes its partial
 * folder (and the generated CSVs), and resolves to 130 (SIGINT) or 143 (SIGTERM). Without the
 * compiled worker (running from the TypeScript sources) the build runs on this thread.
 */
export function runDataBuild(sub: string, options: Map<string, string | boolean>, positional: string[]): Promise<number> {
  const request: DataBuildRequest = { sub, options, positional, stderrIsTTY: !!process.stderr.isTTY };
  if (!fs.existsSync(WORKER)) return Promise.resolve(DATA_COMMANDS[sub](new Options(options), positional));
  const out = typeof options.get('output-dir') === 'string' ? (options.get('output-dir') as string) : undefined;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: request });
    const answer: { reply?: DataBuildReply } = {};
    let signalled: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) return;
      signalled = signal;
      void worker.terminate();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    worker.on('message', (m: DataBuildReply) => (answer.reply = m));
    worker.on('error', (e) => (answer.reply = { error: { message: e.message, stack: e.stack } }));
    worker.on('exit', () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const reply = answer.reply;
      if (reply && 'code' in reply) resolve(reply.code); // finished before the signal took effect
      else if (signalled) {
        fs.rmSync(path.join(os.tmpdir(), `${GENERATED_CSV_PREFIX}${process.pid}`), { recursive: true, force: true });
        const left = out ? abandonDatasetBuild(out) : { removed: [] };
        const removed = left.removed.length ? `; removed the partial build ${left.removed.join(', ')}` : '';
        const restored = left.restored ? `; put the earlier dataset back in ${left.restored}` : '';
        process.stderr.write(`\nhrm data ${sub}: interrupted (${signalled})${removed}${restored}; ${out ?? 'the output folder'} is as it was before the build\n`);
        resolve(signalled === 'SIGINT' ? 130 : 143);
      } else if (reply) reject(errorFromWorker(reply.error));
      else reject(new Error(`hrm data ${sub}: the build's worker thread ended without an answer`));
    });
  });
}

const BUILD_FOLDER_HELP = `
  The dataset is built in DIR.partial-<pid> and renamed to DIR when complete, so an interrupted build
  (Ctrl-C) leaves DIR as it was. A DIR that holds a dataset is replaced, as a whole, only with --overwrite.`;

/** The `--help` text of each builder sub-command. */
export const DATA_HELP: Record<string, string> = {
  sudoku: `hrm data sudoku --output-dir DIR (--input train.csv[,..] [--test-input test.csv[,..]] | --generate N [--generate-test M] [--min-rating R] [--clues C])
  [--subsample-size N] [--num-aug K] [--min-difficulty R] [--size 4|6|9] [--seed S] [--overwrite]
  CSVs in the reference schema (source,question,answer,rating; '.' or '0' blanks). The reference 1k recipe:
  --subsample-size 1000 --num-aug 1000. --generate makes new unique-solution puzzles (no input needed): minimal
  puzzles, or with --clues C givens each (easier); their CSVs are kept in DIR/source. Without --size, --generate
  makes 9x9 boards and --input reads the size from the first puzzle's length (16, 36 or 81 cells).${BUILD_FOLDER_HELP}`,
  maze: `hrm data maze --output-dir DIR (--train-csv train.csv --test-csv test.csv | --generate N [--generate-test M] [--size 30] [--min-path-length L])
  [--aug] [--seed S] [--overwrite]
  --aug adds the 8 dihedral versions of every training maze, as the reference's --aug.${BUILD_FOLDER_HELP}`,
  arc: `hrm data arc --output-dir DIR --dataset-dirs DIR[,DIR..] [--num-aug 1000] [--seed 42] [--canvas 30] [--overwrite]
  ARC-1: --dataset-dirs <ARC-AGI>/data,<ConceptARC>/corpus; ARC-2: --dataset-dirs <ARC-AGI-2>/data.
  Tasks under a folder named 'evaluation' give the test split. --canvas N (1..30) places every grid
  on an N x N canvas (seq_len N*N) and keeps only the tasks whose grids all fit (small CPU runs).${BUILD_FOLDER_HELP}`,
  custom: `hrm data custom --output-dir DIR --input train.jsonl|.csv [--test test.jsonl | --test-fraction F] --vocab SYMBOLS --seq-len N
  [--format jsonl|csv] [--seed S] [--overwrite]
  Your own task: JSONL with one {"input": [...], "output": [...]} a line (a list of symbols, a grid as a
  list of rows, flattened row-major, or a string of one-character symbols), or CSV with input and output
  columns (a JSON list, symbols separated by spaces, or one symbol per character). --vocab: a, b, c as
  'a,b,c', a size V as '10' (the symbols 0..V-1), or one symbol per character ('ACGT'); symbol i is token
  i + 1 (PAD = 0). Examples shorter than --seq-len are padded; longer ones are an error naming the line.
  --test-fraction holds out that share of the input, drawn with --seed. Train with 'hrm train --task custom'.
  Augmentations: buildCustomDataset({ augment, augmentations }) in code.${BUILD_FOLDER_HELP}`,
};
