/**
 * Making tensors: from JS data, filled, ranges, and random (with the global seed or an explicit
 * Generator).
 * @module
 */
import { addon } from '../native';
import { DType, Device, checkDevice, dtypeCode, dtypeOfTypedArray, invalidArgument, isDType, isFloating, requireDeviceAvailable } from './dtype';
import { OpRef, id, ops } from './ops';
import { erf } from '../util/math';
import { NestedArray, Tensor, handleOf, wrapHandle as wrap } from './tensor';


// The ATen factory operators the creation functions call.
const CREATION_OPS = ops({
  zeros: 'aten::zeros', ones: 'aten::ones', full: 'aten::full', empty: 'aten::empty.memory_format',
  arange: 'aten::arange.start_step', linspace: 'aten::linspace', eye: 'aten::eye.m',
  zerosLike: 'aten::zeros_like', onesLike: 'aten::ones_like', fullLike: 'aten::full_like', emptyLike: 'aten::empty_like',
  rand: 'aten::rand.generator', randn: 'aten::randn.generator', randint: 'aten::randint.low_generator',
  randperm: 'aten::randperm.generator', bernoulli: 'aten::bernoulli', bernoulliProbability: 'aten::bernoulli.p',
  randLike: 'aten::rand_like', randnLike: 'aten::randn_like', normal: 'aten::normal.float_float',
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
    this.id = addon.generatorNew(seed, checkDevice(device));
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

/** Seeds the default generators (CPU and CUDA), as torch.manual_seed. */
export function manualSeed(seed: number | bigint): void {
  addon.manualSeed(seed);
}

/** The default CPU generator's state (for checkpoints). */
export function getRngState(): Tensor<'uint8'> {
  return wrap(addon.generatorGetState(-1)) as Tensor<'uint8'>;
}

/** Restores the default CPU generator's state (from `getRngState()`). */
export function setRngState(state: Tensor): void {
  addon.generatorSetState(-1, handleOf(state, 'state'));
}

function finish<D extends DType>(t: Tensor, opts: CreateOptions<D> | undefined): Tensor<D> {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t as Tensor<D>;
}

function shapeArg(shape: readonly number[] | number, name = 'shape'): number[] {
  const s = typeof shape === 'number' ? [shape] : Array.from(shape);
  for (const d of s) {
    if (!Number.isInteger(d) || d < 0) throw invalidArgument(`${name} must be non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return s;
}

function dev(opts?: { device?: Device }): Device | undefined {
  if (opts?.device === undefined) return undefined;
  const d = checkDevice(opts.device);
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
const asNumber = (v: JsScalar) => Number(v);
// How `tensor()` writes JS values for each dtype that has a JS array type.
const NUMBERS_AS: Partial<Record<DType, (flat: JsScalar[]) => ArrayBufferView>> = {
  float32: (flat) => Float32Array.from(flat, asNumber),
  float64: (flat) => Float64Array.from(flat, asNumber),
  int32: (flat) => Int32Array.from(flat, asNumber),
  int64: (flat) => BigInt64Array.from(flat, (v) => (typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))))),
  bool: (flat) => Uint8Array.from(flat, asNumber),
  uint8: (flat) => Uint8Array.from(flat, asNumber),
  int8: (flat) => Int8Array.from(flat, asNumber),
  int16: (flat) => Int16Array.from(flat, asNumber),
};

/**
 * A tensor from JS data: a number, nested arrays, or a TypedArray (flat; give `shape`).
 * Numbers become float32 unless `dtype` says otherwise (JS has no separate integer type);
 * booleans become bool; bigints int64.
 */
export function tensor<D extends DType = 'float32'>(data: TensorData, opts: CreateOptions<D> & { shape?: number[] } = {}): Tensor<D> {
  if (ArrayBuffer.isView(data)) return fromTypedArray(data, opts.shape ?? [(data as unknown as { length: number }).length], opts);
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: unknown[] = shape.length === 0 ? [data] : (data as unknown[]).flat(Infinity);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== expected) {
    throw invalidArgument(`tensor(): the nested arrays are ragged (shape ${JSON.stringify(shape)} needs ${expected} values, found ${flat.length})`);
  }
  const first = flat[0];
  const dtype: DType = opts.dtype ?? (typeof first === 'boolean' ? 'bool' : typeof first === 'bigint' ? 'int64' : 'float32');
  if (!isDType(dtype)) throw invalidArgument(`options.dtype must be a dtype name, got ${JSON.stringify(dtype)}`);
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
      throw invalidArgument(`tensor(): element ${i} is ${v === null ? 'null' : typeof v}; only numbers, booleans and bigints are allowed`);
    }
  }
  // The half types have no JS array: they are written as float32 and cast.
  const write = NUMBERS_AS[dtype];
  const bufDtype: DType = write ? dtype : 'float32';
  const buf = (write ?? NUMBERS_AS.float32!)(flat as (number | boolean | bigint)[]);
  let t = wrap(addon.fromBuffer(buf, dtypeCode(bufDtype), shape, undefined));
  if (bufDtype !== dtype) {
    const c = t.to(dtype);
    t.dispose();
    t = c;
  }
  const d = dev(opts);
  if (d !== undefined && d !== 'cpu') {
    const m = t.to(d);
    t.dispose();
    t = m;
  }
  return finish(t, opts);
}

/** A tensor holding a copy of a TypedArray, viewed with `shape` (float16/bfloat16 from raw Uint16 bits). */
export function fromTypedArray<D extends DType>(data: ArrayBufferView, shape: readonly number[], opts: CreateOptions<D> = {}): Tensor<D> {
  const dtype = opts.dtype ?? dtypeOfTypedArray(data);
  if (data instanceof Uint16Array && dtype !== 'float16' && dtype !== 'bfloat16') {
    throw invalidArgument('a Uint16Array holds float16 or bfloat16 bits: pass dtype "float16" or "bfloat16"');
  }
  const natural = data instanceof Uint16Array ? dtype : dtypeOfTypedArray(data);
  const t0 = wrap(addon.fromBuffer(data, dtypeCode(natural), shapeArg(shape), dev(opts)));
  if (natural === dtype) return finish(t0, opts);
  const t = t0.to(dtype);
  t0.dispose();
  return finish(t, opts);
}

// ---------------------------------------------------------------- filled

/** A tensor of zeros. */
export function zeros<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.zeros), shapeArg(shape), code(opts), undefined, dev(opts))), opts);
}
/** A tensor of ones. */
export function ones<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.ones), shapeArg(shape), code(opts), undefined, dev(opts))), opts);
}
/** A tensor filled with `value` (bool for a boolean value, float32 otherwise, unless dtype says). */
export function full<D extends DType = 'float32'>(shape: readonly number[] | number, value: number | boolean, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.full), shapeArg(shape), value, code(opts, typeof value === 'boolean' ? 'bool' : 'float32'), undefined, dev(opts))), opts);
}
/** Uninitialised memory of the given shape. */
export function empty<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: CreateOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.empty), shapeArg(shape), code(opts), undefined, dev(opts))), opts);
}
/** Values from start (inclusive) to end (exclusive) by step; `arange(n)` is 0..n-1. Default dtype int64 for integer arguments. */
export function arange<D extends DType = DType>(start: number, end?: number, step = 1, opts?: CreateOptions<D>): Tensor<D> {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  const ints = Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step);
  return finish(wrap(addon.call(id(CREATION_OPS.arange), start, end, step, code(opts, ints ? 'int64' : 'float32'), undefined, dev(opts))), opts);
}
/** `steps` evenly spaced values from start to end, both included. */
export function linspace<D extends DType = 'float32'>(start: number, end: number, steps: number, opts?: CreateOptions<D>): Tensor<D> {
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
  return finish(wrap(addon.call(id(CREATION_OPS.rand), shapeArg(shape), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** N(0, 1). */
export function randn<D extends DType = 'float32'>(shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.randn), shapeArg(shape), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** N(mean, std^2). */
export function normal<D extends DType = 'float32'>(mean: number, std: number, shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  return finish(wrap(addon.call(id(CREATION_OPS.normal), mean, std, shapeArg(shape), opts?.generator?.id, code(opts), undefined, dev(opts))), opts);
}
/** Integers uniformly from [low, high). Default dtype int64. */
export function randint<D extends DType = 'int64'>(low: number, high: number, shape: readonly number[] | number, opts?: RandomOptions<D>): Tensor<D> {
  if (!(high > low)) throw invalidArgument(`randint(): high (${high}) must be greater than low (${low})`);
  return finish(wrap(addon.call(id(CREATION_OPS.randint), low, high, shapeArg(shape), opts?.generator?.id, code(opts, 'int64'), undefined, dev(opts))), opts);
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
export function randLike<D extends DType>(t: Tensor<D>, opts?: CreateOptions): Tensor<D> {
  return likeOp(CREATION_OPS.randLike, t, opts);
}
/** N(0, 1) with the shape of `t` (and its dtype and device unless given). */
export function randnLike<D extends DType>(t: Tensor<D>, opts?: CreateOptions): Tensor<D> {
  return likeOp(CREATION_OPS.randnLike, t, opts);
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
