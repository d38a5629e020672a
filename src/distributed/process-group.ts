/**
 * Process groups over libtorch's own c10d, the layer torch.distributed uses: a TCPStore
 * rendezvous at the master's address and a Gloo (CPU tensors) or NCCL (CUDA tensors, in the CUDA
 * build) process group, so hrm-torch ranks talk the same protocol torch.distributed does.
 *
 * ```ts
 * const pg = await initProcessGroup({ backend: 'gloo' }); // reads torchrun's environment
 * await pg.allReduce([grad]);                             // in place, summed over the ranks
 * await pg.destroy();
 * ```
 *
 * An NCCL group runs on the CUDA device `cuda:LOCAL_RANK` ({@link ProcessGroup.device}); where
 * Gloo is compiled in too, it also takes CPU tensors (through Gloo), as torch.distributed's
 * "cpu:gloo,cuda:nccl" does.
 *
 * Collectives are called in the same order on every rank (c10d's rule). Each one is handed to
 * c10d when it is called and returns a promise that settles when it is done on this rank; the
 * tensors it reads or writes must not be changed or disposed before then. A peer that exits, or
 * does not answer within the timeout, rejects the promise with a `DISTRIBUTED_ERROR`, and the
 * group refuses every later call: destroy it and start again.
 * @module
 */
import { DistributedBinding, addon, distributedBinding, native } from '../native';
import { Tensor, handleOf, wrapHandle } from '../tensor/tensor';
import { Device, isFloating } from '../tensor/dtype';
import { describeValue, hasErrorCode, hrmError, invalidArgument } from '../util/errors';

/** The process-group backends: Gloo (CPU tensors) and NCCL (CUDA tensors; needs the CUDA build). */
export type Backend = 'gloo' | 'nccl';

/** The reductions of {@link ProcessGroup.allReduce}. */
export type ReduceOp = 'sum' | 'avg' | 'max' | 'min' | 'product';

/** The reductions, in the order the docs list them. */
export const REDUCE_OPS: readonly ReduceOp[] = ['sum', 'avg', 'max', 'min', 'product'];

/** How long a rendezvous or collective may wait for the other ranks by default: 10 minutes. */
export const DEFAULT_TIMEOUT_MS = 600_000;

/** Options of {@link initProcessGroup}; each one left out is read from torchrun's environment. */
export interface InitProcessGroupOptions {
  /** the backend (default 'gloo') */
  backend?: Backend;
  /** this process's rank, 0..worldSize-1 (default: RANK) */
  rank?: number;
  /** how many processes take part (default: WORLD_SIZE) */
  worldSize?: number;
  /** the address where rank 0 serves the rendezvous store (default: MASTER_ADDR, else 127.0.0.1) */
  masterAddr?: string;
  /** the port of that store (default: MASTER_PORT) */
  masterPort?: number;
  /** how long the rendezvous and each collective may wait for the other ranks (default 10 minutes) */
  timeoutMs?: number;
  /** the environment to read (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** nccl: the index of this rank's CUDA device (default: LOCAL_RANK, else 0) */
  cudaDevice?: number;
}

/** Which process-group backends this addon has, and why one is missing. */
export interface BackendAvailability {
  /** Gloo, for CPU tensors */
  gloo: boolean;
  /** NCCL, for CUDA tensors */
  nccl: boolean;
  /** for each backend that is missing, how to get it */
  missing: Partial<Record<Backend, string>>;
}

const GLOO_MISSING = 'not compiled in: install the gloo headers (`apt-get install libgloo-dev`) and rebuild (`npm run build:native`)';
const NCCL_MISSING = 'not compiled in: needs the CUDA build of hrm-torch (a CUDA libtorch and the nccl.h of its NCCL: scripts/build-cuda.sh); use gloo on the CPU';

/** The backends compiled into the addon (loads it). */
export function availableBackends(): BackendAvailability {
  const b = native().buildInfo().distributedBackends ?? { gloo: false, nccl: false };
  const gloo = b.gloo && distributedBinding() !== undefined;
  const nccl = b.nccl && distributedBinding() !== undefined;
  const missing: Partial<Record<Backend, string>> = {};
  if (!gloo) missing.gloo = GLOO_MISSING;
  if (!nccl) missing.nccl = NCCL_MISSING;
  return { gloo, nccl, missing };
}

/** An integer option from `opts` or else the environment variable `envName`; undefined when neither has one. */
function intSetting(value: unknown, option: string, env: NodeJS.ProcessEnv, envName: string, min: number): number | undefined {
  if (value !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalidArgument(`initProcessGroup: ${option} must be an integer >= ${min}, got ${describeValue(value)}`);
    return value;
  }
  const raw = env[envName];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || n < min) throw invalidArgument(`initProcessGroup: the environment variable ${envName} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

const LAUNCH_HINT = 'run under `hrm launch --nproc-per-node N -- <command>` (or torchrun), or pass {rank, worldSize, masterPort}';

/**
 * Where torch.distributed's default group keeps its keys in the store (PrefixStore "default_pg",
 * then the group name "0/", each joined with "/"; the addon adds "/cpu/" or "/cuda/" for each
 * backend, as torch.distributed does), so that hrm-torch and PyTorch ranks can join one group.
 */
const TORCH_DEFAULT_PG_PREFIX = 'default_pg/0/';

/** Loopback addresses: the ranks then bind Gloo to 127.0.0.1 rather than to the host name's address. */
const isLoopback = (addr: string) => addr === 'localhost' || addr === '::1' || /^127\./.test(addr);

/**
 * Joins the process group of `worldSize` ranks: rank 0 serves a c10d TCPStore at
 * masterAddr:masterPort, every rank connects to it, then the Gloo group connects all ranks to
 * each other (NCCL connects at its first collective). Resolves once all `worldSize` ranks have
 * joined; rejects with `DISTRIBUTED_ERROR` when they have not within `timeoutMs`.
 *
 * Gloo binds to the network interface named by GLOO_SOCKET_IFNAME when set, to 127.0.0.1 when
 * the master address is a loopback one, and otherwise to the address this host's name resolves to.
 *
 * NCCL runs each rank on CUDA device `cudaDevice` (default LOCAL_RANK). Unless the environment
 * says otherwise, it is set up so that a failed or timed-out collective rejects its promise rather
 * than ending the process (TORCH_NCCL_BLOCKING_WAIT=1, TORCH_NCCL_ASYNC_ERROR_HANDLING=2).
 * @throws `BACKEND_UNAVAILABLE` when the backend is not compiled in; `CUDA_UNAVAILABLE` when nccl's
 * device is not there; `INVALID_ARGUMENT` for bad options
 */
export async function initProcessGroup(opts: InitProcessGroupOptions = {}): Promise<ProcessGroup> {
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`initProcessGroup: options must be an object, got ${describeValue(opts)}`);
  const env = opts.env ?? process.env;
  const backend = opts.backend ?? 'gloo';
  if (backend !== 'gloo' && backend !== 'nccl') throw invalidArgument(`initProcessGroup: backend must be 'gloo' or 'nccl', got ${describeValue(backend)}`);
  const rank = intSetting(opts.rank, 'rank', env, 'RANK', 0);
  const worldSize = intSetting(opts.worldSize, 'worldSize', env, 'WORLD_SIZE', 1);
  const masterPort = intSetting(opts.masterPort, 'masterPort', env, 'MASTER_PORT', 1);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) throw invalidArgument(`initProcessGroup: timeoutMs must be a positive integer (milliseconds), got ${describeValue(timeoutMs)}`);
  if (rank === undefined) throw invalidArgument(`initProcessGroup: rank is not given and RANK is not set; ${LAUNCH_HINT}`);
  if (worldSize === undefined) throw invalidArgument(`initProcessGroup: worldSize is not given and WORLD_SIZE is not set; ${LAUNCH_HINT}`);
  if (rank >= worldSize) throw invalidArgument(`initProcessGroup: rank must be below worldSize (${worldSize}), got ${rank}`);
  if (masterPort === undefined) throw invalidArgument(`initProcessGroup: masterPort is not given and MASTER_PORT is not set; ${LAUNCH_HINT}`);
  if (masterPort > 65535) throw invalidArgument(`initProcessGroup: masterPort must be a port number (1..65535), got ${masterPort}`);
  const masterAddr = opts.masterAddr ?? (env.MASTER_ADDR || '127.0.0.1');
  if (typeof masterAddr !== 'string' || masterAddr === '') throw invalidArgument(`initProcessGroup: masterAddr must be a host name or address, got ${describeValue(masterAddr)}`);

  const available = availableBackends();
  if (!available[backend]) throw hrmError('BACKEND_UNAVAILABLE', `initProcessGroup: backend '${backend}' is ${available.missing[backend]}`);
  let cudaDevice = -1;
  if (backend === 'nccl') {
    cudaDevice = intSetting(opts.cudaDevice, 'cudaDevice', env, 'LOCAL_RANK', 0) ?? 0;
    const devices = native().cudaDeviceCount();
    if (cudaDevice >= devices) {
      const from = opts.cudaDevice !== undefined ? 'cudaDevice' : env.LOCAL_RANK ? 'LOCAL_RANK' : 'the default';
      throw hrmError('CUDA_UNAVAILABLE', `initProcessGroup: backend 'nccl' runs rank ${rank} on CUDA device ${cudaDevice} (${from}), but ${devices === 0 ? 'no CUDA device is available here (see hrm doctor); use gloo on the CPU' : `this machine has ${devices} (0..${devices - 1}); start at most ${devices} ranks per node`}`);
    }
  }
  const dist = distributedBinding()!;
  const where = `rank ${rank} of ${worldSize}, store ${masterAddr}:${masterPort}`;
  const store = await withContext(dist.distStoreCreate(masterAddr, masterPort, worldSize, rank === 0, timeoutMs), `initProcessGroup (${where}): the rendezvous`, timeoutMs);
  const ifname = env.GLOO_SOCKET_IFNAME;
  const [kind, value]: ['interface' | 'hostname' | 'default', string] = ifname ? ['interface', ifname] : isLoopback(masterAddr) ? ['hostname', '127.0.0.1'] : ['default', ''];
  let group: number;
  try {
    group = await withContext(dist.distGroupCreate(store, TORCH_DEFAULT_PG_PREFIX, rank, worldSize, timeoutMs, kind, value, backend, cudaDevice), `initProcessGroup (${where}): connecting the ${backend === 'gloo' ? 'Gloo' : 'NCCL'} group`, timeoutMs);
  } catch (e) {
    dist.distStoreDestroy(store);
    throw e;
  }
  const device: Device = backend === 'nccl' ? `cuda:${cudaDevice}` : 'cpu';
  return new ProcessGroup(dist, store, group, backend, rank, worldSize, timeoutMs, device, backend === 'gloo' || available.gloo);
}

/** Adds what was being done, and for a timeout the limit, to a failure of `p`. */
async function withContext<T>(p: Promise<T>, what: string, timeoutMs: number): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw contextError(e, what, timeoutMs);
  }
}

function contextError(e: unknown, what: string, timeoutMs: number): Error {
  // c10d's message, less the gloo source location it starts with
  const msg = ((e as Error)?.message ?? String(e)).replace(/^\[[^\]]*\.(cc|cpp|h):\d+\] /, '');
  if (!hasErrorCode(e, 'DISTRIBUTED_ERROR')) return e as Error;
  const timedOut = /timed? ?out|timeout/i.test(msg);
  const why = timedOut ? `the other ranks did not answer within timeoutMs = ${timeoutMs} ms` : 'another rank failed or exited';
  return hrmError('DISTRIBUTED_ERROR', `${what}: ${why} (c10d: ${msg.trim()})`);
}

/** The index of a CUDA device name ('cuda' is device 0). */
const cudaIndex = (d: Device) => (d === 'cuda' ? 0 : Number(d.slice(5)));

/** Whether `t` is laid out densely in C order (Gloo reads and writes tensors in place only then). @internal */
export function isContiguous(t: Tensor): boolean {
  const shape = t.shape;
  const strides = addon.strides(t.h);
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/**
 * A group of ranks that run collectives together (made by {@link initProcessGroup}). Every
 * collective resolves when it is done on this rank; call them in the same order on all ranks.
 */
export class ProcessGroup {
  private failure: Error | undefined;
  private destroyed = false;

  /** @internal Use {@link initProcessGroup}. */
  constructor(
    private readonly dist: DistributedBinding,
    private readonly store: number,
    private readonly group: number,
    /** the backend this group runs on */
    readonly backend: Backend,
    /** this process's rank, 0..worldSize-1 */
    readonly rank: number,
    /** how many ranks the group has */
    readonly worldSize: number,
    /** how long each collective may wait for the other ranks, in milliseconds */
    readonly timeoutMs: number,
    /** where this rank's tensors live: 'cpu' for gloo, its CUDA device (`cuda:LOCAL_RANK`) for nccl */
    readonly device: Device = 'cpu',
    /** whether CPU tensors can take part (a gloo group; an nccl one where Gloo is compiled in too) */
    readonly cpuTensors: boolean = true,
  ) {}

  /** The group's state as an error message prefix, and the checks every collective makes first. */
  private begin(op: string): string {
    const where = `${op} (rank ${this.rank} of ${this.worldSize})`;
    if (this.destroyed) throw invalidArgument(`${where}: the process group was destroyed`);
    if (this.failure) throw hrmError('DISTRIBUTED_ERROR', `${where}: the process group is unusable after an earlier failure; destroy() it and start again. The failure: ${this.failure.message}`);
    return where;
  }

  private checkTensors(tensors: unknown, where: string): Tensor[] {
    const list = tensors instanceof Tensor ? [tensors] : tensors;
    if (!Array.isArray(list)) throw invalidArgument(`${where}: tensors must be a Tensor or an array of Tensors, got ${describeValue(tensors)}`);
    list.forEach((t, i) => {
      handleOf(t, `${where}: tensors[${i}]`);
      const tt = t as Tensor;
      const dev = tt.device;
      if (dev === 'cpu' ? !this.cpuTensors : this.backend === 'gloo' || cudaIndex(dev) !== cudaIndex(this.device)) {
        const wanted = this.backend === 'gloo' ? 'on the CPU for the gloo backend' : `on this rank's device ${this.device}${this.cpuTensors ? ' or the CPU' : ' (this addon has no Gloo for CPU tensors)'} for the nccl backend`;
        throw invalidArgument(`${where}: tensors[${i}] must be ${wanted}, got device ${dev}`);
      }
      if (!isContiguous(tt)) throw invalidArgument(`${where}: tensors[${i}] must be contiguous (collectives work in place on dense tensors); call .contiguous() first`);
    });
    return list as Tensor[];
  }

  private checkTimeout(timeoutMs: unknown, where: string): number {
    if (timeoutMs === undefined) return this.timeoutMs;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) throw invalidArgument(`${where}: timeoutMs must be a positive integer (milliseconds), got ${describeValue(timeoutMs)}`);
    return timeoutMs;
  }

  /** Settles `p`; a failure marks the group unusable and names the operation and the timeout. */
  private async finish<T>(p: Promise<T>, where: string, timeoutMs: number): Promise<T> {
    try {
      return await p;
    } catch (e) {
      const err = contextError(e, where, timeoutMs);
      if (hasErrorCode(err, 'DISTRIBUTED_ERROR')) this.failure ??= err;
      throw err;
    }
  }

  /**
   * Reduces each tensor in place over the ranks (each one on its own; shapes and dtypes must match
   * across ranks): 'sum' (default), 'avg' (floating-point tensors only), 'max', 'min', 'product'.
   */
  allReduce(tensors: Tensor | Tensor[], opts: { op?: ReduceOp; timeoutMs?: number } = {}): Promise<void> {
    return this.call(() => {
      const where = this.begin('allReduce');
      const op = opts.op ?? 'sum';
      if (!REDUCE_OPS.includes(op)) throw invalidArgument(`${where}: op must be one of ${REDUCE_OPS.map((o) => `'${o}'`).join(', ')}, got ${describeValue(op)}`);
      const list = this.checkTensors(tensors, where);
      if (op === 'avg') {
        list.forEach((t, i) => {
          if (!isFloating(t.dtype)) throw invalidArgument(`${where}: op 'avg' needs floating-point tensors; tensors[${i}] is ${t.dtype} (use 'sum' and divide)`);
        });
      }
      const timeoutMs = this.checkTimeout(opts.timeoutMs, where);
      return this.finish(this.dist.distAllReduce(this.group, list.map((t) => t.h), op, timeoutMs), where, timeoutMs);
    });
  }

  /** Copies rank `src`'s tensors (default rank 0) into the same tensors of every other rank, in place. */
  broadcast(tensors: Tensor | Tensor[], opts: { src?: number; timeoutMs?: number } = {}): Promise<void> {
    return this.call(() => {
      const where = this.begin('broadcast');
      const src = opts.src ?? 0;
      if (typeof src !== 'number' || !Number.isInteger(src) || src < 0 || src >= this.worldSize) throw invalidArgument(`${where}: src must be a rank in 0..${this.worldSize - 1}, got ${describeValue(src)}`);
      const list = this.checkTensors(tensors, where);
      const timeoutMs = this.checkTimeout(opts.timeoutMs, where);
      return this.finish(this.dist.distBroadcast(this.group, list.map((t) => t.h), src, timeoutMs), where, timeoutMs);
    });
  }

  /**
   * Every rank's `tensor`, in rank order (new tensors, owned by the caller: dispose them). All
   * ranks must pass the same shape and dtype; `allGatherConcat` gathers tensors whose first dimension differs.
   */
  allGather(tensor: Tensor, opts: { timeoutMs?: number } = {}): Promise<Tensor[]> {
    return this.call(() => {
      const where = this.begin('allGather');
      const [t] = this.checkTensors([tensor], where);
      const timeoutMs = this.checkTimeout(opts.timeoutMs, where);
      return this.finish(this.dist.distAllGather(this.group, t.h, timeoutMs), where, timeoutMs).then((hs) => hs.map((h) => wrapHandle(h)));
    });
  }

  /** Resolves once every rank has reached this barrier. */
  barrier(opts: { timeoutMs?: number } = {}): Promise<void> {
    return this.call(() => {
      const where = this.begin('barrier');
      const timeoutMs = this.checkTimeout(opts.timeoutMs, where);
      return this.finish(this.dist.distBarrier(this.group, timeoutMs), where, timeoutMs);
    });
  }

  /** Runs a collective's synchronous part, so that its argument errors reject the promise too. */
  private call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return fn();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Whether {@link destroy} was called. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * Leaves the group and closes the store (rank 0's store stops serving). Waits for this rank's
   * queued collectives, which a dead peer ends within the timeout. Calling it again does nothing.
   */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await this.dist.distGroupDestroy(this.group);
    this.dist.distStoreDestroy(this.store);
  }
}
