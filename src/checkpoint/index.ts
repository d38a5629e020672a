/**
 * State files: checkpoints of modules and optimizers (safetensors, atomic) and the import of
 * reference PyTorch checkpoints.
 * @module
 */
export * from './state-file';
export * from './reference';
