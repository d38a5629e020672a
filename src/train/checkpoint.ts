/**
 * Checkpoints: model, optimizer states, step, RNG state and JSON metadata in one safetensors
 * file, written atomically (temporary file + rename: a crash never leaves a half-written
 * checkpoint under the real name). Also: importing a reference PyTorch checkpoint.
 * @module
 */
import { getRngState, setRngState } from '../tensor/creation';
import { invalidArgument } from '../tensor/dtype';
import { loadSafetensors, loadStateDictPt, saveSafetensors } from '../tensor/io';
import { Tensor } from '../tensor/tensor';
import { Module } from '../nn/module';
import { Optimizer, OptimizerState } from '../optim/optimizer';

export const CHECKPOINT_FORMAT = 'hrm-torch-checkpoint';
export const CHECKPOINT_VERSION = '1';

export interface CheckpointInfo {
  step: number;
  /** JSON metadata stored with the checkpoint (the config, the data order state, ...) */
  extra: Record<string, unknown>;
}

/** Saves model + optimizers + step + CPU RNG state (+ extra JSON) to `file`, atomically. */
export function saveCheckpoint(
  file: string,
  parts: { model: Module; optimizers?: Record<string, Optimizer>; step: number; extra?: Record<string, unknown>; tensors?: Record<string, Tensor> },
): void {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of parts.model.stateDict()) tensors[`model.${k}`] = t;
  const optimMeta: Record<string, OptimizerState['meta']> = {};
  for (const [name, opt] of Object.entries(parts.optimizers ?? {})) {
    const st = opt.stateDict();
    optimMeta[name] = st.meta;
    for (const [k, t] of Object.entries(st.tensors)) tensors[`optim.${name}.${k}`] = t;
  }
  for (const [k, t] of Object.entries(parts.tensors ?? {})) tensors[`extra.${k}`] = t;
  const rng = getRngState();
  tensors['rng.cpu'] = rng;
  try {
    saveSafetensors(file, tensors, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      step: String(parts.step),
      optimizers: JSON.stringify(optimMeta),
      extra: JSON.stringify(parts.extra ?? {}),
    });
  } finally {
    rng.dispose();
  }
}

/**
 * Restores a checkpoint into a model and optimizers (strict: every model key must match) and,
 * unless `restoreRng` is false, the CPU RNG state. Returns the step and the extra metadata; extra
 * tensors saved with the checkpoint are returned too (the caller owns them).
 */
export function loadCheckpoint(
  file: string,
  parts: { model: Module; optimizers?: Record<string, Optimizer>; restoreRng?: boolean },
): CheckpointInfo & { tensors: Record<string, Tensor> } {
  const { tensors, metadata } = loadSafetensors(file);
  const extraTensors: Record<string, Tensor> = {};
  try {
    if (metadata.format !== CHECKPOINT_FORMAT) {
      throw Object.assign(new Error(`${file} is not an hrm-torch checkpoint (format '${metadata.format ?? 'none'}')`), { code: 'CORRUPT_FILE' });
    }
    const model = new Map<string, Tensor>();
    const optim: Record<string, Record<string, Tensor>> = {};
    for (const [k, t] of Object.entries(tensors)) {
      if (k.startsWith('model.')) model.set(k.slice(6), t);
      else if (k.startsWith('optim.')) {
        const rest = k.slice(6);
        const name = rest.slice(0, rest.indexOf('.'));
        (optim[name] ??= {})[rest.slice(name.length + 1)] = t;
      } else if (k.startsWith('extra.')) extraTensors[k.slice(6)] = t;
    }
    parts.model.loadStateDict(model);
    const metas = JSON.parse(metadata.optimizers ?? '{}') as Record<string, OptimizerState['meta']>;
    for (const [name, opt] of Object.entries(parts.optimizers ?? {})) {
      if (!metas[name]) throw invalidArgument(`checkpoint ${file} has no state for optimizer '${name}'`);
      opt.loadStateDict({ tensors: optim[name] ?? {}, meta: metas[name] });
    }
    if (parts.restoreRng !== false && tensors['rng.cpu']) setRngState(tensors['rng.cpu']);
    return { step: Number(metadata.step ?? 0), extra: JSON.parse(metadata.extra ?? '{}'), tensors: extraTensors };
  } finally {
    for (const [k, t] of Object.entries(tensors)) if (!k.startsWith('extra.')) t.dispose();
  }
}

/**
 * Loads a reference HRM checkpoint (a torch.save state dict with `_orig_mod.model.inner.` keys,
 * or without `_orig_mod.`) into an HRM (whose keys are `inner.*`). Strict: missing, unexpected
 * or mis-shaped keys are an error listing them.
 */
export function importReferenceCheckpoint(file: string, model: Module): void {
  const sd = loadStateDictPt(file);
  const mapped = new Map<string, Tensor>();
  try {
    for (const [k, t] of sd) {
      let key = k.startsWith('_orig_mod.') ? k.slice('_orig_mod.'.length) : k;
      if (key.startsWith('model.')) key = key.slice('model.'.length);
      mapped.set(key, t);
    }
    model.loadStateDict(mapped);
  } finally {
    for (const t of sd.values()) t.dispose();
  }
}
