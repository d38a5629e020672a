/**
 * Runtime queries and settings: threads, CUDA, build information.
 * @module
 */
import { native, BuildInfo, CudaMemoryStats } from './native';
import { checkFunction, hasErrorCode } from './util/errors';

/** libtorch's intra-op thread count. */
export function getNumThreads(): number {
  return native().getNumThreads();
}
/** Sets libtorch's intra-op thread count (n >= 1). */
export function setNumThreads(n: number): void {
  native().setNumThreads(n);
}
/** libtorch's inter-op thread count. */
export function getNumInteropThreads(): number {
  return native().getNumInteropThreads();
}
/** Sets the inter-op thread count; only before any inter-op parallel work has started (libtorch's rule). */
export function setNumInteropThreads(n: number): void {
  native().setNumInteropThreads(n);
}

/** CUDA queries and allocator controls (all safe to call without CUDA). */
export const cuda = {
  /** Whether this build has CUDA and a device is present. */
  isAvailable(): boolean {
    return native().cudaIsAvailable();
  },
  /** How many CUDA devices are visible (0 without CUDA). */
  deviceCount(): number {
    return native().cudaDeviceCount();
  },
  /** Waits for all queued work on a device (the current one by default). */
  synchronize(device?: number): void {
    native().cudaSynchronize(device);
  },
  /** The caching allocator's bytes: allocated, reserved and peak allocated. */
  memory(device?: number): CudaMemoryStats {
    return native().cudaMemory(device);
  },
  /** Returns unused cached blocks to the driver. */
  emptyCache(): void {
    native().cudaEmptyCache();
  },
};

/** What the addon was compiled against and runs on. */
export function buildInfo(): BuildInfo {
  return native().buildInfo();
}

/**
 * Runs fn; if it fails with an out-of-memory error, frees what the garbage collector can find
 * (when Node runs with --expose-gc), empties the CUDA cache and tries once more.
 */
export function withOomRetry<T>(fn: () => T): T {
  checkFunction(fn, 'withOomRetry(): fn');
  try {
    return fn();
  } catch (e) {
    if (!hasErrorCode(e, 'OUT_OF_MEMORY')) throw e;
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) gc();
    native().cudaEmptyCache();
    return fn();
  }
}
