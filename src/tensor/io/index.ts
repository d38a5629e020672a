/**
 * Reading and writing tensors: safetensors (files Python's `safetensors` reads and writes) and
 * PyTorch's torch.save zip archives (state dicts). Writes are atomic: a temporary file in the same
 * folder is renamed over the target, so a crash never leaves a half-written file behind.
 * @module
 */
export { AtomicFile, writeFileAtomic } from '../../util/atomic';
export { corruptFile } from '../../util/errors';
export { decodeSafetensors, encodeSafetensors, loadSafetensors, readSafetensorsMetadata, saveSafetensors } from './safetensors';
export type { SafetensorsFile } from './safetensors';
export { loadPt, loadStateDictPt, savePt } from './torch-save';
export type { PtObject, PtValue } from './torch-save';
