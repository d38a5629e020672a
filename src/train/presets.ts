/**
 * Training presets: the reference's full configurations (hrm-spec 5; for a CUDA GPU), and small
 * CPU presets that train in minutes on a laptop (the examples' recipes: `hrm train --preset cpu`
 * and `npm run example:*` train the same way).
 * @module
 */
import { TrainOptions } from './trainer';

/** The tasks `hrm train --task` knows. */
export type Task = 'sudoku' | 'maze' | 'arc' | 'custom';
/** Training options of a preset: everything but the output folder; the data folder optional. */
export type PresetOptions = Omit<TrainOptions, 'dataPath' | 'outputDir'> & {
  /** the dataset root the preset was made for (a command line's --data comes first) */
  dataPath?: string;
};

const reference = {
  arch: { hiddenSize: 512, numHeads: 8, expansion: 4, hLayers: 4, lLayers: 4, hCycles: 2, lCycles: 2, haltMaxSteps: 16, haltExplorationProb: 0.1, puzzleEmbNdim: 512, posEncodings: 'rope', lossType: 'stablemax_cross_entropy', forwardDtype: 'bfloat16' },
  globalBatchSize: 768,
  lrMinRatio: 1,
  lrWarmupSteps: 2000,
  beta1: 0.9,
  beta2: 0.95,
  seed: 0,
  device: 'cuda',
} as const;

/** Per task: 'full', the reference's configuration (a CUDA GPU), and 'cpu', a small model that trains in minutes. */
export const PRESETS: Record<Task, Record<'full' | 'cpu', PresetOptions>> = {
  sudoku: {
    // Sudoku-Extreme 1k x 1000 aug: 20000 epochs, eval every 2000, lr 1e-4, weight decay 1.0.
    full: { ...reference, arch: { ...reference.arch }, dataPath: 'data/sudoku-extreme-1k-aug-1000', epochs: 20000, evalInterval: 2000, lr: 1e-4, puzzleEmbLr: 1e-4, weightDecay: 1.0, puzzleEmbWeightDecay: 1.0 },
    // examples/sudoku/main.ts's recipe: 20,000 generated 6x6 puzzles with 18 givens learn in
    // about 2,500 steps (BENCHMARKS.md, "Learning: the examples").
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0, forwardDtype: 'float32' },
      globalBatchSize: 64, epochs: 8, evalInterval: 2, lr: 2e-3, lrMinRatio: 0.1, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0,
    },
  },
  maze: {
    full: { ...reference, arch: { ...reference.arch }, dataPath: 'data/maze-30x30-hard-1k', epochs: 20000, evalInterval: 2000, lr: 1e-4, puzzleEmbLr: 1e-4, weightDecay: 1.0, puzzleEmbWeightDecay: 1.0 },
    // examples/maze/main.ts's recipe: 40,000 generated 6x6 mazes, 4 passes = 2,500 steps (BENCHMARKS.md, "Learning: the examples").
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0, forwardDtype: 'float32' },
      globalBatchSize: 64, epochs: 4, evalInterval: 1, lr: 2e-3, lrMinRatio: 0.1, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0,
    },
  },
  arc: {
    // ARC-1 x 1000 aug: 100000 epochs, eval every 10000, puzzle embedding lr 1e-2.
    full: { ...reference, arch: { ...reference.arch }, dataPath: 'data/arc-aug-1000', epochs: 100000, evalInterval: 10000, lr: 1e-4, puzzleEmbLr: 1e-2, weightDecay: 0.1, puzzleEmbWeightDecay: 0.1 },
    // examples/arc/main.ts's recipe, for `hrm data arc --canvas 10 --num-aug 2` of ARC-AGI-1 (the
    // 178 training and 77 evaluation tasks that fit; 66 passes = about 2,000 steps): few versions
    // per task and a high puzzle-embedding learning rate (BENCHMARKS.md, "Learning: ARC").
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 1, puzzleEmbNdim: 64, forwardDtype: 'float32' },
      globalBatchSize: 32, epochs: 66, lr: 3e-3, lrWarmupSteps: 50, lrMinRatio: 0.1, weightDecay: 0.1, puzzleEmbLr: 0.1, seed: 0, evalMaxExamples: 64,
    },
  },
  custom: {
    // A dataset of `hrm data custom` on a GPU: the reference's model and optimiser, as for Sudoku.
    full: { ...reference, arch: { ...reference.arch }, epochs: 20000, evalInterval: 2000, lr: 1e-4, puzzleEmbLr: 1e-4, weightDecay: 1.0, puzzleEmbWeightDecay: 1.0 },
    // examples/custom/main.ts's recipe (sorting 8 digits, 12,000 rows with one shuffled version
    // each; 4 passes = 750 steps): the Sudoku and maze model, evaluated every other pass.
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0, forwardDtype: 'float32' },
      globalBatchSize: 64, epochs: 4, evalInterval: 2, lr: 2e-3, lrMinRatio: 0.1, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0,
    },
  },
};

