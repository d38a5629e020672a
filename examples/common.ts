/**
 * What the task examples share: an example's folders, training with a progress bar, and one
 * held-out puzzle solved and printed beside the expected answer. User code: it imports the
 * package by its name, as your scripts would.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { HRM, SolveResult, Trainer, TrainOptions, TrainResult, getNumThreads, solveTokens, trainingProgress, withTrainingReport, writeFileAtomic } from 'hrm-torch';

/** Where an example writes: generated CSVs, the dataset (reference format), the run (checkpoints, report). */
export interface ExampleFolders {
  /** the example's folder */
  root: string;
  /** generated puzzles, as reference CSVs */
  trainCsv: string;
  testCsv: string;
  /** the dataset */
  data: string;
  /** checkpoints, metrics and the report */
  run: string;
}

/** The folders of an example rooted at `root` (made absolute). */
export function exampleFolders(root: string): ExampleFolders {
  const r = path.resolve(root);
  return { root: r, trainCsv: path.join(r, 'source', 'train.csv'), testCsv: path.join(r, 'source', 'test.csv'), data: path.join(r, 'data'), run: path.join(r, 'run') };
}

/** What an example chooses about training; where the data and the run go, and the progress printing, are common. */
export type ExampleTraining = Omit<TrainOptions, 'dataPath' | 'outputDir' | 'onProgress'>;

/** A finished training run of an example; the caller disposes the trainer. */
export interface TrainedExample {
  /** the trainer, its model trained */
  trainer: Trainer;
  result: TrainResult;
  /** wall time of the training */
  seconds: number;
  /** exact accuracy of the last held-out evaluation (NaN when there was none) */
  heldOutExact: number;
  /** the training options, as given */
  training: ExampleTraining;
}

/**
 * Trains on `folders.data` into `folders.run`, printing the model's size, then a progress bar on
 * stdout. An example starts its run over each time (the Trainer refuses a folder that holds a run
 * unless it resumes it), so the previous run folder of the example is removed first.
 */
export async function trainExample(folders: ExampleFolders, training: ExampleTraining): Promise<TrainedExample> {
  fs.rmSync(folders.run, { recursive: true, force: true });
  const trainer = new Trainer({ ...training, dataPath: folders.data, outputDir: folders.run, onProgress: withTrainingReport(folders.run, trainingProgress({ stream: process.stdout })) });
  console.log(`model: ${trainer.model.parameterCount().toLocaleString()} parameters, ${trainer.totalSteps} training steps of ${training.globalBatchSize} puzzles\n`);
  const started = Date.now();
  const result = await trainer.run();
  return { trainer, result, seconds: (Date.now() - started) / 1000, heldOutExact: result.lastEval?.sets.all?.exact_accuracy ?? NaN, training };
}

/** The held-out exact accuracy as a sentence, or why there is none (the run stopped before an evaluation). */
export function heldOutSummary(t: TrainedExample): string {
  if (Number.isNaN(t.heldOutExact)) return `no held-out evaluation: training stopped at step ${t.result.step}/${t.result.totalSteps}`;
  return `held-out exact accuracy: ${(t.heldOutExact * 100).toFixed(1)}%`;
}

/**
 * Writes `<example root>/summary.json`: what the example trained on and with, how long it took and
 * what it scored held out (bench/examples.ts collects these into the learning benchmark's table).
 */
export function writeExampleSummary(folders: ExampleFolders, t: TrainedExample, summary: { example: string; task: string; metrics?: Record<string, number | string | string[]> }): void {
  const record = {
    ...summary,
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}`,
    threads: getNumThreads(),
    trainingSeconds: Math.round(t.seconds),
    steps: t.result.step,
    heldOutExact: t.heldOutExact,
    parameters: t.trainer.model.parameterCount(),
    training: t.training,
  };
  writeFileAtomic(path.join(folders.root, 'summary.json'), JSON.stringify(record, null, 2) + '\n');
}

/** A titled column of text rows. */
export interface Panel {
  title: string;
  rows: string[];
}

/** One puzzle to show: the model's input, the puzzle and its expected answer as panels, and how to print a prediction. */
export interface ShownPuzzle {
  /** the model's input */
  tokens: ArrayLike<number>;
  /** the puzzle's embedding row (ARC tasks), 0 otherwise */
  puzzleIdentifier?: number;
  /** at most this many reasoning steps (default: the model's haltMaxSteps) */
  maxSteps?: number;
  /** the puzzle, and the expected answer, as printed */
  question: Panel;
  answer: Panel;
  /** the model's predicted tokens as rows */
  rows(prediction: Int32Array): string[];
}

/** Solves a puzzle step by step (adaptive halting), prints it beside the model's answer and the expected one, and returns the result. */
export function showSolved(model: Trainer['model'], puzzle: ShownPuzzle): SolveResult {
  // The Trainer holds any model kind; solving step by step is the HRM's.
  if (!(model instanceof HRM)) throw new Error(`showSolved: step-by-step solving takes an HRM, got a ${model.constructor.name}`);
  const r = solveTokens(model, puzzle.tokens, { puzzleIdentifier: puzzle.puzzleIdentifier, maxSteps: puzzle.maxSteps });
  console.log(`\nA held-out puzzle and the model's answer (${r.steps} reasoning step${r.steps > 1 ? 's' : ''}, halting confidence ${r.haltConfidence.toFixed(2)}):\n`);
  console.log(sideBySide([puzzle.question, { title: 'model', rows: puzzle.rows(r.prediction) }, puzzle.answer]));
  return r;
}

/** Prints rows of equal-width strings side by side under titles. */
export function sideBySide(blocks: Panel[]): string {
  const widths = blocks.map((b) => Math.max(b.title.length, ...b.rows.map((r) => r.length)));
  const height = Math.max(...blocks.map((b) => b.rows.length));
  const lines = [blocks.map((b, i) => b.title.padEnd(widths[i])).join('   ')];
  for (let r = 0; r < height; r++) lines.push(blocks.map((b, i) => (b.rows[r] ?? '').padEnd(widths[i])).join('   '));
  return lines.join('\n');
}

/** Runs an example's main, printing any error and setting a failing exit code. */
export function runExample(main: () => Promise<void>): void {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
