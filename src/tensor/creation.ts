/**
 * Making tensors: from JS data, filled, ranges, and random (with the global seed or an explicit
 * Generator).
 * @module
 */
import { addon } from '../native';
import {
  AnyTypedArray,
  DTYPES,
  DType,
  Device,
  castAlwaysFits,
  checkDevice,
  checkValueFits,
  dtypeCode,
  dtypeOfTypedArray,
  invalidArgument,
  isDType,
  isFloating,
  numberFitsIn,
  requireDeviceAvailable,
  valueError,
  valueFits,
} from './dtype';
import { MAX_DIMS, checkShape, indexPath } from './shape';
import { describeValue } from '../util/errors';
import { OpRef, id, ops } from './ops';
import { erf } from '../util/math';
import { NestedArray, Tensor, checkTensor, handleOf, wrapHandle as wrap } from './tensor';


// The ATen factory operators the creation functions call.
const CREATION_OPS = ops({
  zeros: 'aten::zeros', ones: 'aten::ones', full: 'aten::full', empty: 'aten::empty.memory_format',
  arange: 'aten::arange.start_step', linspace: 'aten::linspace', eye: 'aten::eye.m',
  zerosLike: 'aten::zeros_like', onesLike: 'aten::ones_like', fullLike: 'aten::full_like', emptyLike: 'aten::empty_like',
  rand: 'aten::rand.generator', randn: 'aten::randn.generator', randint: 'aten::randint.low_generator',
  randperm: 'aten::randperm.generator', bernoulli: 'aten::bernoulli', bernoulliProbability: 'aten::bernoulli.p',
  randLike: 'aten::rand_like.generator', randnLike: 'aten::randn_like.generator', normal: 'aten::normal.float_float',
});

/** dtype, device and requiresGrad of a new tensor. */
export interface CreateOptions<D extends DType = DType> {
  /** the element type (float32 unless a function says otherwise) */
  dtype?: D;
  /** where to create it (the CPU by default) */
  device?: Device;
  /** record operations on it for autograd */
  requiresGrad?: boolean;
}

/** A random-number generator with its own state (CPU or a CUDA device). */
export class Generator {
  /** the native generator's id */
  readonly id: number;
  constructor(seed: number | bigint = 0, device: Device = 'cpu') {
    if (!(typeof seed === 'bigint' || Number.isSafeInteger(seed))) throw invalidArgument(`Generator(): seed must be an integer, got ${describeValue(seed)}`);
    this.id = addon.generatorNew(seed, checkDevice(device, 'Generator(): device'));
  }
  /** Reseeds this generator. */
  manualSeed(seed: number | bigint): this {
    addon.generatorSetSeed(this.id, seed);
    return this;
  }
  /** The generator's state as a uint8 tensor (save it to restore the exact stream later). */
  getState(): Tensor<'uint8'> {
    return wrap(addon.generatorGetState(this.id)) as Tensor<'uint8'>;
  }
  /** Restores a state read by `getState()`. */
  setState(state: Tensor): void {
    addon.generatorSetState(this.id, handleOf(state, 'state'));
  }
  /** Releases the native generator. */
  dispose(): void {
    addon.generatorFree(this.id);
  }
}

/**
 * Seeds the default generators, as torch.manual_seed: this thread's CPU generator and the CUDA
 * devices' generators. Each worker thread has its own default CPU generator (the main thread,
 * or whichever thread loaded the addon first, uses libtorch's process-wide one), so seeded runs
 * in concurrent workers are reproducible on the CPU. The CUDA generators, and operators that
 * take no generator argument (`dropout`, attention dropout), stay process-wide.
 */
export function manualSeed(seed: number | bigint): void {
  if (!(typeof seed === 'bigint' || Number.isSafeInteger(seed))) throw invalidArgument(`manualSeed(): seed must be an integer, got ${describeValue(seed)}`);
  addon.manualSeed(seed);
}

/** This thread's default CPU generator's state (for checkpoints). */
export function getRngState(): Tensor<'uint8'> {
  return wrap(addon.generatorGetState(-1)) as Tensor<'uint8'>;
}

/** Restores this thread's default CPU generator's state (from `getRngState()`). */
export function setRngState(state: Tensor): void {
  addon.generatorSetState(-1, handleOf(state, 'state'));
}

function finish<D extends DType>(t: Tensor, opts: CreateOptions<D> | undefined): Tensor<D> {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t as Tensor<D>;
}

function shapeArg(shape: unknown, fn: string): number[] {
  return checkShape(shape, `${fn}(): shape`);
}

function dev(opts?: { device?: Device }): Device | undefined {
  if (opts?.device === undefined) return undefined;
  const d = checkDevice(opts.device, 'options.device');
  requireDeviceAvailable(d, 'cannot create a tensor on');
  return d;
}

function code(opts: { dtype?: DType } | undefined, fallback: DType = 'float32'): number {
  return dtypeCode(opts?.dtype ?? fallback, 'options.dtype');
}

// ---------------------------------------------------------------- from data

/** What `tensor()` accepts. */
export type TensorData = number | boolean | bigint | NestedArray<number | boolean | bigint> | ArrayBufferView;

type JsScalar = number | boolean | bigint;

// The TypedArray tensor() writes each dtype's values into (the half types: float32, then a cast).
const BUFFER_FOR: Record<DType, { dtype: DType; make: (n: number) => AnyTypedArray }> = {
  float32: { dtype: 'float32', make: (n) => new Float32Array(n) },
  float64: { dtype: 'float64', make: (n) => new Float64Array(n) },
  float16: { dtype: 'float32', make: (n) => new Float32Array(n) },
  bfloat16: { dtype: 'float32', make: (n) => new Float32Array(n) },
  int32: { dtype: 'int32', make: (n) => new Int32Array(n) },
  int64: { dtype: 'int64', make: (n) => new BigInt64Array(n) },
  bool: { dtype: 'bool', make: (n) => new Uint8Array(n) },
  uint8: { dtype: 'uint8', make: (n) => new Uint8Array(n) },
  int8: { dtype: 'int8', make: (n) => new Int8Array(n) },
  int16: { dtype: 'int16', make: (n) => new Int16Array(n) },
};

function isScalar(v: unknown): v is JsScalar {
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint';
}

// The shape of nested arrays, read along the first elements; bounded and cycle-checked so a
// self-containing array fails with a message instead of looping until memory runs out.
function nestedShape(data: unknown[]): { shape: number[]; first: unknown } {
  const shape: number[] = [];
  const path: unknown[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    const k = path.indexOf(probe);
    if (k >= 0) throw invalidArgument(`tensor(): data is cyclic: data${'[0]'.repeat(path.length)} is data${'[0]'.repeat(k)} itself`);
    if (shape.length === MAX_DIMS) throw invalidArgument(`tensor(): data is nested more than ${MAX_DIMS} levels deep (the most dims a tensor may have here)`);
    path.push(probe);
    shape.push(probe.length);
    probe = probe[0];
  }
  return { shape, first: probe };
}

// Writes the values of nested arrays of `shape` into `out`, checking that each one is a value of
// `dtype` (numberFitsIn: no wrap-around, no truncation, no NaN in an integer tensor).
function writeNested(data: unknown[], shape: number[], dtype: DType, out: AnyTypedArray): void {
  const fits = numberFitsIn(dtype);
  const big = out instanceof BigInt64Array;
  const last = shape.length - 1;
  const idx = new Array<number>(shape.length).fill(0);
  const at = (depth: number, i: number) => `data${idx.slice(0, depth).map((k) => `[${k}]`).join('')}[${i}]`;
  const ancestors: unknown[] = [];
  // An element that is one of the arrays enclosing it makes the data infinitely deep.
  const checkNotCyclic = (v: unknown, depth: number, i: number) => {
    for (let k = 0; k <= depth; k++) {
      if (ancestors[k] === v) throw invalidArgument(`tensor(): data is cyclic: ${at(depth, i)} is data${idx.slice(0, k).map((j) => `[${j}]`).join('')} itself`);
    }
  };
  let pos = 0;
  const walk = (a: unknown[], depth: number): void => {
    ancestors[depth] = a;
    if (depth < last) {
      const want = shape[depth + 1];
      for (let i = 0; i < a.length; i++) {
        const child = a[i];
        checkNotCyclic(child, depth, i);
        if (!Array.isArray(child) || child.length !== want) {
          throw invalidArgument(
            `tensor(): the nested arrays are ragged: ${at(depth, i)} is ${Array.isArray(child) ? `an array of length ${child.length}` : describeValue(child)}, ` +
              `but shape [${shape.join(', ')}] (read from the first elements) needs an array of length ${want} there`,
          );
        }
        idx[depth] = i;
        walk(child, depth + 1);
      }
      return;
    }
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (typeof v === 'number') {
        if (!fits(v)) throw valueError(v, dtype, `tensor(): ${at(depth, i)}`);
        out[pos++] = big ? (BigInt(v) as never) : v;
      } else if (typeof v === 'boolean') {
        out[pos++] = big ? (BigInt(v) as never) : v ? 1 : 0;
      } else if (typeof v === 'bigint') {
        if (!valueFits(v, dtype)) throw valueError(v, dtype, `tensor(): ${at(depth, i)}`);
        out[pos++] = big ? (v as never) : Number(v);
      } else if (Array.isArray(v)) {
        checkNotCyclic(v, depth, i);
        throw invalidArgument(`tensor(): the nested arrays are ragged: ${at(depth, i)} is an array, but shape [${shape.join(', ')}] (read from the first elements) needs a value there`);
      } else {
        throw invalidArgument(`tensor(): ${at(depth, i)} is ${describeValue(v)}; only numbers, booleans and bigints are allowed`);
      }
    }
  };
  walk(data, 0);
}

/**
 * A tensor from JS data: a number, nested arrays, or a TypedArray (flat; give `shape`).
 * Numbers become float32 unless `dtype` says otherwise (JS has no separate integer type);
 * booleans become bool; bigints int64. Every value must be one of the dtype's (see
 * {@link numberFitsIn}): `tensor([300], { dtype: 'uint8' })`, a fraction or NaN in an integer
 * tensor and 0.5 in a bool tensor are INVALID_ARGUMENT errors naming the value and its position.
 */
export function tensor<D extends DType = 'float32'>(data: TensorData, opts: CreateOptions<D> & { shape?: number[] } = {}): Tensor<D> {
  if (ArrayBuffer.isView(data)) return typedArrayTensor(data, opts.shape ?? [(data as unknown as { length: number }).length], opts, 'tensor');
  let shape: number[];
  let first: unknown;
  if (Array.isArray(data)) ({ shape, first } = nestedShape(data));
  else if (isScalar(data)) [shape, first] = [[], data];
  else throw invalidArgument(`tensor(): data must be a number, boolean, bigint, nested arrays of them, or a TypedArray; got ${describeValue(data)}`);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel > 0 && !isScalar(first)) {
    throw invalidArgument(`tensor(): data${'[0]'.repeat(shape.length)} is ${describeValue(first)}; only numbers, booleans and bigints are allowed`);
  }
  const dtype: DType = opts.dtype ?? (typeof first === 'boolean' ? 'bool' : typeof first === 'bigint' ? 'int64' : 'float32');
  if (!isDType(dtype)) throw invalidArgument(`options.dtype must be one of ${DTYPES.join(', ')}; got ${describeValue(dtype)}`);
  const d = dev(opts);
  const buffer = BUFFER_FOR[dtype];
  const out = buffer.make(numel);
  if (shape.length === 0) {
    if (!valueFits(data, dtype)) throw valueError(data, dtype, 'tensor(): data');
    out[0] = (out instanceof BigInt64Array ? BigInt(data as JsScalar) : Number(data)) as never;
  } else {
    writeNested(data as unknown[], shape, dtype, out);
  }
  let t = wrap(addon.fromBuffer(out, dtypeCode(buffer.dtype), shape, undefined));
  if (buffer.dtype !== dtype) {
    const c = t.to(dtype);
    t.dispose();
    t = c;
  }
  if (d !== undefined && d !== 'cpu') {
    const m = t.to(d);
    t.dispose();
    t = m;
  }
  return finish(t, opts);
}

/** A tensor holding a copy of a TypedArray, viewed with `shape` (float16/bfloat16 from raw Uint16 bits). */
export function fromTypedArray<D extends DType>(data: ArrayBufferView, shape: readonly number[], opts: CreateOptions<D> = {}): Tensor<D> {
  return typedArrayTensor(data, shape, opts, 'fromTypedArray');
}

function typedArrayTensor<D extends DType>(data: ArrayBufferView, shape: readonly number[], opts: CreateOptions<D>, fn: string): Tensor<D> {
  const dtype = opts.dtype ?? dtypeOfTypedArray(data);
  if (data instanceof Uint16Array && dtype !== 'float16' && dtype !== 'bfloat16') {
    throw invalidArgument('a Uint16Array holds float16 or bfloat16 bits: pass dtype "float16" or "bfloat16"');
  }
  const natural = data instanceof Uint16Array ? dtype : dtypeOfTypedArray(data);
  const dims = shapeArg(shape, fn);
  if (!castAlwaysFits(natural, dtype)) checkTypedValues(data as unknown as ArrayLike<number | bigint>, dtype, dims, fn);
  const t0 = wrap(addon.fromBuffer(data, dtypeCode(natural), dims, dev(opts)));
  if (natural === dtype) return finish(t0, opts);
  const t = t0.to(dtype);
  t0.dispose();
  return finish(t, opts);
}

// A TypedArray cast to another dtype: every value must be one of the target dtype's.
function checkTypedValues(data: ArrayLike<number | bigint>, dtype: DType, shape: number[], fn: string): void {
  const fits = numberFitsIn(dtype);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v === 'number' ? !fits(v) : !valueFits(v, dtype)) {
      const at = shape.reduce((a, b) => a * b, 1) === data.length ? indexPath(i, shape) : `[${i}]`;
      throw valueError(v, dtype, `${fn}(): data${at}`);
    }
  }
}

// ---------------------------------------------------------------- filled

/** A tensor of zeros. */
export function zeros<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.zeros), shapeArg(shape, 'zeros'), code(opts), undefined, dev(opts))), opts);
}
/** A tensor of ones. */
export function ones<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.ones), shapeArg(shape, 'ones'), code(opts), undefined, dev(opts))), opts);
}
/**
 * A tensor filled with `value` (bool for a boolean value, float32 otherwise, unless dtype says);
 * `value` must be one of the dtype's values (see {@link numberFitsIn}).
 */
export function full<D extends DType = 'float32'>(shape: readonly number[] | number, value: number | boolean, opts?: CreateOptions<D>): Tensor<D> {
  const dims = shapeArg(shape, 'full');
  const dtype = opts?.dtype ?? (typeof value === 'boolean' ? 'bool' : 'float32');
  const c = dtypeCode(dtype, 'options.dtype');
  checkValueFits(value, dtype, 'full(): value');
  return finish(wrap(addon.call(id(CREATION_OPS.full), dims, value, c, undefined, dev(opts))), opts);
}
/** Uninitialised memory of the given shape. */
export function empty<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.empty), shapeArg(shape, 'empty'), code(opts), undefined, dev(opts))), opts);
}
/** Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n-1. Default dtype int64 for integer arguments. */
export function arange<D extends DType = DType>(start: number, end?: number, step = 1, opts?: CreateOptions<D>): Tensor<D> {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const ints = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  const dtype = opts?.dtype ?? (ints ? 'int64' : 'float32');
  const c = dtypeCode(dtype, 'options.dtype');
  for (const [name, v] of [['start', start], ['end', end], ['step', step]] as const) {
    if (typeof v !== 'number' || Number.isNaN(v)) throw invalidArgument(`arange(): ${name} must be a number, got ${describeValue(v)}`);
  }
  checkValueFits(start, dtype, 'arange(): start');
  const count = Math.ceil((end - start) / step);
  if (count > 1) checkValueFits(start + (count - 1) * step, dtype, `arange(): its last value (start + ${count - 1} * step)`);
  return finish(wrap(addon.call(id(CREATION_OPS.arange), start, end, step, c, undefined, dev(opts))), opts);
}
/** `steps` evenly spaced values from start to end, both included. */
export function linspace<D extends DType = 'float32'>(start: number, end: number, steps: number, opts?: CreateOptions<D>): Tensor<D> {
  const dtype = opts?.dtype ?? 'float32';
  checkValueFits(start, dtype, 'linspace(): start');
  checkValueFits(end, dtype, 'linspace(): end');
  if (!Number.isSafeInteger(steps) || steps < 0) throw invalidArgument(`linspace(): steps must be a non-negative integer, got ${describeValue(steps)}`);
  return finish(wrap(addon.call(id(CREATION_OPS.linspace), start, end, steps, code(opts), undefined, dev(opts))), opts);
}
/** An n x m identity matrix (m defaults to n). */
export function eye<D extends DType = 'float32'>(n: number, m?: number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.eye), n, m ?? n, code(opts), undefined, dev(opts))), opts);
}

// A `*_like` factory: t's shape, and its dtype and device unless opts give them; `values` come
// between the input and the dtype in the schema (full_like's fill value).
function likeOp<D extends DType>(op: OpRef, t: Tensor<D>, opts: CreateOptions | undefined, ...values: unknown[]): Tensor<D> {
  handleOf(t, 'input');
  const dtype = opts?.dtype === undefined ? undefined : dtypeCode(opts.dtype);
  return finish(wrap(addon.call(id(op), t.h, ...values, dtype, undefined, dev(opts))), opts) as Tensor<D>;
}
/** Zeros of `t`'s shape (and dtype and device unless given). */
export function zerosLike<D extends DType>(t: Tensor<D>, opts?: CreateOptions): Tensor<D> {
  return likeOp(CREATION_OPS.zerosLike, t, opts);
}
/** Ones with the shape of `t` (and its dtype and device unless given). */
export function onesLike<D extends DType>(t: Tensor<D>, opts?: CreateOptions): Tensor<D> {
  return likeOp(CREATION_OPS.onesLike, t, opts);
}
/** `value` everywhere, with the shape of `t` (and its dtype and device unless given). */
export function fullLike<D extends DType>(t: Tensor<D>, value: number | boolean, opts?: CreateOptions): Tensor<D> {
  handleOf(t, 'input');
  checkValueFits(value, opts?.dtype ?? t.dtype, 'fullLike(): value');
  return likeOp(CREATION_OPS.fullLike, t, opts, value);
}
/** Uninitialised memory with the shape of `t` (and its dtype and device unless given). */
export function emptyLike<D extends DType>(t: Tensor<D>, opts?: CreateOptions): Tensor<D> {
  return likeOp(CREATION_OPS.emptyLike, t, opts);
}

// ---------------------------------------------------------------- random

/** Options of the random creators: as CreateOptions, plus an explicit generator. */
export interface RandomOptions<D extends DType = DType> extends CreateOptions<D> {
  /** draw from this generator instead of the default one */
  generator?: Generator;
}

/** U[0, 1). */
export function rand<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.rand), shapeArg(shape, 'rand'), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** N(0, 1). */
export function randn<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.randn), shapeArg(shape, 'randn'), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** N(mean, std^2). */
export function normal<D extends DType = 'float32'>(mean: number, std: number, shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.normal), mean, std, shapeArg(shape, 'normal'), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** Integers uniformly from [low, high). Default dtype int64. */
export function randint<D extends DType = 'int64'>(low: number, high: number, shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  if (!(high > low)) throw invalidArgument(`randint(): high (${high}) must be greater than low (${low})`);
  const dtype = opts?.dtype ?? 'int64';
  const c = dtypeCode(dtype, 'options.dtype');
  checkValueFits(low, dtype, 'randint(): low');
  checkValueFits(high - 1, dtype, 'randint(): high - 1 (the largest value drawn)');
  return finish(wrap(addon.call(id(CREATION_OPS.randint), low, high, shapeArg(shape, 'randint'), opts?.generator?.id, c, undefined, dev(opts))), opts);
}
/** A random permutation of 0..n-1 (int64). */
export function randperm<D extends DType = 'int64'>(n: number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.randperm), n, opts?.generator?.id, code(opts, 'int64'), undefined, dev(opts))), opts);
}
/** Draws 0/1 with probability p: `p` a tensor of probabilities (same shape out), or a number with `like`. */
export function bernoulli(p: Tensor | number, opts: { like?: Tensor; generator?: Generator } = {}): Tensor {
  if (typeof p === 'number') {
    if (!opts.like) throw invalidArgument('bernoulli(p: number) needs opts.like, the tensor whose shape and dtype to draw');
    return wrap(addon.call(id(CREATION_OPS.bernoulliProbability), handleOf(opts.like, 'like'), p, opts.generator?.id));
  }
  return wrap(addon.call(id(CREATION_OPS.bernoulli), handleOf(p, 'p'), opts.generator?.id));
}
/** U[0, 1) with the shape of `t` (and its dtype and device unless given). */
export function randLike<D extends DType>(t: Tensor<D>, opts?: RandomOptions): Tensor<D> {
  return likeOp(CREATION_OPS.randLike, t, opts, opts?.generator?.id);
}
/** N(0, 1) with the shape of `t` (and its dtype and device unless given). */
export function randnLike<D extends DType>(t: Tensor<D>, opts?: RandomOptions): Tensor<D> {
  return likeOp(CREATION_OPS.randnLike, t, opts, opts?.generator?.id);
}

/** Moments and bounds of a truncated normal draw: N(mean, std^2) restricted to [a, b]. */
export interface TruncNormalOptions {
  /** default 0 */
  mean?: number;
  /** the std before truncation; default 1 */
  std?: number;
  /** lower bound (absolute, not in stds); default -2 */
  a?: number;
  /** upper bound; default 2 */
  b?: number;
  /** draw from this generator instead of the default one */
  generator?: Generator;
}

/**
 * Fills `t` in place with N(mean, std^2) restricted to [a, b], by inverse-CDF sampling then
 * clamping: u ~ U(erf(alpha/sqrt2), erf(beta/sqrt2)) for the standardised bounds alpha, beta,
 * then t = clamp(mean + std * sqrt2 * erfinv(u), a, b). The one implementation of the truncated
 * normal: `truncNormal` and the reference HRM's initialiser (`nn.truncNormal_`) both use it.
 */
export function fillTruncNormal_(t: Tensor, opts: TruncNormalOptions = {}): Tensor {
  checkTensor(t, 'fillTruncNormal_(): t');
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`fillTruncNormal_(): opts must be an object, got ${describeValue(opts)}`);
  for (const k of ['mean', 'std', 'a', 'b'] as const) {
    if (opts[k] !== undefined && typeof opts[k] !== 'number') throw invalidArgument(`fillTruncNormal_(): opts.${k} must be a number, got ${describeValue(opts[k])}`);
  }
  const mean = opts.mean ?? 0;
  const std = opts.std ?? 1;
  const a = opts.a ?? -2;
  const b = opts.b ?? 2;
  if (!(b > a)) throw invalidArgument(`truncated normal: b (${b}) must be greater than a (${a})`);
  t.uniform_(erf((a - mean) / std / Math.SQRT2), erf((b - mean) / std / Math.SQRT2), opts.generator);
  t.erfinv_();
  t.mul_(std * Math.SQRT2);
  if (mean !== 0) t.add_(mean);
  t.clamp_(a, b);
  return t;
}

/**
 * Truncated normal: N(mean, std^2) restricted to the absolute interval [a, b], by inverse-CDF
 * sampling then clamping (the algorithm of `torch.nn.init.trunc_normal_` before PyTorch 2.13, and
 * of JAX). Same distribution as PyTorch 2.13's rejection sampler, but not the same numbers for a
 * seed. (The reference HRM's variant, whose `std` is the std after truncation, is
 * `nn.truncNormal_`.)
 */
export function truncNormal<D extends DType = 'float32'>(
  shape: readonly number[] | number,
  opts: RandomOptions<D> & TruncNormalOptions = {},
): Tensor<D> {
  const a = opts.a ?? -2;
  const b = opts.b ?? 2;
  if (!(b > a)) throw invalidArgument(`truncNormal(): b (${b}) must be greater than a (${a})`);
  const dtype = opts.dtype ?? 'float32';
  if (!isFloating(dtype)) throw invalidArgument(`truncNormal(): dtype must be floating point, got ${dtype}`);
  return finish(fillTruncNormal_(empty(shape, { dtype, device: opts.device }), opts), opts) as Tensor<D>;
}
