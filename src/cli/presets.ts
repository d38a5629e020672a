/**
 * Training presets: the reference's full configurations (hrm-spec 5; for a CUDA GPU), and small
 * CPU presets that train in minutes on a laptop.
 * @module
 */
import { TrainOptions } from '../train/trainer';

/** The tasks `hrm train --task` knows. */
export type Task = 'sudoku' | 'maze' | 'arc';
/** Training options of a preset: everything but the output folder; the data folder optional. */
export type PresetOptions = Omit<TrainOptions, 'dataPath' | 'outputDir'> & { dataPath?: string };

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
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0, forwardDtype: 'float32' },
      globalBatchSize: 64, epochs: 30, evalInterval: 10, lr: 2e-3, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0,
    },
  },
  maze: {
    full: { ...reference, arch: { ...reference.arch }, dataPath: 'data/maze-30x30-hard-1k', epochs: 20000, evalInterval: 2000, lr: 1e-4, puzzleEmbLr: 1e-4, weightDecay: 1.0, puzzleEmbWeightDecay: 1.0 },
    cpu: {
      arch: { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0, forwardDtype: 'float32' },
      globalBatchSize: 32, epochs: 20, evalInterval: 10, lr: 2e-3, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0,
    },
  },
  arc: {
    // ARC-1 x 1000 aug: 100000 epochs, eval every 10000, puzzle embedding lr 1e-2.
    full: { ...reference, arch: { ...reference.arch }, dataPath: 'data/arc-aug-1000', epochs: 100000, evalInterval: 10000, lr: 1e-4, puzzleEmbLr: 1e-2, weightDecay: 0.1, puzzleEmbWeightDecay: 0.1 },
    cpu: {
      arch: { hiddenSize: 128, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 128, forwardDtype: 'float32' },
      globalBatchSize: 16, epochs: 2, evalInterval: 1, lr: 1e-3, lrWarmupSteps: 50, weightDecay: 0.1, puzzleEmbLr: 1e-2, seed: 0, evalMaxExamples: 512,
    },
  },
};

// The reference's cfg_pretrain.yaml keys -> ours.
const SNAKE: Record<string, string> = {
  data_path: 'dataPath', global_batch_size: 'globalBatchSize', eval_interval: 'evalInterval', lr_min_ratio: 'lrMinRatio',
  lr_warmup_steps: 'lrWarmupSteps', weight_decay: 'weightDecay', puzzle_emb_lr: 'puzzleEmbLr', puzzle_emb_weight_decay: 'puzzleEmbWeightDecay',
  checkpoint_path: 'outputDir', eval_max_examples: 'evalMaxExamples',
};
const IGNORED = new Set(['project_name', 'run_name', 'checkpoint_every_eval', 'eval_save_outputs', 'defaults', 'hydra']);

/** Merges a config object (camelCase or the reference's snake_case) into training options. */
export function mergeTrainConfig(base: PresetOptions, extra: Record<string, unknown>): PresetOptions {
  const out: Record<string, unknown> = { ...base, arch: { ...(base.arch ?? {}) } };
  for (const [k, v] of Object.entries(extra)) {
    if (IGNORED.has(k)) continue;
    if (k === 'arch' && v && typeof v === 'object') {
      const arch = { ...(v as Record<string, unknown>) };
      delete arch.name;
      delete arch.loss;
      Object.assign(out.arch as object, arch);
    } else out[SNAKE[k] ?? k] = v;
  }
  return out as PresetOptions;
}

/** Applies `key=value` overrides (dotted keys for arch: arch.hiddenSize=128); values parse as JSON when they can. */
export function applyOverrides(base: PresetOptions, overrides: [string, string][]): PresetOptions {
  const out = mergeTrainConfig(base, {});
  for (const [key, raw] of overrides) {
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    if (key.startsWith('arch.')) (out.arch as Record<string, unknown>)[key.slice(5)] = value;
    else (out as Record<string, unknown>)[SNAKE[key] ?? key] = value;
  }
  return out;
}
