/** Helpers for the `hrm` command-line tests: the built CLI run in a child process, scratch folders, a tiny trained run. */
import { SpawnSyncReturns, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from '../helpers/reference';

/** The built CLI entry point (dist/, as a user runs it). */
export const hrm = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'hrm.js');

/** Runs `hrm ...args` to completion and returns its exit status and output. */
export const run = (...args: string[]): SpawnSyncReturns<string> => spawnSync(process.execPath, [hrm, ...args], { encoding: 'utf8' });

/** A scratch folder made before the file's tests and removed after them; call at the top of a test file. */
export function scratchFolder(prefix = 'cli-'): () => string {
  let dir = '';
  beforeAll(() => {
    dir = tmpDir(prefix);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}

/** The smallest model settings the CLI trains in a second: one H and one L layer of width 16. */
export const TINY_ARCH = ['arch.hiddenSize=16', 'arch.numHeads=2', 'arch.hLayers=1', 'arch.lLayers=1'];

/** Overrides of the tiny sudoku run: 96 puzzles, batch 16, two epochs = 12 steps, evaluated each epoch. */
export const TINY_SUDOKU_RUN = [...TINY_ARCH, 'arch.haltMaxSteps=2', 'globalBatchSize=16', 'epochs=2', 'evalInterval=1'];

/** The arguments of `hrm data sudoku` for generated 4x4 puzzles. */
export function sudokuDataArgs(output: string, train = 96, test = 16): string[] {
  return ['data', 'sudoku', '--generate', String(train), '--generate-test', String(test), '--size', '4', '--output-dir', output];
}

/** The arguments of `hrm train` for the tiny sudoku run. */
export function tinyTrainArgs(data: string, output: string): string[] {
  return ['train', '--task', 'sudoku', '--data', data, '--output', output, '--threads', '1', ...TINY_SUDOKU_RUN];
}

/** A tiny sudoku run built under `dir`: its data, run folder, last checkpoint and the train command's result. */
export interface TinySudokuRun {
  data: string;
  out: string;
  checkpoint: string;
  train: SpawnSyncReturns<string>;
}

/** Builds generated 4x4 sudoku data and trains the tiny run on it (12 steps), afresh each call; throws naming the step that failed. */
export function trainTinySudoku(dir: string): TinySudokuRun {
  const data = path.join(dir, 'data');
  const built = run(...sudokuDataArgs(data), '--overwrite');
  if (built.status !== 0) throw new Error(`hrm data sudoku failed (${built.status}): ${built.stderr}`);
  const out = path.join(dir, 'run');
  fs.rmSync(out, { recursive: true, force: true }); // a run folder that holds a run is refused without --resume
  const train = run(...tinyTrainArgs(data, out));
  if (train.status !== 0) throw new Error(`hrm train failed (${train.status}): ${train.stderr}`);
  return { data, out, checkpoint: path.join(out, 'checkpoints', 'step_00000012.safetensors'), train };
}

/** Builds an ARC dataset under `dir` from the first 3 training and evaluation tasks of ARC-AGI-1 (2 augmentations); `extra` options go to `hrm data arc`. */
export function buildTinyArcData(dir: string, ...extra: string[]): { data: string; build: SpawnSyncReturns<string> } {
  const src = path.join(dir, 'arc-src');
  const arc = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'arc', 'arc-agi-1');
  for (const sub of ['training', 'evaluation']) {
    fs.mkdirSync(path.join(src, sub), { recursive: true });
    for (const f of fs.readdirSync(path.join(arc, sub)).sort().slice(0, 3)) fs.copyFileSync(path.join(arc, sub, f), path.join(src, sub, f));
  }
  const data = path.join(dir, 'arc-data');
  return { data, build: run('data', 'arc', '--dataset-dirs', src, '--num-aug', '2', '--output-dir', data, ...extra) };
}
