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
import { describeValue, invalidArgument } from '../util/errors';
import { dtypeFromCode, elementSize } from './dtype';

/** The part of a Tensor that lifetime management needs. */
export interface Owned {
  /** native handle; -1 once disposed */
  h: Handle;
  /** @internal */
  _scope: Scope | null;
  /** @internal the registry's record of the handle while the garbage collector owns the tensor */
  _cell: GcCell | null;
}

/** What the FinalizationRegistry holds for a tensor it may free. @internal */
export interface GcCell {
  /** the native handle; -1 once freed */
  h: Handle;
  /** the creation stack (warnOnLeak only) */
  stack?: string;
  /** bytes counted in the backlog of the event-loop turn `turn` (0: not counted) */
  bytes: number;
  /** the event-loop turn it was counted in */
  turn: number;
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

// Held value: a cell shared with the tensor; the tensor itself is the unregister token. dispose()
// of a registered tensor unregisters it: a registration left behind (a WeakCell and the cell)
// would live until the event loop turns, which a synchronous training loop never lets happen.
// Tensors that are disposed soon after they are made never reach the registry at all (see
// `pending` below), so the common explicit and scoped styles pay neither cost.
const registry = new FinalizationRegistry<GcCell>((held) => {
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

// ---------------------------------------------------------------- the collector's backlog
//
// The registry's callbacks run only between event-loop tasks. A synchronous loop that drops
// tensors therefore keeps every one of them alive, however often V8 collects, until it returns
// or yields. The SDK counts the bytes of the tensors it hands to the collector during the current
// turn of the event loop (those disposed in the same turn are taken off again) and warns once
// when they pass `gcBacklogWarnBytes`.

/** The default of `configureMemory({ gcBacklogWarnBytes })`: 1 GiB. */
export const DEFAULT_GC_BACKLOG_WARN_BYTES = 2 ** 30;
let backlogWarnBytes = DEFAULT_GC_BACKLOG_WARN_BYTES;
let backlogBytes = 0;
let turn = 1;
let turnQueued = false;
let backlogWarned = false;
let sampleNextTensor = false;
const TENSOR_DIR = __dirname;

function nextTurn(): void {
  turnQueued = false;
  turn++;
  backlogBytes = 0;
}

// The bytes a tensor's view spans (a broadcast view with zero strides spans little).
function spanBytes(h: Handle): number {
  const meta = addon.meta(h);
  const strides = addon.strides(h);
  let span = 1;
  for (let i = 2; i < meta.length; i++) {
    if (meta[i] === 0) return 0;
    span += (meta[i] - 1) * Math.abs(strides[i - 2]);
  }
  return span * elementSize(dtypeFromCode(meta[0]));
}

function countBacklog(cell: GcCell): void {
  cell.bytes = spanBytes(cell.h);
  cell.turn = turn;
  backlogBytes += cell.bytes;
  if (!turnQueued) {
    turnQueued = true;
    setImmediate(nextTurn).unref();
  }
  // The stack is taken at the next tensor made outside a scope (or returned from the outermost
  // one): its creation site, not this one's.
  if (backlogBytes > backlogWarnBytes) sampleNextTensor = true;
}

function warnBacklog(): void {
  sampleNextTensor = false;
  if (backlogBytes <= backlogWarnBytes) return; // the event loop turned (or tensors were disposed) since
  backlogWarned = true;
  const frames = (new Error().stack ?? '').split('\n').slice(1).filter((l) => !l.includes(TENSOR_DIR) && !l.includes('node:internal'));
  const mib = Math.round(backlogBytes / 2 ** 20);
  process.emitWarning(
    `${mib} MiB of tensors were handed to the garbage collector since the event loop last turned, and none of them can be ` +
      'freed before it turns (FinalizationRegistry callbacks run only between event-loop tasks). In a synchronous loop, ' +
      'dispose() the tensors, run the loop body in scope(), or yield now and then (await new Promise((r) => setImmediate(r))). ' +
      `Warned once; configureMemory({ gcBacklogWarnBytes }) sets the threshold (now ${backlogWarnBytes} bytes), 0 turns this off.`,
    {
      type: 'HrmTorchMemoryWarning',
      code: 'HRM_TORCH_GC_BACKLOG',
      detail: `one of these tensors was made at\n${frames.slice(0, 8).join('\n')}`,
    },
  );
}

// Tensors made outside any scope are registered with the safety net lazily: they wait in
// `pending` until the current job ends (a microtask) or 64 have gathered, and only those not yet
// disposed by then are registered. Short-lived tensors that are disposed right away (the common
// explicit style) never pay for registration; a dropped tensor stays reachable for at most that
// long before it is registered and left to the collector.
const PENDING_LIMIT = 64;
let pending: Owned[] = [];
let flushQueued = false;

function flushPending(): void {
  const list = pending;
  pending = [];
  for (const t of list) {
    if (t.h >= 0 && t._scope === null && t._cell === null) register(t, true);
  }
}

// One microtask at a time: a flush at the limit leaves the queued one in place, since in a
// synchronous loop every queued microtask (and Node's bookkeeping for it) waits for the loop to end.
function flushFromMicrotask(): void {
  flushQueued = false;
  flushPending();
}

function addPending(t: Owned): void {
  pending.push(t);
  if (pending.length >= PENDING_LIMIT) flushPending();
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushFromMicrotask);
  }
}

/** Called for every tensor created by the SDK. */
export function track(t: Owned): void {
  const s = current;
  if (s !== null) {
    t._scope = s;
    s.tensors.push(t);
  } else if (safetyNet) {
    if (sampleNextTensor) warnBacklog();
    addPending(t);
  }
}

// `dropped`: a tensor nobody has claimed (made outside a scope, or returned from the outermost
// one), counted in the collector's backlog; kept and adopted tensors have an owner.
function register(t: Owned, dropped: boolean): void {
  const cell: GcCell = { h: t.h, bytes: 0, turn: 0 };
  if (warnOnLeak) cell.stack = new Error().stack?.split('\n').slice(3).join('\n');
  t._cell = cell;
  registry.register(t, cell, t);
  // The collector now owns this tensor's lifetime: let V8 count its native bytes.
  addon.reportExternal(t.h);
  if (dropped && !backlogWarned && backlogWarnBytes > 0) countBacklog(cell);
}

/** Frees a tensor now. Idempotent. */
export function release(t: Owned): void {
  if (t.h < 0) return;
  addon.free(t.h);
  t.h = -1;
  const cell = t._cell;
  if (cell !== null) {
    registry.unregister(t);
    if (cell.turn === turn) backlogBytes -= cell.bytes;
    cell.h = -1;
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
  else if (safetyNet && t._cell === null) {
    if (sampleNextTensor) warnBacklog();
    addPending(t); // registered only if still alive a little later
  }
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
  if (typeof fn !== 'function') throw invalidArgument(`scope(fn): fn must be a function to run (synchronous), got ${describeValue(fn)}`);
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

/** Throws `INVALID_ARGUMENT` naming `what` unless `t` is scope-owned (a Tensor, or another object a scope tracks). */
function checkOwned(t: unknown, what: string): void {
  if (t === null || typeof t !== 'object' || !('_scope' in t)) throw invalidArgument(`${what} must be a Tensor, got ${describeValue(t)}`);
}

/** Takes a tensor out of scope management: no scope frees it; dispose() it yourself. */
export function keep<T extends Owned>(t: T): T {
  checkOwned(t, 'keep(): t');
  if (t._scope !== null) {
    t._scope = null; // the scope skips tensors that no longer name it
    if (safetyNet && t._cell === null) register(t, false);
  }
  return t;
}

/**
 * Takes a tensor out of every scope and out of the pending list, for long-lived owners (a
 * Module's parameters, an optimizer's state): it is then freed by its owner's dispose(), or by
 * the safety net if the owner is dropped.
 */
export function adopt<T extends Owned>(t: T): T {
  checkOwned(t, 'adopt(): t');
  t._scope = null;
  if (safetyNet && t._cell === null) register(t, false);
  return t;
}

/** Moves a tensor to the scope enclosing the current one (TorchSharp's MoveToOuter). */
export function moveToOuter<T extends Owned>(t: T): T {
  checkOwned(t, 'moveToOuter(): t');
  const s = t._scope;
  if (s !== null) moveOut(t, s.parent);
  return t;
}

/** What `configureMemory` sets. */
export interface MemoryOptions {
  /** free dropped tensors when the garbage collector finds them (default true) */
  safetyNet?: boolean;
  /** warn for every tensor the collector frees, with its creation stack (default false) */
  warnOnLeak?: boolean;
  /**
   * Warn once (an `HrmTorchMemoryWarning` with code `HRM_TORCH_GC_BACKLOG` and the creation site
   * of one such tensor) when more than this many bytes of tensors were left to the garbage
   * collector since the event loop last turned: they cannot be freed before it turns. Default
   * {@link DEFAULT_GC_BACKLOG_WARN_BYTES} (1 GiB); 0 turns the warning off; setting it re-arms it.
   */
  gcBacklogWarnBytes?: number;
}

/** Turns the garbage-collector safety net on or off, leak warnings, and the collector-backlog warning. */
export function configureMemory(opts: MemoryOptions): void {
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`configureMemory(): options must be an object, got ${describeValue(opts)}`);
  if (opts.safetyNet !== undefined) safetyNet = opts.safetyNet;
  if (opts.warnOnLeak !== undefined) warnOnLeak = opts.warnOnLeak;
  if (opts.gcBacklogWarnBytes !== undefined) {
    const b = opts.gcBacklogWarnBytes;
    if (typeof b !== 'number' || !(b >= 0)) throw invalidArgument(`configureMemory(): gcBacklogWarnBytes must be a number of bytes >= 0, got ${describeValue(b)}`);
    backlogWarnBytes = b;
    backlogWarned = false;
    sampleNextTensor = false;
  }
}

/** Live tensor counts, scope depth and allocator bytes (see `memory()`). */
export interface MemoryInfo {
  /** tensors alive in the native handle table (this thread) */
  liveTensors: number;
  /** the most tensors alive at once since start or resetPeakMemory() */
  peakTensors: number;
  /** tensors freed by the garbage-collector safety net rather than dispose()/scope() */
  freedByGc: number;
  /**
   * bytes of tensors left to the garbage collector since the event loop last turned, which it
   * cannot free before the loop turns (counted until the backlog warning has been given)
   */
  gcBacklogBytes: number;
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
    gcBacklogBytes: backlogBytes,
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
