/** Tiny built datasets of each task for the page and detection tests (reference format, built by the project's builders). */
import * as path from 'path';
import { buildArcDataset } from '../../src/data/arc';
import { buildMazeDataset } from '../../src/data/maze';
import { writeTask } from '../data/arc/helpers';
import { buildTinySudokuData } from './hrm';

/** A 4x4 Sudoku dataset under `dir`: 6 training groups of 2 puzzles (the source and one augmented version), 3 test puzzles. */
export function tinySudokuDataset(dir: string): string {
  return buildTinySudokuData(dir, { train: 6, test: 3 });
}

/** A 4x4 maze dataset under `dir` (the same metadata as 4x4 Sudoku): 3 training mazes with their 8 dihedral versions, 2 test mazes. */
export function tinyMazeDataset(dir: string): string {
  const out = path.join(dir, 'maze');
  buildMazeDataset({ generate: { train: 3, test: 2, size: 4, minPathLength: 3 }, outputDir: out, aug: true, seed: 1 });
  return out;
}

/** Hand-made ARC tasks: two training tasks and one evaluation task (two test inputs). */
export const TINY_ARC_TASKS = {
  training: {
    flip: { train: [{ input: [[1, 2]], output: [[2, 1]] }, { input: [[3, 0, 4]], output: [[4, 0, 3]] }], test: [{ input: [[5, 6]], output: [[6, 5]] }] },
    fill: { train: [{ input: [[0, 0], [0, 7]], output: [[7, 7], [7, 7]] }], test: [{ input: [[8, 0]], output: [[8, 8]] }] },
  },
  evaluation: {
    grow: {
      train: [{ input: [[1]], output: [[1, 1], [1, 1]] }],
      test: [
        { input: [[2]], output: [[2, 2], [2, 2]] },
        { input: [[3]], output: [[3, 3], [3, 3]] },
      ],
    },
  },
};

/** An ARC dataset under `dir` of {@link TINY_ARC_TASKS}, each with 2 augmented versions. */
export function tinyArcDataset(dir: string): string {
  for (const [subset, tasks] of Object.entries(TINY_ARC_TASKS)) for (const [name, task] of Object.entries(tasks)) writeTask(path.join(dir, 'arc-src', subset), name, task);
  const out = path.join(dir, 'arc');
  buildArcDataset({ datasetDirs: [path.join(dir, 'arc-src')], outputDir: out, numAug: 2, seed: 42 });
  return out;
}
