/**
 * Process groups over libtorch's c10d (Gloo on the CPU) and the collectives a data-parallel
 * training loop needs.
 * @module
 */
export { initProcessGroup, availableBackends, ProcessGroup, REDUCE_OPS, DEFAULT_TIMEOUT_MS } from './process-group';
export type { Backend, ReduceOp, InitProcessGroupOptions, BackendAvailability } from './process-group';
export { allReduceBucketed, broadcastTensors, allGatherConcat, planBuckets, DEFAULT_BUCKET_BYTES } from './collectives';
export type { BucketOptions } from './collectives';
