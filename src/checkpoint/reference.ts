/**
 * Importing a reference checkpoint: the torch.save state dict HRM's or TRM's training writes
 * (keys `_orig_mod.model.inner.*` from a compiled model, or `model.inner.*` without it; TRM's
 * keys are HRM's without `H_level`, plus `mlp_t` in its MLP-mixer variant).
 * @module
 */
import { loadStateDictPt } from '../tensor/io';
import { Tensor } from '../tensor/tensor';
import { Module } from '../nn/module';
import { checkPath } from '../util/path';

/** A reference key without the compiled-model prefix `_orig_mod.` and the loss head's `model.`. */
export function referenceKey(key: string): string {
  const k = key.startsWith('_orig_mod.') ? key.slice('_orig_mod.'.length) : key;
  return k.startsWith('model.') ? k.slice('model.'.length) : k;
}

/**
 * Loads a reference checkpoint (a torch.save state dict with `_orig_mod.model.inner.` keys, or
 * without `_orig_mod.`) into an HRM or a TRM (whose keys are `inner.*`, the references' names).
 * Strict: missing, unexpected or mis-shaped keys are an error listing them.
 */
export function importReferenceCheckpoint(file: string, model: Module): void {
  checkPath(file, 'importReferenceCheckpoint(): file');
  const sd = loadStateDictPt(file);
  try {
    const mapped = new Map<string, Tensor>();
    for (const [k, t] of sd) mapped.set(referenceKey(k), t);
    model.loadStateDict(mapped);
  } finally {
    for (const t of sd.values()) t.dispose();
  }
}
