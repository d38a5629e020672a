/**
 * Tensor lifetime. Explicit first (`dispose()`, `using`), scoped second (`scope(fn)` frees every
 * tensor made inside except what it returns or `keep()`s), garbage-collected only as a safety net
 * (a FinalizationRegistry frees tensors that were dropped without being disposed, and can warn).
 *
 * Exactly one owner tracks a tensor at a time: the innermost open scope when it was made, or the
 * FinalizationRegistry when no scope was open. A tensor returned from a scope moves to the
 * enclosing scope, or to the registry at the outermost level.
 * @module
 */
import { addon, CudaMemoryStats, Handle } from '../native';
import { invalidArgument } from '../util/errors';

/** The part of a Tensor that lifetime management needs. */
export interface Owned {
  /** native handle; -1 once disposed */
  h: Handle;
  /** @internal */
  _scope: Scope | null;
  /** @internal the registry's view of the handle: set to -1 on dispose, so no unregister is needed */
  _cell: { h: Handle } | null;
}

/** One open scope: the tensors it will free, and the scope it is nested in. @internal */
export class Scope {
  readonly tensors: Owned[] = [];
  constructor(readonly parent: Scope | null) {}
}

let current: Scope | null = null;
let depth = 0;
let gcFreed = 0;
let safetyNet = true;
let warnOnLeak = false;

// Held value: a cell shared with the tensor. dispose() marks it dead (-1) instead of calling
// unregister(), which costs more than the rest of a small op.
const registry = new FinalizationRegistry<{ h: Handle; stack?: string }>((held) => {
  if (held.h >= 0 && addon.free(held.h)) {
    gcFreed++;
    if (warnOnLeak) {
      process.emitWarning(
        `a tensor was freed by the garbage collector instead of dispose()/scope()${held.stack ? `; created at\n${held.stack}` : ''}`,
        'HrmTorchLeakWarning',
      );
    }
  }
});

// Tensors made outside any scope are registered with the safety net lazily: they wait in
// `pending` until the current job ends (a microtask) or 64 have gathered, and only those not yet
// disposed by then are registered. Short-lived tensors that are disposed right away (the common
// explicit style) never pay for registration; a dropped tensor stays reachable for at most that
// long before it is registered and left to the collector.
const PENDING_LIMIT = 64;
let pending: Owned[] = [];
let flushQueued = false;

function flushPending(): void {
  flushQueued = false;
  const list = pending;
  pending = [];
  for (const t of list) {
    if (t.h >= 0 && t._scope === null && t._cell === null) register(t);
  }
}

/** Called for every tensor created by the SDK. */
export function track(t: Owned): void {
  const s = current;
  if (s !== null) {
    t._scope = s;
    s.tensors.push(t);
  } else if (safetyNet) {
    pending.push(t);
    if (pending.length >= PENDING_LIMIT) flushPending();
    else if (!flushQueued) {
      flushQueued = true;
      queueMicrotask(flushPending);
    }
  }
}

function register(t: Owned): void {
  const cell = warnOnLeak ? { h: t.h, stack: new Error().stack?.split('\n').slice(3).join('\n') } : { h: t.h };
  t._cell = cell;
  registry.register(t, cell);
  // The collector now owns this tensor's lifetime: let V8 count its native bytes.
  addon.reportExternal(t.h);
}

/** Frees a tensor now. Idempotent. */
export function release(t: Owned): void {
  if (t.h < 0) return;
  addon.free(t.h);
  t.h = -1;
  if (t._cell !== null) {
    t._cell.h = -1;
    t._cell = null;
  }
}

function isOwned(x: unknown): x is Owned {
  return typeof x === 'object' && x !== null && typeof (x as Owned).h === 'number' && '_scope' in (x as object);
}

// Collects the tensors reachable from a scope's result: a tensor, or arrays / plain objects / Maps
// of them, a few levels deep.
function collect(value: unknown, out: Set<Owned>, level = 0): void {
  if (level > 6 || value === null || typeof value !== 'object') return;
  if (isOwned(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, out, level + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) collect(v, out, level + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, out, level + 1);
  }
}

function moveOut(t: Owned, to: Scope | null): void {
  t._scope = to;
  if (to !== null) to.tensors.push(t);
  else if (safetyNet && t._cell === null) register(t);
}

function close(s: Scope, result: unknown): void {
  const list = s.tensors;
  // Fast paths: nothing returned, or a single tensor returned (the common cases in a loop).
  let single: Owned | null = null;
  let escaping: Set<Owned> | null = null;
  if (result !== null && typeof result === 'object') {
    if (isOwned(result)) single = result;
    else {
      escaping = new Set<Owned>();
      collect(result, escaping);
    }
  }
  if (list.length === 1) {
    const t = list[0];
    if (t.h < 0 || t._scope !== s) return;
    if (t === single || (escaping !== null && escaping.has(t))) moveOut(t, s.parent);
    else {
      addon.free(t.h);
      t.h = -1;
      t._scope = null;
    }
    return;
  }
  const handles: Handle[] = [];
  for (const t of list) {
    if (t.h < 0 || t._scope !== s) continue; // disposed already, or kept / moved out
    if (t === single || (escaping !== null && escaping.has(t))) moveOut(t, s.parent);
    else {
      handles.push(t.h);
      t.h = -1;
      t._scope = null;
    }
  }
  if (handles.length) addon.freeMany(handles);
}

/**
 * Runs `fn` and frees every tensor created inside it, except the tensors in its return value
 * (a tensor, or arrays / plain objects / Maps of them) and those passed to `keep()`. Scopes nest.
 * Synchronous only: do not pass an async function.
 */
export function scope<T>(fn: () => T): T {
  const s = new Scope(current);
  current = s;
  depth++;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    current = s.parent;
    depth--;
    close(s, undefined);
    throw e;
  }
  current = s.parent;
  depth--;
  if (result instanceof Promise) {
    close(s, undefined);
    throw invalidArgument('scope() takes a synchronous function; its tensors were freed when it returned a Promise');
  }
  close(s, result);
  return result;
}

/** tfjs's name for `scope`. */
export const tidy = scope;

/** Takes a tensor out of scope management: no scope frees it; dispose() it yourself. */
export function keep<T extends Owned>(t: T): T {
  if (t._scope !== null) {
    t._scope = null; // the scope skips tensors that no longer name it
    if (safetyNet) register(t);
  }
  return t;
}

/**
 * Takes a tensor out of every scope and out of the pending list, for long-lived owners (a
 * Module's parameters, an optimizer's state): it is then freed by its owner's dispose(), or by
 * the safety net if the owner is dropped.
 */
export function adopt<T extends Owned>(t: T): T {
  t._scope = null;
  if (safetyNet && t._cell === null) register(t);
  return t;
}

/** Moves a tensor to the scope enclosing the current one (TorchSharp's MoveToOuter). */
export function moveToOuter<T extends Owned>(t: T): T {
  const s = t._scope;
  if (s !== null) moveOut(t, s.parent);
  return t;
}

/** Turns the garbage-collector safety net on or off, and leak warnings (with creation stacks). */
export function configureMemory(opts: { safetyNet?: boolean; warnOnLeak?: boolean }): void {
  if (opts.safetyNet !== undefined) safetyNet = opts.safetyNet;
  if (opts.warnOnLeak !== undefined) warnOnLeak = opts.warnOnLeak;
}

/** Live tensor counts, scope depth and allocator bytes (see `memory()`). */
export interface MemoryInfo {
  /** tensors alive in the native handle table (this thread) */
  liveTensors: number;
  /** the most tensors alive at once since start or resetPeakMemory() */
  peakTensors: number;
  /** tensors freed by the garbage-collector safety net rather than dispose()/scope() */
  freedByGc: number;
  /** how many scopes are open */
  scopeDepth: number;
  /** CUDA caching-allocator bytes (zeros without CUDA) */
  cuda: CudaMemoryStats;
  /** bytes in use in the host C heap (glibc), where CPU tensors live; undefined elsewhere */
  hostBytes?: number;
  /**
   * bytes V8 has been told about as external memory: the storages of tensors left to the
   * garbage-collector safety net (1 KiB and up), each storage counted once however many tensors
   * view it
   */
  gcReportedBytes: number;
}

/** Memory telemetry. */
export function memory(): MemoryInfo {
  const t = addon.liveTensors();
  return {
    liveTensors: t.live,
    peakTensors: t.peak,
    freedByGc: gcFreed,
    scopeDepth: depth,
    cuda: addon.cudaMemory(),
    hostBytes: addon.hostMemory(),
    gcReportedBytes: t.reportedBytes ?? 0,
  };
}

/** Starts the peak tensor count afresh from the current count. */
export function resetPeakMemory(): void {
  addon.resetPeak();
}
