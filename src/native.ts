/**
 * The only file that touches the native addon. It loads it (node-gyp-build: build/Release or
 * prebuilds/), checks that the libtorch it runs on is the one it was compiled against, and
 * declares the addon's surface with types.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { hrmError } from './util/errors';
import { sameTorchRelease, torchVersionOf } from './util/version';

/** A tensor handle: an opaque number naming a slot of the native handle table. */
export type Handle = number;

/** A value returned by a generic operator call. */
export type NativeValue = Handle | number | boolean | string | undefined | NativeValue[];

/** What the addon reports about itself and the libtorch it runs on. */
export interface BuildInfo {
  /** the libtorch version compiled against */
  torchVersion: string;
  /** whether it was built with the C++11 ABI (null when unknown) */
  cxx11Abi: boolean | null;
  /** whether it was built against a CUDA libtorch */
  builtWithCuda: boolean;
  /** the libtorch folder it was built against */
  libtorchDir?: string;
  /** the N-API version it targets */
  napiVersion: number;
  /** libtorch's `show_config()` at run time */
  runtimeConfig: string;
  /** libtorch's `get_parallel_info()`: threads and backends */
  parallelInfo: string;
  /** whether the loaded libtorch has CUDA support */
  hasCuda: boolean;
  /** the process-group backends compiled into the addon (absent from addons built before them) */
  distributedBackends?: {
    /** Gloo (CPU tensors): built where the gloo headers were found */
    gloo: boolean;
    /** NCCL (CUDA tensors): built in the CUDA build where NCCL's nccl.h was found */
    nccl: boolean;
  };
}

/** The CUDA caching allocator's byte counts for one device (zeros without CUDA). */
export interface CudaMemoryStats {
  /** bytes in live tensors */
  allocated: number;
  /** bytes held by the allocator, in use or cached */
  reserved: number;
  /** the most bytes allocated at once */
  peakAllocated: number;
}

/** The addon's functions: every native entry point with its types. */
export interface NativeBinding {
  fromBuffer(data: ArrayBufferView | ArrayBuffer, dtype: number, shape: number[], device?: string): Handle;
  toBuffer(h: Handle): ArrayBuffer;
  toBufferAsync(h: Handle): Promise<ArrayBuffer>;
  item(h: Handle): number | boolean;
  meta(h: Handle): number[];
  shape(h: Handle): number[];
  strides(h: Handle): number[];
  free(h: Handle): boolean;
  freeMany(hs: Handle[] | Float64Array): number;
  isLive(h: Handle): boolean;
  reportExternal(h: Handle): void;
  setRequiresGrad(h: Handle, flag: boolean): void;
  requiresGrad(h: Handle): boolean;
  isLeaf(h: Handle): boolean;
  grad(h: Handle): Handle | undefined;
  setGrad(h: Handle, g?: Handle): void;
  retainGrad(h: Handle): void;
  backward(h: Handle, grad?: Handle, retainGraph?: boolean, createGraph?: boolean): void;
  autogradGrad(outputs: Handle[], inputs: Handle[], gradOutputs?: Handle[], retainGraph?: boolean, createGraph?: boolean): (Handle | undefined)[];
  graphSize(h: Handle): number;
  hostMemory(): number | undefined;
  isGradEnabled(): boolean;
  setGradEnabled(enabled: boolean): void;
  inferenceModeEnter(): number;
  inferenceModeExit(): void;
  isInferenceMode(): boolean;
  manualSeed(seed: number | bigint): void;
  generatorNew(seed: number | bigint, device?: string): number;
  generatorSetSeed(id: number, seed: number | bigint): void;
  generatorGetState(id: number): Handle;
  generatorSetState(id: number, state: Handle): void;
  generatorFree(id: number): void;
  getNumThreads(): number;
  setNumThreads(n: number): void;
  getNumInteropThreads(): number;
  setNumInteropThreads(n: number): void;
  cudaIsAvailable(): boolean;
  cudaDeviceCount(): number;
  cudaSynchronize(device?: number): void;
  cudaMemory(device?: number): CudaMemoryStats;
  cudaEmptyCache(): void;
  liveTensors(): { live: number; peak: number; reportedBytes?: number };
  resetPeak(): void;
  buildInfo(): BuildInfo;
  resolveOp(name: string, overload: string): number;
  opSchema(id: number): string;
  call(id: number, ...args: unknown[]): NativeValue;
  callVoid(id: number, ...args: unknown[]): void;
}

/**
 * The addon's process-group functions (native/distributed.cpp), present only where it was built
 * with the headers of a backend (gloo's, or NCCL's in the CUDA build). Stores and groups are opaque ids; every call that talks to other ranks
 * returns a promise that settles when c10d's Work is done, fails, or runs past the timeout.
 */
export interface DistributedBinding {
  distStoreCreate(host: string, port: number, worldSize: number, isMaster: boolean, timeoutMs: number): Promise<number>;
  distStoreDestroy(store: number): boolean;
  distGroupCreate(store: number, prefix: string, rank: number, size: number, timeoutMs: number, deviceKind: 'hostname' | 'interface' | 'default', deviceValue?: string, backend?: 'gloo' | 'nccl', cudaDevice?: number): Promise<number>;
  distGroupDestroy(group: number): Promise<boolean>;
  distAllReduce(group: number, tensors: Handle[], op: string, timeoutMs?: number): Promise<void>;
  distBroadcast(group: number, tensors: Handle[], root: number, timeoutMs?: number): Promise<void>;
  distAllGather(group: number, tensor: Handle, timeoutMs?: number): Promise<Handle[]>;
  distBarrier(group: number, timeoutMs?: number): Promise<void>;
}

/**
 * The process-group functions of the loaded addon, or undefined when it was built without them
 * (no backend's headers at build time).
 */
export function distributedBinding(): DistributedBinding | undefined {
  const n = native() as unknown as Partial<DistributedBinding>;
  return typeof n.distAllReduce === 'function' ? (n as DistributedBinding) : undefined;
}

/**
 * What the addon was built against (written by CMake and scripts/build-native.js). Paths inside
 * the package are stored relative to the record's folder, so a moved project keeps a true record;
 * {@link buildRecord} returns them absolute.
 */
export interface BuildRecord {
  /** the libtorch version compiled against */
  torchVersion?: string;
  /** the folder holding libtorch.so */
  libtorchDir?: string;
  /** the addon's RUNPATH: `$ORIGIN/...` when libtorch is inside the package, else absolute */
  runpath?: string;
  /** how the libtorch was found (LIBTORCH, a Python, the virtual environment, provisioned) */
  source?: string;
  /** the Python with that torch, used by the tests for reference values */
  python?: string;
  /** every step of the libtorch search at build time */
  trace?: string[];
  /** the torch version as the search reported it (e.g. 2.13.0+cpu) */
  version?: string;
  /** the torch installation's root folder */
  root?: string;
}

/** The fields of a build record that hold paths. */
const RECORD_PATHS = ['libtorchDir', 'python', 'root', 'torchDir', 'cmakePrefix', 'libDir'] as const;

/** The folder of this package (the one holding package.json and CMakeLists.txt). */
export const packageRoot = findPackageRoot();

function findPackageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'CMakeLists.txt'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..');
}

/** Where the addon file is, or undefined when none is built. */
export function addonPath(): string | undefined {
  const override = process.env.HRM_TORCH_ADDON;
  if (override) return override;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    return gypBuild.resolve(packageRoot);
  } catch {
    return undefined;
  }
}

/** The build records next to the addon (empty when absent), their paths made absolute. */
export function buildRecord(): BuildRecord {
  const p = addonPath();
  if (!p) return {};
  const dir = path.dirname(p);
  const out: Record<string, unknown> = {};
  for (const f of ['hrm_torch.json', 'hrm_torch.build.json']) {
    const file = path.join(dir, f);
    if (fs.existsSync(file)) {
      try {
        const rec = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
        for (const k of RECORD_PATHS) if (typeof rec[k] === 'string') rec[k] = path.resolve(dir, rec[k] as string);
        Object.assign(out, rec);
      } catch {
        // a damaged record only loses diagnostics
      }
    }
  }
  return out as BuildRecord;
}

function loadBinding(): NativeBinding {
  const p = addonPath();
  const rebuild = 'Build it with `npm run build:native` (or reinstall hrm-torch); `npx hrm doctor` shows what was found.';
  const override = process.env.HRM_TORCH_ADDON;
  if (override && !fs.existsSync(override)) {
    throw hrmError('ADDON_UNAVAILABLE', `hrm-torch: HRM_TORCH_ADDON is set to ${override}, which does not exist. Unset it to use the built addon, or point it to a hrm_torch.node file.`);
  }
  if (!p || !fs.existsSync(p)) {
    throw hrmError('ADDON_UNAVAILABLE', `hrm-torch: the native addon is not built (looked in ${path.join(packageRoot, 'build', 'Release')} and prebuilds/). ${rebuild}`);
  }
  const record = buildRecord();
  if (record.libtorchDir && !fs.existsSync(record.libtorchDir)) {
    throw hrmError(
      'ADDON_UNAVAILABLE',
      `hrm-torch: the addon was built against libtorch in ${record.libtorchDir}, which no longer exists. ${rebuild}`,
    );
  }
  let binding: NativeBinding;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    binding = require(p) as NativeBinding;
  } catch (e) {
    const msg = (e as Error).message;
    let hint = rebuild;
    if (/undefined symbol|CXXABI_|GLIBCXX_/.test(msg)) {
      hint = `The libtorch found at load time is not the one the addon was compiled against (C++ ABI or version mismatch). ${rebuild}`;
    } else if (/cannot open shared object file/.test(msg)) {
      hint = `A libtorch library could not be found (expected in ${record.libtorchDir ?? 'the folder recorded at build time'}). ${rebuild}`;
    }
    throw hrmError('ADDON_UNAVAILABLE', `hrm-torch: loading the native addon ${p} failed: ${msg}\n${hint}`);
  }
  const info = binding.buildInfo();
  const runtime = torchVersionOf(info.runtimeConfig);
  const compiled = info.torchVersion;
  if (runtime && !process.env.HRM_TORCH_SKIP_VERSION_CHECK && !sameTorchRelease(runtime, compiled)) {
    throw hrmError(
      'ADDON_UNAVAILABLE',
      `hrm-torch: the addon was compiled against libtorch ${compiled} but libtorch ${runtime} was loaded. ${rebuild} ` +
        '(HRM_TORCH_SKIP_VERSION_CHECK=1 skips this check at your own risk.)',
    );
  }
  return binding;
}

/**
 * The folder the running process loaded libtorch from (Linux: read from /proc/self/maps), or
 * undefined where that cannot be told or the addon is not loaded yet.
 */
export function loadedLibtorchDir(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const maps = fs.readFileSync('/proc/self/maps', 'utf8');
    const m = /\s(\/\S*)\/libtorch_cpu\.so\s*$/m.exec(maps);
    return m ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

let cached: NativeBinding | undefined;

/**
 * The loaded addon. It is loaded on the first call, never on import, so pure-JS work (datasets,
 * CSV and .npy files) and `hrm doctor` run where the addon is missing or broken.
 * @throws an `ADDON_UNAVAILABLE` error saying what is missing and how to build it
 */
export function native(): NativeBinding {
  if (!cached) cached = loadBinding();
  return cached;
}

// Every function of NativeBinding, so that `addon` can stand in for each before the load.
const NATIVE_FUNCTIONS = [
  'fromBuffer', 'toBuffer', 'toBufferAsync', 'item', 'meta', 'shape', 'strides', 'free', 'freeMany', 'isLive',
  'reportExternal', 'setRequiresGrad', 'requiresGrad', 'isLeaf', 'grad', 'setGrad', 'retainGrad', 'backward',
  'autogradGrad', 'graphSize', 'hostMemory', 'isGradEnabled', 'setGradEnabled', 'inferenceModeEnter',
  'inferenceModeExit', 'isInferenceMode', 'manualSeed', 'generatorNew', 'generatorSetSeed', 'generatorGetState',
  'generatorSetState', 'generatorFree', 'getNumThreads', 'setNumThreads', 'getNumInteropThreads',
  'setNumInteropThreads', 'cudaIsAvailable', 'cudaDeviceCount', 'cudaSynchronize', 'cudaMemory', 'cudaEmptyCache',
  'liveTensors', 'resetPeak', 'buildInfo', 'resolveOp', 'opSchema', 'call', 'callVoid',
] as const satisfies readonly (keyof NativeBinding)[];
// A compile error here means NATIVE_FUNCTIONS misses a function of NativeBinding.
const everyFunctionListed: Exclude<keyof NativeBinding, (typeof NATIVE_FUNCTIONS)[number]> extends never ? true : never = true;
void everyFunctionListed;

/**
 * The addon's functions, for the modules that call it on every operation. Until the first call
 * each entry is a stand-in that loads the addon and then puts the real functions in its place,
 * so after that a call costs what a call on the addon object itself costs.
 */
export const addon: NativeBinding = lazyBinding();

function lazyBinding(): NativeBinding {
  const table: Record<string, unknown> = {};
  for (const name of NATIVE_FUNCTIONS) {
    table[name] = (...args: unknown[]) => {
      const real = native() as unknown as Record<string, unknown>;
      for (const n of NATIVE_FUNCTIONS) table[n] = real[n];
      return (real[name] as (...a: unknown[]) => unknown)(...args);
    };
  }
  return table as unknown as NativeBinding;
}
