/**
 * Checkpoints: a module's state, optimizer states, the step, the CPU RNG state, extra tensors and
 * JSON metadata in one safetensors file, written atomically (temporary file + rename: a crash
 * never leaves a half-written checkpoint under the real name), and restored from it.
 *
 * Layout: tensors `model.<key>`, `optim.<name>.<key>`, `extra.<key>` and `rng.cpu`; metadata
 * `format`, `version`, `step`, `optimizers` (JSON) and `extra` (JSON).
 * @module
 */
import { getRngState, setRngState } from '../tensor/creation';
import { loadSafetensors, readSafetensorsMetadata, saveSafetensors } from '../tensor/io';
import { Tensor } from '../tensor/tensor';
import { Module } from '../nn/module';
import { Optimizer, OptimizerState } from '../optim/optimizer';
import { checkObject, corruptFile, describeValue, invalidArgument } from '../util/errors';
import { checkPath } from '../util/path';

/** The `format` metadata value that marks an hrm-torch checkpoint. */
export const CHECKPOINT_FORMAT = 'hrm-torch-checkpoint';
/** The version of the checkpoint layout. */
export const CHECKPOINT_VERSION = '1';

/** What a checkpoint says about itself, besides its tensors. */
export interface CheckpointInfo {
  /** the step it was saved at */
  step: number;
  /** JSON metadata stored with the checkpoint (the config, the data order state, ...) */
  extra: Record<string, unknown>;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint extends CheckpointInfo {
  /** the extra tensors saved with the checkpoint (the caller owns them) */
  tensors: Record<string, Tensor>;
}

/** What {@link saveCheckpoint} writes. */
export interface CheckpointContents {
  /** the module whose state dict is saved */
  model: Module;
  /** optimizers by name (their names are the keys they are restored under) */
  optimizers?: Record<string, Optimizer>;
  /** the step to record */
  step: number;
  /** JSON-serialisable metadata */
  extra?: Record<string, unknown>;
  /** further tensors to save (returned by {@link loadCheckpoint}) */
  tensors?: Record<string, Tensor>;
}

/** Saves model + optimizers + step + CPU RNG state (+ extra JSON and tensors) to `file`, atomically. */
export function saveCheckpoint(file: string, parts: CheckpointContents): void {
  checkPath(file, 'saveCheckpoint(): file');
  checkObject(parts, 'saveCheckpoint(): contents', 'checkpoint contents {model, step, ...}');
  if (!(parts.model instanceof Module)) throw invalidArgument(`saveCheckpoint(): contents.model must be a Module, got ${describeValue(parts.model)}`);
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

/** The step and extra metadata of a checkpoint, read from its header only (no tensors loaded). */
export function readCheckpointInfo(file: string): CheckpointInfo {
  checkPath(file, 'readCheckpointInfo(): file');
  return infoOf(file, readSafetensorsMetadata(file));
}

function infoOf(file: string, metadata: Record<string, string>): CheckpointInfo {
  if (metadata.format !== CHECKPOINT_FORMAT) throw corruptFile(file, `not an hrm-torch checkpoint (format '${metadata.format ?? 'none'}')`);
  const step = Number(metadata.step ?? 0);
  if (!Number.isInteger(step) || step < 0) throw corruptFile(file, `its 'step' metadata is ${JSON.stringify(metadata.step)}, not a step number`);
  const extra = jsonMetadata(file, metadata, 'extra');
  return { step, extra };
}

/** A JSON object stored in the checkpoint's metadata under `key` ({} when absent); a `CORRUPT_FILE` error naming the file and key otherwise. */
function jsonMetadata(file: string, metadata: Record<string, string>, key: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(metadata[key] ?? '{}');
  } catch (e) {
    throw corruptFile(file, `its '${key}' metadata is not valid JSON (${(e as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw corruptFile(file, `its '${key}' metadata is not a JSON object`);
  return v as Record<string, unknown>;
}

/**
 * Restores a checkpoint into a model and optimizers (strict: every model key must match) and,
 * unless `restoreRng` is false, the CPU RNG state. Returns the step and the extra metadata; extra
 * tensors saved with the checkpoint are returned too (the caller owns them).
 */
export function loadCheckpoint(
  file: string,
  parts: { model: Module; optimizers?: Record<string, Optimizer>; restoreRng?: boolean },
): LoadedCheckpoint {
  checkPath(file, 'loadCheckpoint(): file');
  const { tensors, metadata } = loadSafetensors(file);
  const extraTensors: Record<string, Tensor> = {};
  try {
    const info = infoOf(file, metadata);
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
    const metas = jsonMetadata(file, metadata, 'optimizers') as Record<string, OptimizerState['meta']>;
    for (const [name, opt] of Object.entries(parts.optimizers ?? {})) {
      if (!metas[name]) throw invalidArgument(`checkpoint ${file} has no state for optimizer '${name}'`);
      opt.loadStateDict({ tensors: optim[name] ?? {}, meta: metas[name] });
    }
    if (parts.restoreRng !== false && tensors['rng.cpu']) setRngState(tensors['rng.cpu']);
    return { ...info, tensors: extraTensors };
  } finally {
    for (const [k, t] of Object.entries(tensors)) if (!k.startsWith('extra.')) t.dispose();
  }
}
