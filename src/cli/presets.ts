/**
 * `hrm train`'s configuration: a preset (src/train/presets.ts), then a config file (camelCase or
 * the reference's snake_case keys), then `key=value` overrides.
 * @module
 */
import { PresetOptions } from '../train/presets';

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
