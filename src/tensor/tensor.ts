/**
 * The Tensor class: a TypeScript object over a native handle, with PyTorch's method names in
 * camelCase. Every method that makes a tensor returns a new Tensor owned by the current scope
 * (see scope.ts); in-place methods end in `_` and return `this`.
 * @module
 */
import { inspect } from 'util';
import { addon, Handle, NativeValue } from '../native';
import {
  AnyTypedArray,
  DTYPES,
  DType,
  Device,
  TypedArrayFor,
  checkDevice,
  checkValueFits,
  dtypeCode,
  dtypeFromCode,
  invalidArgument,
  isDType,
  requireDeviceAvailable,
  typedArrayOf,
} from './dtype';
import { describeValue, hrmError } from '../util/errors';
import { id, ops } from './ops';
import { checkIntList, checkShape, normalizeDim } from './shape';
import { GcCell, Owned, Scope, keep as keepTensor, release, track } from './scope';


// Node 18.18+/20 define Symbol.dispose as Symbol.for('nodejs.dispose'); a fresh vm context (a test
// runner's, say) may lack it. Define it the same way so `using` works everywhere.
if (typeof (Symbol as { dispose?: symbol }).dispose !== 'symbol') {
  Object.defineProperty(Symbol, 'dispose', { value: Symbol.for('nodejs.dispose') });
}

/** Nested number arrays as read back by `toArray()`. */
export type NestedArray<T> = T | NestedArray<T>[];

/** Rounding mode of `div`. */
export type RoundingMode = 'trunc' | 'floor';

/** The ATen operators the Tensor methods call, by what they are (see `schemaOf` for the full schemas). */
export const TENSOR_OPS = ops({
  add: 'aten::add.Tensor', addScalar: 'aten::add.Scalar', sub: 'aten::sub.Tensor', subScalar: 'aten::sub.Scalar',
  mul: 'aten::mul.Tensor', mulScalar: 'aten::mul.Scalar', div: 'aten::div.Tensor', divScalar: 'aten::div.Scalar',
  divMode: 'aten::div.Tensor_mode', divScalarMode: 'aten::div.Scalar_mode',
  pow: 'aten::pow.Tensor_Tensor', powScalar: 'aten::pow.Tensor_Scalar',
  neg: 'aten::neg', abs: 'aten::abs', sqrt: 'aten::sqrt', rsqrt: 'aten::rsqrt', exp: 'aten::exp', log: 'aten::log',
  log1p: 'aten::log1p', tanh: 'aten::tanh', sigmoid: 'aten::sigmoid', silu: 'aten::silu', relu: 'aten::relu',
  gelu: 'aten::gelu', erf: 'aten::erf', erfinv: 'aten::erfinv', sign: 'aten::sign', square: 'aten::square',
  reciprocal: 'aten::reciprocal', floor: 'aten::floor', ceil: 'aten::ceil', round: 'aten::round', sin: 'aten::sin',
  cos: 'aten::cos', clamp: 'aten::clamp', clampTensor: 'aten::clamp.Tensor', maximum: 'aten::maximum', minimum: 'aten::minimum',
  atan2: 'aten::atan2', isnan: 'aten::isnan', isfinite: 'aten::isfinite',
  eq: 'aten::eq.Tensor', eqScalar: 'aten::eq.Scalar', ne: 'aten::ne.Tensor', neScalar: 'aten::ne.Scalar',
  lt: 'aten::lt.Tensor', ltScalar: 'aten::lt.Scalar', le: 'aten::le.Tensor', leScalar: 'aten::le.Scalar',
  gt: 'aten::gt.Tensor', gtScalar: 'aten::gt.Scalar', ge: 'aten::ge.Tensor', geScalar: 'aten::ge.Scalar',
  logicalAnd: 'aten::logical_and', logicalOr: 'aten::logical_or', logicalNot: 'aten::logical_not',
  logicalXor: 'aten::logical_xor',
  matmul: 'aten::matmul', bmm: 'aten::bmm', mm: 'aten::mm',
  sum: 'aten::sum', sumDims: 'aten::sum.dim_IntList', mean: 'aten::mean', meanDims: 'aten::mean.dim',
  var: 'aten::var.correction', std: 'aten::std.correction', max: 'aten::max', maxDim: 'aten::max.dim',
  min: 'aten::min', minDim: 'aten::min.dim', argmax: 'aten::argmax', argmin: 'aten::argmin', all: 'aten::all',
  allDims: 'aten::all.dims', any: 'aten::any', anyDims: 'aten::any.dims', logsumexp: 'aten::logsumexp',
  cumsum: 'aten::cumsum', prod: 'aten::prod', prodDim: 'aten::prod.dim_int', softmax: 'aten::softmax.int', logSoftmax: 'aten::log_softmax.int',
  topk: 'aten::topk', sort: 'aten::sort.stable', argsort: 'aten::argsort.stable',
  view: 'aten::view', reshape: 'aten::reshape', flatten: 'aten::flatten.using_ints', permute: 'aten::permute',
  transpose: 'aten::transpose.int', contiguous: 'aten::contiguous', unsqueeze: 'aten::unsqueeze',
  squeeze: 'aten::squeeze', squeezeDims: 'aten::squeeze.dims', expand: 'aten::expand', repeat: 'aten::repeat',
  split: 'aten::split.Tensor', splitSizes: 'aten::split_with_sizes', chunk: 'aten::chunk', narrow: 'aten::narrow',
  slice: 'aten::slice.Tensor', select: 'aten::select.int', indexSelect: 'aten::index_select', gather: 'aten::gather',
  scatter: 'aten::scatter.src', scatterValue: 'aten::scatter.value', scatterAdd: 'aten::scatter_add',
  indexPut: 'aten::index_put', index: 'aten::index.Tensor', maskedFill: 'aten::masked_fill.Scalar',
  maskedFillTensor: 'aten::masked_fill.Tensor', where: 'aten::where.self', whereScalarOther: 'aten::where.ScalarOther',
  nonzero: 'aten::nonzero', unique: 'aten::_unique2', indexAdd: 'aten::index_add', clone: 'aten::clone', detach: 'aten::detach', to: 'aten::to.dtype_layout',
  add_: 'aten::add_.Tensor', addScalar_: 'aten::add_.Scalar', sub_: 'aten::sub_.Tensor', subScalar_: 'aten::sub_.Scalar',
  mul_: 'aten::mul_.Tensor', mulScalar_: 'aten::mul_.Scalar', div_: 'aten::div_.Tensor', divScalar_: 'aten::div_.Scalar',
  addcmul_: 'aten::addcmul_', addcdiv_: 'aten::addcdiv_', lerp_: 'aten::lerp_.Scalar', lerpTensor_: 'aten::lerp_.Tensor',
  copy_: 'aten::copy_', zero_: 'aten::zero_', fill_: 'aten::fill_.Scalar', clamp_: 'aten::clamp_',
  sqrt_: 'aten::sqrt_', neg_: 'aten::neg_', erfinv_: 'aten::erfinv_', uniform_: 'aten::uniform_',
  normal_: 'aten::normal_', indexPut_: 'aten::index_put_', maskedFill_: 'aten::masked_fill_.Scalar',
});

function wrap(h: NativeValue): Tensor {
  const t = new Tensor(h as Handle);
  track(t);
  return t;
}

function wrapAll(hs: NativeValue): Tensor[] {
  return (hs as Handle[]).map((h) => wrap(h));
}

/** The handle of a Tensor argument, or a clear error naming the argument. */
export function handleOf(x: unknown, name: string): Handle {
  if (x instanceof Tensor) return x.h;
  throw invalidArgument(`${name} must be a Tensor, got ${describe(x)}`);
}

/** Returns `x` when it is a Tensor; otherwise `INVALID_ARGUMENT`: "`what` must be a Tensor, got ...". */
export function checkTensor<T extends Tensor = Tensor>(x: unknown, what: string): T {
  if (x instanceof Tensor) return x as T;
  throw invalidArgument(`${what} must be a Tensor, got ${describe(x)}`);
}

/** The handle of an optional tensor argument: undefined stays undefined (the schema default). */
export function optionalHandleOf(x: unknown, name: string): Handle | undefined {
  return x === undefined ? undefined : handleOf(x, name);
}

const describe = describeValue;

/** The handles of an index list (`index`, `indexPut`): an array of tensors or undefined (a full slice). */
function indexHandles(indices: unknown, method: string): (Handle | undefined)[] {
  if (!Array.isArray(indices)) throw invalidArgument(`${method}(): indices must be an array of tensors (undefined for a whole dim), got ${describe(indices)}`);
  return indices.map((t, i) => optionalHandleOf(t, `${method}(): indices[${i}]`));
}

function scalarOrTensor(x: unknown, name: string): x is number | boolean {
  if (typeof x === 'number' || typeof x === 'boolean') return true;
  if (x instanceof Tensor) return false;
  throw invalidArgument(`${name} must be a Tensor or a number, got ${describe(x)}`);
}

const intList = checkIntList;

/** What `unique()` returns. */
export interface UniqueResult<D extends DType> {
  /** the distinct values, sorted */
  values: Tensor<D>;
  /** for each element, the position of its value in `values` */
  inverse: Tensor<'int64'>;
  /** how often each value occurs */
  counts: Tensor<'int64'>;
}

/** What `to()` accepts: a dtype, a device, or both. */
export interface ToOptions {
  /** the dtype to convert to */
  dtype?: DType;
  /** the device to move to */
  device?: Device;
  /** force a copy even when nothing changes */
  copy?: boolean;
  /** copy host memory to a GPU asynchronously (pinned memory only) */
  nonBlocking?: boolean;
}

/** The values and int64 indices that `max(dim)`, `min(dim)`, `topk` and `sort` return. */
export interface ValuesAndIndices<D extends DType> {
  /** the selected (or sorted) values */
  values: Tensor<D>;
  /** where each value was along the dim */
  indices: Tensor<'int64'>;
}

/**
 * An n-dimensional array on the CPU or a CUDA device, over a native libtorch tensor. One class,
 * one short method per operator: each is a call of the ATen operator named in TENSOR_OPS.
 */
export class Tensor<D extends DType = DType> implements Owned {
  /** @internal native handle; -1 once disposed */
  h: Handle;
  /** @internal */
  _scope: Scope | null = null;
  /** @internal */
  _cell: GcCell | null = null;
  private _meta?: number[];

  /** @internal Use the creation functions (`tensor`, `zeros`, ...) instead. */
  constructor(handle: Handle) {
    this.h = handle;
  }

  // ------------------------------------------------------------ metadata

  // [dtype code, device index (-1 = cpu), ...shape]; shape, dtype and device never change.
  private meta(): number[] {
    if (this._meta === undefined) {
      if (this.h < 0) throw disposedError();
      this._meta = addon.meta(this.h);
    }
    return this._meta;
  }

  /** The sizes of each dimension. */
  get shape(): number[] {
    return this.meta().slice(2);
  }
  /** The element type. */
  get dtype(): D {
    return dtypeFromCode(this.meta()[0]) as D;
  }
  /** Where the data lives. */
  get device(): Device {
    const d = this.meta()[1];
    return d < 0 ? 'cpu' : (`cuda:${d}` as Device);
  }
  /** The number of dimensions. */
  get ndim(): number {
    return this.meta().length - 2;
  }
  /** The number of elements. */
  get numel(): number {
    let n = 1;
    const m = this.meta();
    for (let i = 2; i < m.length; i++) n *= m[i];
    return n;
  }
  /** The size of one dimension (negative dims count from the end). */
  size(dim: number): number {
    const s = this.shape;
    return s[normalizeDim(dim, s.length, 'size(): dim')];
  }
  /** Whether `dispose()` (or its scope) has freed this tensor. */
  get isDisposed(): boolean {
    return this.h < 0;
  }

  // ------------------------------------------------------------ lifetime

  /** Frees the native tensor now. Safe to call twice. */
  dispose(): void {
    release(this);
  }
  /** Frees the native tensor at the end of a `using` block. */
  [Symbol.dispose](): void {
    release(this);
  }
  /** Exempts this tensor from the enclosing scope; you dispose it. */
  keep(): this {
    return keepTensor(this);
  }

  // ------------------------------------------------------------ readback

  /** A copy of the data as a TypedArray of this dtype (int64 -> BigInt64Array; half types -> raw bits). */
  toTypedArray(): TypedArrayFor<D> {
    return typedArrayOf(this.dtype, addon.toBuffer(this.h));
  }
  /** Like toTypedArray, with the device-to-host copy done off the JS thread. */
  async toTypedArrayAsync(): Promise<TypedArrayFor<D>> {
    const dtype = this.dtype;
    return typedArrayOf(dtype, await addon.toBufferAsync(this.h));
  }
  /** The data as nested arrays of numbers (booleans for bool; int64 converted to number). */
  toArray(): NestedArray<number | boolean> {
    return nest(this.flatValues(), this.shape);
  }
  /** Like toArray, with the copy done off the JS thread. */
  async toArrayAsync(): Promise<NestedArray<number | boolean>> {
    const dtype = this.dtype;
    const shape = this.shape;
    let buf: ArrayBuffer;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      const f = this.to('float32');
      try {
        buf = await addon.toBufferAsync(f.h);
      } finally {
        f.dispose();
      }
      return nest(Array.from(new Float32Array(buf)), shape);
    }
    buf = await addon.toBufferAsync(this.h);
    return nest(plainValues(dtype, typedArrayOf(dtype, buf)), shape);
  }
  /** The value of a one-element tensor. */
  item(): number | boolean {
    return addon.item(this.h);
  }

  private flatValues(): (number | boolean)[] {
    const dtype = this.dtype;
    if (dtype === 'float16' || dtype === 'bfloat16') {
      const f = this.to('float32');
      try {
        return Array.from(f.toTypedArray() as Float32Array);
      } finally {
        f.dispose();
      }
    }
    return plainValues(dtype, this.toTypedArray());
  }

  /** The values (up to 1000 elements), shape, dtype and device, as text. */
  toString(): string {
    if (this.h < 0) return 'Tensor(disposed)';
    const extra = `shape=[${this.shape.join(', ')}], dtype=${this.dtype}${this.device === 'cpu' ? '' : `, device=${this.device}`}`;
    if (this.numel > 1000) return `tensor(..., ${extra})`;
    return `tensor(${formatNested(this.toArray(), this.dtype)}, ${extra})`;
  }
  /** How `console.log` and `util.inspect` show the tensor: as `toString()`. */
  [inspect.custom](): string {
    return this.toString();
  }

  // ------------------------------------------------------------ autograd

  /** Whether operations on this tensor are recorded for autograd. */
  get requiresGrad(): boolean {
    return addon.requiresGrad(this.h);
  }
  /** Sets requiresGrad in place and returns this tensor. */
  requiresGrad_(flag = true): this {
    addon.setRequiresGrad(this.h, flag);
    return this;
  }
  /** The accumulated gradient (a new Tensor each time it is read), or undefined. */
  get grad(): Tensor<D> | undefined {
    const g = addon.grad(this.h);
    return g === undefined ? undefined : (wrap(g) as Tensor<D>);
  }
  /**
   * Sets the accumulated gradient, or clears it with undefined. As in PyTorch, the gradient
   * must have this tensor's shape, dtype and device.
   */
  set grad(g: Tensor | undefined) {
    const h = optionalHandleOf(g, 'grad');
    if (g !== undefined) {
      const [mine, theirs] = [this.meta(), g.meta()];
      if (mine.length !== theirs.length || mine.some((v, i) => v !== theirs[i])) {
        const what = (t: Tensor) => `shape [${t.shape.join(', ')}], dtype ${t.dtype}, device ${t.device}`;
        throw invalidArgument(`grad must match the tensor (${what(this)}); got a gradient with ${what(g)}`);
      }
    }
    addon.setGrad(this.h, h);
  }
  /** Whether this tensor is a leaf of the autograd graph. */
  get isLeaf(): boolean {
    return addon.isLeaf(this.h);
  }
  /** Keeps the gradient of a non-leaf tensor after backward(). */
  retainGrad(): this {
    addon.retainGrad(this.h);
    return this;
  }
  /** Computes gradients of this tensor with respect to the leaves that require them. */
  backward(gradient?: Tensor, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
    addon.backward(this.h, optionalHandleOf(gradient, 'gradient'), opts.retainGraph, opts.createGraph);
  }
  /** A tensor sharing this one's data, cut from the autograd graph. */
  detach(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.detach), this.h)) as Tensor<D>;
  }
  /** A copy of the data (recorded by autograd). */
  clone(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.clone), this.h)) as Tensor<D>;
  }

  // ------------------------------------------------------------ moves and casts

  /** Converts to a dtype and/or moves to a device (returns this tensor's data when nothing changes). */
  to<E extends DType>(dtype: E): Tensor<E>;
  to(device: Device): Tensor<D>;
  to<E extends DType = D>(opts: ToOptions & { dtype?: E }): Tensor<E>;
  to(arg: DType | Device | ToOptions): Tensor {
    let dtype: DType | undefined;
    let device: Device | undefined;
    let copy = false;
    let nonBlocking = false;
    if (typeof arg === 'string') {
      if (isDType(arg)) dtype = arg;
      else if (arg === 'cpu' || arg.startsWith('cuda')) device = checkDevice(arg, 'to(): device');
      else throw invalidArgument(`to() takes a dtype (${DTYPES.join(', ')}), a device ('cpu', 'cuda' or 'cuda:N') or { dtype, device }; got ${describe(arg)}`);
    } else if (typeof arg === 'object' && arg !== null) {
      if (arg.dtype !== undefined) dtype = arg.dtype;
      if (arg.device !== undefined) device = checkDevice(arg.device, 'to(): options.device');
      copy = !!arg.copy;
      nonBlocking = !!arg.nonBlocking;
    } else {
      throw invalidArgument(`to() takes a dtype, a device or { dtype, device }, got ${describe(arg)}`);
    }
    if (device !== undefined) requireDeviceAvailable(device, 'cannot move a tensor to');
    return wrap(
      addon.call(id(TENSOR_OPS.to), this.h, dtype === undefined ? undefined : dtypeCode(dtype), undefined, device, undefined, nonBlocking, copy),
    );
  }
  /** This tensor on the CPU (copied from a GPU if needed). */
  cpu(): Tensor<D> {
    return this.to('cpu');
  }
  /** This tensor on a CUDA device (the current one, or `index`). */
  cuda(index?: number): Tensor<D> {
    return this.to(index === undefined ? 'cuda' : (`cuda:${index}` as Device));
  }
  /** A float32 copy (this tensor when already float32). */
  float(): Tensor<'float32'> {
    return this.to('float32');
  }
  /** A float64 copy (this tensor when already float64). */
  double(): Tensor<'float64'> {
    return this.to('float64');
  }
  /** A float16 copy (this tensor when already float16). */
  half(): Tensor<'float16'> {
    return this.to('float16');
  }
  /** A bfloat16 copy (this tensor when already bfloat16). */
  bfloat16(): Tensor<'bfloat16'> {
    return this.to('bfloat16');
  }
  /** An int32 copy (truncating). */
  int(): Tensor<'int32'> {
    return this.to('int32');
  }
  /** An int64 copy (truncating). */
  long(): Tensor<'int64'> {
    return this.to('int64');
  }
  /** A bool copy (non-zero -> true). */
  bool(): Tensor<'bool'> {
    return this.to('bool');
  }

  // ------------------------------------------------------------ shape and indexing

  /** A view with `shape` over the same data (-1 infers one dim); needs compatible strides. */
  view(...shape: number[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.view), this.h, checkShape(flatArgs(shape), 'view(): shape', { allowInfer: true }))) as Tensor<D>;
  }
  /** The same data with `shape` (a view when possible, else a copy; -1 infers one dim). */
  reshape(...shape: number[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.reshape), this.h, checkShape(flatArgs(shape), 'reshape(): shape', { allowInfer: true }))) as Tensor<D>;
  }
  /** Flattens dims startDim..endDim into one. */
  flatten(startDim = 0, endDim = -1): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.flatten), this.h, startDim, endDim)) as Tensor<D>;
  }
  /** A view with the dims reordered. */
  permute(...dims: number[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.permute), this.h, intList(flatArgs(dims), 'permute(dims)'))) as Tensor<D>;
  }
  /** A view with `dim0` and `dim1` swapped. */
  transpose(dim0: number, dim1: number): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.transpose), this.h, dim0, dim1)) as Tensor<D>;
  }
  /** Transpose of a 2-D tensor. */
  get T(): Tensor<D> {
    return this.transpose(0, 1);
  }
  /** This tensor when already contiguous in C order, else a contiguous copy. */
  contiguous(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.contiguous), this.h)) as Tensor<D>;
  }
  /** A view with a size-1 dim inserted at `dim`. */
  unsqueeze(dim: number): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.unsqueeze), this.h, dim)) as Tensor<D>;
  }
  /** A view without the size-1 dims (all, or those named). */
  squeeze(dim?: number | number[]): Tensor<D> {
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.squeeze), this.h)) as Tensor<D>;
    return wrap(addon.call(id(TENSOR_OPS.squeezeDims), this.h, intList(dim, 'squeeze(dim)'))) as Tensor<D>;
  }
  /** A broadcast view with `shape` (-1 keeps a dim; sizes 1 can grow). */
  expand(...shape: number[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.expand), this.h, checkShape(flatArgs(shape), 'expand(): shape', { allowInfer: true }))) as Tensor<D>;
  }
  /** A broadcast view with the shape of `other`. */
  expandAs(other: Tensor): Tensor<D> {
    handleOf(other, 'expandAs(): other');
    return this.expand(...other.shape);
  }
  /** Tiles the tensor `repeats[i]` times along each dim (a copy). */
  repeat(...repeats: number[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.repeat), this.h, intList(flatArgs(repeats), 'repeat(repeats)'))) as Tensor<D>;
  }
  /** Splits into pieces of `size` along dim, or into the given sizes. */
  split(sizeOrSizes: number | number[], dim = 0): Tensor<D>[] {
    if (typeof sizeOrSizes === 'number') return wrapAll(addon.call(id(TENSOR_OPS.split), this.h, sizeOrSizes, dim)) as Tensor<D>[];
    return wrapAll(addon.call(id(TENSOR_OPS.splitSizes), this.h, intList(sizeOrSizes, 'split(sizes)'), dim)) as Tensor<D>[];
  }
  /** Splits into `chunks` nearly equal pieces along `dim` (views). */
  chunk(chunks: number, dim = 0): Tensor<D>[] {
    return wrapAll(addon.call(id(TENSOR_OPS.chunk), this.h, chunks, dim)) as Tensor<D>[];
  }
  /** A view of `length` positions from `start` along `dim`. */
  narrow(dim: number, start: number, length: number): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.narrow), this.h, dim, start, length)) as Tensor<D>;
  }
  /** Python's `x[start:end:step]` along one dim (negative indices count from the end). */
  slice(dim: number, start?: number, end?: number, step = 1): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.slice), this.h, dim, start, end, step)) as Tensor<D>;
  }
  /** `x.select(dim, i)`: index one position along dim, removing it. */
  select(dim: number, index: number): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.select), this.h, dim, index)) as Tensor<D>;
  }
  /** The slices at `index` (int64) along `dim`. */
  indexSelect(dim: number, index: Tensor): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.indexSelect), this.h, dim, handleOf(index, 'index'))) as Tensor<D>;
  }
  /** Advanced indexing `x[i0, i1, ...]` with index tensors (undefined = the whole dim). */
  index(indices: (Tensor | undefined)[]): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.index), this.h, indexHandles(indices, 'index'))) as Tensor<D>;
  }
  /** Values along `dim` at `index` (out[i][j] = this[i][index[i][j]] for dim 1). */
  gather(dim: number, index: Tensor): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.gather), this.h, dim, handleOf(index, 'index'))) as Tensor<D>;
  }
  /** A copy with `src` (or a number) written at `index` along `dim`. */
  scatter(dim: number, index: Tensor, src: Tensor | number): Tensor<D> {
    if (scalarOrTensor(src, 'src')) return wrap(addon.call(id(TENSOR_OPS.scatterValue), this.h, dim, handleOf(index, 'index'), src)) as Tensor<D>;
    return wrap(addon.call(id(TENSOR_OPS.scatter), this.h, dim, handleOf(index, 'index'), src.h)) as Tensor<D>;
  }
  /** A copy with `src` added at `index` along `dim` (repeated indices accumulate). */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.scatterAdd), this.h, dim, handleOf(index, 'index'), handleOf(src, 'src'))) as Tensor<D>;
  }
  /** Out-of-place `x[indices] = values` (or `+=` with accumulate). */
  indexPut(indices: (Tensor | undefined)[], values: Tensor, accumulate = false): Tensor<D> {
    const hs = indexHandles(indices, 'indexPut');
    return wrap(addon.call(id(TENSOR_OPS.indexPut), this.h, hs, handleOf(values, 'values'), accumulate)) as Tensor<D>;
  }
  /** In-place `x[indices] = values` (or `+=` with accumulate). */
  indexPut_(indices: (Tensor | undefined)[], values: Tensor, accumulate = false): this {
    const hs = indexHandles(indices, 'indexPut_');
    addon.callVoid(id(TENSOR_OPS.indexPut_), this.h, hs, handleOf(values, 'values'), accumulate);
    return this;
  }
  /** `value` where `mask` is true, this tensor elsewhere. */
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor<D> {
    if (scalarOrTensor(value, 'maskedFill(): value')) {
      checkValueFits(value, this.dtype, 'maskedFill(): value');
      return wrap(addon.call(id(TENSOR_OPS.maskedFill), this.h, handleOf(mask, 'mask'), value)) as Tensor<D>;
    }
    return wrap(addon.call(id(TENSOR_OPS.maskedFillTensor), this.h, handleOf(mask, 'mask'), value.h)) as Tensor<D>;
  }
  /** In place: sets the elements where `mask` is true to `value`. */
  maskedFill_(mask: Tensor, value: number | boolean): this {
    checkValueFits(value, this.dtype, 'maskedFill_(): value');
    addon.callVoid(id(TENSOR_OPS.maskedFill_), this.h, handleOf(mask, 'mask'), value);
    return this;
  }
  /** `condition ? this : other`, elementwise. */
  where(condition: Tensor, other: Tensor | number): Tensor {
    if (scalarOrTensor(other, 'other')) return wrap(addon.call(id(TENSOR_OPS.whereScalarOther), handleOf(condition, 'condition'), this.h, other));
    return wrap(addon.call(id(TENSOR_OPS.where), handleOf(condition, 'condition'), this.h, other.h));
  }
  /** Sorted unique values, with the inverse indices (position of each element in `values`) and counts. */
  unique(): UniqueResult<D> {
    const [values, inverse, counts] = wrapAll(addon.call(id(TENSOR_OPS.unique), this.h, true, true, true));
    return { values: values as Tensor<D>, inverse: inverse as Tensor<'int64'>, counts: counts as Tensor<'int64'> };
  }
  /** Out-of-place `x.index_add(dim, index, source, alpha)`: rows of source added at `index`. */
  indexAdd(dim: number, index: Tensor, source: Tensor, alpha?: number): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.indexAdd), this.h, dim, handleOf(index, 'index'), handleOf(source, 'source'), alpha)) as Tensor<D>;
  }
  /** Indices of the non-zero elements, shape [count, ndim]. */
  nonzero(): Tensor<'int64'> {
    return wrap(addon.call(id(TENSOR_OPS.nonzero), this.h)) as Tensor<'int64'>;
  }

  // ------------------------------------------------------------ elementwise math

  /** this + alpha * other (other a tensor or a number; alpha default 1), broadcasting. */
  add(other: Tensor | number, alpha?: number): Tensor {
    if (scalarOrTensor(other, 'other')) return wrap(addon.call(id(TENSOR_OPS.addScalar), this.h, other, alpha));
    return wrap(addon.call(id(TENSOR_OPS.add), this.h, other.h, alpha));
  }
  /** this - alpha * other, broadcasting. */
  sub(other: Tensor | number, alpha?: number): Tensor {
    if (scalarOrTensor(other, 'other')) return wrap(addon.call(id(TENSOR_OPS.subScalar), this.h, other, alpha));
    return wrap(addon.call(id(TENSOR_OPS.sub), this.h, other.h, alpha));
  }
  /** this * other, broadcasting. */
  mul(other: Tensor | number): Tensor {
    if (scalarOrTensor(other, 'other')) return wrap(addon.call(id(TENSOR_OPS.mulScalar), this.h, other));
    return wrap(addon.call(id(TENSOR_OPS.mul), this.h, other.h));
  }
  /** this / other; with `roundingMode`, rounded toward zero (trunc) or down (floor). */
  div(other: Tensor | number, roundingMode?: RoundingMode): Tensor {
    if (scalarOrTensor(other, 'other')) {
      if (roundingMode === undefined) return wrap(addon.call(id(TENSOR_OPS.divScalar), this.h, other));
      return wrap(addon.call(id(TENSOR_OPS.divScalarMode), this.h, other, roundingMode));
    }
    if (roundingMode === undefined) return wrap(addon.call(id(TENSOR_OPS.div), this.h, other.h));
    return wrap(addon.call(id(TENSOR_OPS.divMode), this.h, other.h, roundingMode));
  }
  /** Elementwise this ** exponent. */
  pow(exponent: Tensor | number): Tensor {
    if (scalarOrTensor(exponent, 'exponent')) return wrap(addon.call(id(TENSOR_OPS.powScalar), this.h, exponent));
    return wrap(addon.call(id(TENSOR_OPS.pow), this.h, exponent.h));
  }
  /** Elementwise -x. */
  neg(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.neg), this.h)) as Tensor<D>;
  }
  /** Elementwise |x|. */
  abs(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.abs), this.h)) as Tensor<D>;
  }
  /** Elementwise square root. */
  sqrt(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.sqrt), this.h));
  }
  /** Elementwise 1 / sqrt(x). */
  rsqrt(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.rsqrt), this.h));
  }
  /** Elementwise e^x. */
  exp(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.exp), this.h));
  }
  /** Elementwise natural logarithm. */
  log(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.log), this.h));
  }
  /** Elementwise log(1 + x), exact for small x. */
  log1p(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.log1p), this.h));
  }
  /** Elementwise hyperbolic tangent. */
  tanh(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.tanh), this.h));
  }
  /** Elementwise 1 / (1 + e^-x). */
  sigmoid(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.sigmoid), this.h));
  }
  /** Elementwise x * sigmoid(x). */
  silu(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.silu), this.h));
  }
  /** Elementwise max(x, 0). */
  relu(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.relu), this.h)) as Tensor<D>;
  }
  /** Elementwise GELU, exact or with the tanh approximation. */
  gelu(approximate: 'none' | 'tanh' = 'none'): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.gelu), this.h, approximate));
  }
  /** Elementwise error function. */
  erf(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.erf), this.h));
  }
  /** Elementwise inverse error function. */
  erfinv(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.erfinv), this.h));
  }
  /** Elementwise sign: -1, 0 or 1. */
  sign(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.sign), this.h)) as Tensor<D>;
  }
  /** Elementwise x * x. */
  square(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.square), this.h)) as Tensor<D>;
  }
  /** Elementwise 1 / x. */
  reciprocal(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.reciprocal), this.h));
  }
  /** Elementwise floor. */
  floor(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.floor), this.h)) as Tensor<D>;
  }
  /** Elementwise ceiling. */
  ceil(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.ceil), this.h)) as Tensor<D>;
  }
  /** Elementwise rounding, half to even. */
  round(): Tensor<D> {
    return wrap(addon.call(id(TENSOR_OPS.round), this.h)) as Tensor<D>;
  }
  /** Elementwise sine. */
  sin(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.sin), this.h));
  }
  /** Elementwise cosine. */
  cos(): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.cos), this.h));
  }
  /** Clamps to [min, max]; either bound may be undefined (numbers or tensors). */
  clamp(min?: number | Tensor, max?: number | Tensor): Tensor<D> {
    if (min instanceof Tensor || max instanceof Tensor) {
      const lo = min === undefined ? undefined : min instanceof Tensor ? min.h : undefined;
      const hi = max === undefined ? undefined : max instanceof Tensor ? max.h : undefined;
      if ((min !== undefined && lo === undefined) || (max !== undefined && hi === undefined)) {
        throw invalidArgument('clamp(): give both bounds as tensors or both as numbers');
      }
      return wrap(addon.call(id(TENSOR_OPS.clampTensor), this.h, lo, hi)) as Tensor<D>;
    }
    if (min === undefined && max === undefined) throw invalidArgument('clamp(): at least one of min and max is needed');
    return wrap(addon.call(id(TENSOR_OPS.clamp), this.h, min, max)) as Tensor<D>;
  }
  /** Elementwise maximum of two tensors. */
  maximum(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.maximum), this.h, handleOf(other, 'other')));
  }
  /** Elementwise minimum of two tensors. */
  minimum(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.minimum), this.h, handleOf(other, 'other')));
  }
  /** Elementwise atan2(this, other), the angle of (other, this) in radians. */
  atan2(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.atan2), this.h, handleOf(other, 'other')));
  }
  /** Elementwise: is NaN. */
  isnan(): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.isnan), this.h)) as Tensor<'bool'>;
  }
  /** Elementwise: neither infinite nor NaN. */
  isfinite(): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.isfinite), this.h)) as Tensor<'bool'>;
  }

  // ------------------------------------------------------------ comparisons and logic

  /** Elementwise this == other. */
  eq(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.eq, TENSOR_OPS.eqScalar, other);
  }
  /** Elementwise this != other. */
  ne(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.ne, TENSOR_OPS.neScalar, other);
  }
  /** Elementwise this < other. */
  lt(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.lt, TENSOR_OPS.ltScalar, other);
  }
  /** Elementwise this <= other. */
  le(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.le, TENSOR_OPS.leScalar, other);
  }
  /** Elementwise this > other. */
  gt(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.gt, TENSOR_OPS.gtScalar, other);
  }
  /** Elementwise this >= other. */
  ge(other: Tensor | number): Tensor<'bool'> {
    return this.cmp(TENSOR_OPS.ge, TENSOR_OPS.geScalar, other);
  }
  private cmp(t: typeof TENSOR_OPS.eq, s: typeof TENSOR_OPS.eq, other: Tensor | number): Tensor<'bool'> {
    if (scalarOrTensor(other, 'other')) return wrap(addon.call(id(s), this.h, other)) as Tensor<'bool'>;
    return wrap(addon.call(id(t), this.h, other.h)) as Tensor<'bool'>;
  }
  /** Elementwise logical and (non-zero is true). */
  logicalAnd(other: Tensor): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.logicalAnd), this.h, handleOf(other, 'other'))) as Tensor<'bool'>;
  }
  /** Elementwise logical or. */
  logicalOr(other: Tensor): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.logicalOr), this.h, handleOf(other, 'other'))) as Tensor<'bool'>;
  }
  /** Elementwise logical exclusive or. */
  logicalXor(other: Tensor): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.logicalXor), this.h, handleOf(other, 'other'))) as Tensor<'bool'>;
  }
  /** Elementwise logical not. */
  logicalNot(): Tensor<'bool'> {
    return wrap(addon.call(id(TENSOR_OPS.logicalNot), this.h)) as Tensor<'bool'>;
  }

  // ------------------------------------------------------------ linear algebra

  /** Matrix product with broadcasting over batch dims (numpy matmul rules). */
  matmul(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.matmul), this.h, handleOf(other, 'other')));
  }
  /** Batched matrix product of [B, n, m] and [B, m, p]. */
  bmm(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.bmm), this.h, handleOf(other, 'other')));
  }
  /** Matrix product of two 2-D tensors. */
  mm(other: Tensor): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.mm), this.h, handleOf(other, 'other')));
  }

  // ------------------------------------------------------------ reductions

  /** Sum of all elements, or over `dim` (a dim or a list of dims). */
  sum(dim?: number | number[], keepdim = false, opts: { dtype?: DType } = {}): Tensor {
    const dt = opts.dtype === undefined ? undefined : dtypeCode(opts.dtype);
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.sum), this.h, dt));
    return wrap(addon.call(id(TENSOR_OPS.sumDims), this.h, intList(dim, 'dim'), keepdim, dt));
  }
  /** Mean of all elements, or over `dim` (a dim or a list of dims). */
  mean(dim?: number | number[], keepdim = false, opts: { dtype?: DType } = {}): Tensor {
    const dt = opts.dtype === undefined ? undefined : dtypeCode(opts.dtype);
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.mean), this.h, dt));
    return wrap(addon.call(id(TENSOR_OPS.meanDims), this.h, intList(dim, 'dim'), keepdim, dt));
  }
  /** Variance with Bessel's correction by default (`correction: 0` for the population variance). */
  var(dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.var), this.h, dim === undefined ? undefined : intList(dim, 'dim'), opts.correction ?? 1, opts.keepdim ?? false));
  }
  /** Standard deviation with Bessel's correction by default (`correction: 0` for the population std). */
  std(dim?: number | number[], opts: { correction?: number; keepdim?: boolean } = {}): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.std), this.h, dim === undefined ? undefined : intList(dim, 'dim'), opts.correction ?? 1, opts.keepdim ?? false));
  }
  /** The maximum of all elements; or, with dim, the values and indices along it. */
  max(): Tensor<D>;
  max(dim: number, keepdim?: boolean): ValuesAndIndices<D>;
  max(dim?: number, keepdim = false): Tensor<D> | ValuesAndIndices<D> {
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.max), this.h)) as Tensor<D>;
    const [values, indices] = wrapAll(addon.call(id(TENSOR_OPS.maxDim), this.h, dim, keepdim));
    return { values: values as Tensor<D>, indices: indices as Tensor<'int64'> };
  }
  /** The minimum of all elements; or, with dim, the values and indices along it. */
  min(): Tensor<D>;
  min(dim: number, keepdim?: boolean): ValuesAndIndices<D>;
  min(dim?: number, keepdim = false): Tensor<D> | ValuesAndIndices<D> {
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.min), this.h)) as Tensor<D>;
    const [values, indices] = wrapAll(addon.call(id(TENSOR_OPS.minDim), this.h, dim, keepdim));
    return { values: values as Tensor<D>, indices: indices as Tensor<'int64'> };
  }
  /** Index of the largest element, overall (flattened) or along `dim`. */
  argmax(dim?: number, keepdim = false): Tensor<'int64'> {
    return wrap(addon.call(id(TENSOR_OPS.argmax), this.h, dim, keepdim)) as Tensor<'int64'>;
  }
  /** Index of the smallest element, overall (flattened) or along `dim`. */
  argmin(dim?: number, keepdim = false): Tensor<'int64'> {
    return wrap(addon.call(id(TENSOR_OPS.argmin), this.h, dim, keepdim)) as Tensor<'int64'>;
  }
  /** Whether every element is true, overall or along `dim`. */
  all(dim?: number | number[], keepdim = false): Tensor<'bool'> {
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.all), this.h)) as Tensor<'bool'>;
    return wrap(addon.call(id(TENSOR_OPS.allDims), this.h, intList(dim, 'dim'), keepdim)) as Tensor<'bool'>;
  }
  /** Whether any element is true, overall or along `dim`. */
  any(dim?: number | number[], keepdim = false): Tensor<'bool'> {
    if (dim === undefined) return wrap(addon.call(id(TENSOR_OPS.any), this.h)) as Tensor<'bool'>;
    return wrap(addon.call(id(TENSOR_OPS.anyDims), this.h, intList(dim, 'dim'), keepdim)) as Tensor<'bool'>;
  }
  /** log(sum(exp(x))) over `dim`, computed stably. */
  logsumexp(dim: number | number[], keepdim = false): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.logsumexp), this.h, intList(dim, 'dim'), keepdim));
  }
  /** Cumulative sum along `dim`. */
  cumsum(dim: number, opts: { dtype?: DType } = {}): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.cumsum), this.h, dim, opts.dtype === undefined ? undefined : dtypeCode(opts.dtype)));
  }
  /** Product of all elements, or over one `dim` (keeping it as size 1 with `keepdim`), as PyTorch's prod. */
  prod(opts?: { dtype?: DType }): Tensor;
  prod(dim: number, keepdim?: boolean, opts?: { dtype?: DType }): Tensor;
  prod(dimOrOpts?: number | { dtype?: DType }, keepdim = false, opts: { dtype?: DType } = {}): Tensor {
    if (dimOrOpts === undefined || (typeof dimOrOpts === 'object' && !Array.isArray(dimOrOpts))) {
      const dt = dimOrOpts?.dtype;
      return wrap(addon.call(id(TENSOR_OPS.prod), this.h, dt === undefined ? undefined : dtypeCode(dt)));
    }
    if (typeof dimOrOpts !== 'number') throw invalidArgument(`prod(): dim must be one integer (prod reduces one dim, as in PyTorch), got ${describe(dimOrOpts)}`);
    const dim = normalizeDim(dimOrOpts, this.ndim, 'prod(): dim');
    if (typeof keepdim !== 'boolean') throw invalidArgument(`prod(): keepdim must be a boolean, got ${describe(keepdim)}`);
    return wrap(addon.call(id(TENSOR_OPS.prodDim), this.h, dim, keepdim, opts.dtype === undefined ? undefined : dtypeCode(opts.dtype)));
  }
  /** Softmax along `dim` (optionally computed in `dtype`). */
  softmax(dim: number, opts: { dtype?: DType } = {}): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.softmax), this.h, dim, opts.dtype === undefined ? undefined : dtypeCode(opts.dtype)));
  }
  /** log(softmax) along `dim`, computed stably. */
  logSoftmax(dim: number, opts: { dtype?: DType } = {}): Tensor {
    return wrap(addon.call(id(TENSOR_OPS.logSoftmax), this.h, dim, opts.dtype === undefined ? undefined : dtypeCode(opts.dtype)));
  }
  /** The k largest (or smallest) values along `dim` and their indices. */
  topk(k: number, dim = -1, largest = true, sorted = true): ValuesAndIndices<D> {
    const [values, indices] = wrapAll(addon.call(id(TENSOR_OPS.topk), this.h, k, dim, largest, sorted));
    return { values: values as Tensor<D>, indices: indices as Tensor<'int64'> };
  }
  /** Sorted values along `dim` and the indices they came from. */
  sort(dim = -1, descending = false, stable = false): ValuesAndIndices<D> {
    const [values, indices] = wrapAll(addon.call(id(TENSOR_OPS.sort), this.h, stable, dim, descending));
    return { values: values as Tensor<D>, indices: indices as Tensor<'int64'> };
  }
  /** Indices that sort along `dim` (`stable` keeps the order of equal elements). */
  argsort(dim = -1, descending = false, stable = false): Tensor<'int64'> {
    return wrap(addon.call(id(TENSOR_OPS.argsort), this.h, stable, dim, descending)) as Tensor<'int64'>;
  }

  // ------------------------------------------------------------ in place (optimizers)

  /** In place: this += alpha * other. */
  add_(other: Tensor | number, alpha?: number): this {
    if (scalarOrTensor(other, 'other')) addon.callVoid(id(TENSOR_OPS.addScalar_), this.h, other, alpha);
    else addon.callVoid(id(TENSOR_OPS.add_), this.h, other.h, alpha);
    return this;
  }
  /** In place: this -= alpha * other. */
  sub_(other: Tensor | number, alpha?: number): this {
    if (scalarOrTensor(other, 'other')) addon.callVoid(id(TENSOR_OPS.subScalar_), this.h, other, alpha);
    else addon.callVoid(id(TENSOR_OPS.sub_), this.h, other.h, alpha);
    return this;
  }
  /** In place: this *= other. */
  mul_(other: Tensor | number): this {
    if (scalarOrTensor(other, 'other')) addon.callVoid(id(TENSOR_OPS.mulScalar_), this.h, other);
    else addon.callVoid(id(TENSOR_OPS.mul_), this.h, other.h);
    return this;
  }
  /** In place: this /= other. */
  div_(other: Tensor | number): this {
    if (scalarOrTensor(other, 'other')) addon.callVoid(id(TENSOR_OPS.divScalar_), this.h, other);
    else addon.callVoid(id(TENSOR_OPS.div_), this.h, other.h);
    return this;
  }
  /** this += value * t1 * t2 */
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    addon.callVoid(id(TENSOR_OPS.addcmul_), this.h, handleOf(t1, 'tensor1'), handleOf(t2, 'tensor2'), value);
    return this;
  }
  /** this += value * t1 / t2 */
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    addon.callVoid(id(TENSOR_OPS.addcdiv_), this.h, handleOf(t1, 'tensor1'), handleOf(t2, 'tensor2'), value);
    return this;
  }
  /** this += weight * (end - this) */
  lerp_(end: Tensor, weight: number | Tensor): this {
    if (scalarOrTensor(weight, 'weight')) addon.callVoid(id(TENSOR_OPS.lerp_), this.h, handleOf(end, 'end'), weight);
    else addon.callVoid(id(TENSOR_OPS.lerpTensor_), this.h, handleOf(end, 'end'), weight.h);
    return this;
  }
  /** In place: copies `src` into this tensor (broadcasting and casting). */
  copy_(src: Tensor): this {
    addon.callVoid(id(TENSOR_OPS.copy_), this.h, handleOf(src, 'src'));
    return this;
  }
  /** In place: sets every element to 0. */
  zero_(): this {
    addon.callVoid(id(TENSOR_OPS.zero_), this.h);
    return this;
  }
  /** In place: sets every element to `value`. */
  fill_(value: number | boolean): this {
    checkValueFits(value, this.dtype, 'fill_(): value');
    addon.callVoid(id(TENSOR_OPS.fill_), this.h, value);
    return this;
  }
  /** In place: clamps to [min, max]; either bound may be undefined. */
  clamp_(min?: number, max?: number): this {
    if (min === undefined && max === undefined) throw invalidArgument('clamp_(): at least one of min and max is needed');
    addon.callVoid(id(TENSOR_OPS.clamp_), this.h, min, max);
    return this;
  }
  /** In place: square root. */
  sqrt_(): this {
    addon.callVoid(id(TENSOR_OPS.sqrt_), this.h);
    return this;
  }
  /** In place: -x. */
  neg_(): this {
    addon.callVoid(id(TENSOR_OPS.neg_), this.h);
    return this;
  }
  /** In place: the inverse error function. */
  erfinv_(): this {
    addon.callVoid(id(TENSOR_OPS.erfinv_), this.h);
    return this;
  }
  /** Fills with U(from, to), from the default generator or the given one. */
  uniform_(from = 0, to = 1, generator?: { id: number }): this {
    addon.callVoid(id(TENSOR_OPS.uniform_), this.h, from, to, generator?.id);
    return this;
  }
  /** Fills with N(mean, std^2). */
  normal_(mean = 0, std = 1, generator?: { id: number }): this {
    addon.callVoid(id(TENSOR_OPS.normal_), this.h, mean, std, generator?.id);
    return this;
  }
}

function disposedError(): Error {
  return hrmError('TENSOR_DISPOSED', 'tensor is disposed: it was freed by dispose(), by the end of its scope(), or by the garbage collector');
}

function flatArgs(a: (number | number[])[]): number[] {
  return a.length === 1 && Array.isArray(a[0]) ? (a[0] as number[]) : (a as number[]);
}

function plainValues(dtype: DType, data: AnyTypedArray): (number | boolean)[] {
  if (dtype === 'int64') return Array.from(data as BigInt64Array, (v) => Number(v));
  if (dtype === 'bool') return Array.from(data as Uint8Array, (v) => v !== 0);
  return Array.from(data as Float32Array);
}

function nest<T>(flat: T[], shape: number[]): NestedArray<T> {
  if (shape.length === 0) return flat[0];
  let pos = 0;
  const build = (d: number): NestedArray<T> => {
    const n = shape[d];
    const out: NestedArray<T>[] = new Array(n);
    if (d === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = flat[pos++];
    } else {
      for (let i = 0; i < n; i++) out[i] = build(d + 1);
    }
    return out;
  };
  return build(0);
}

function formatNested(v: NestedArray<number | boolean>, dtype: DType, indent = 7): string {
  if (!Array.isArray(v)) {
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (dtype.startsWith('float') || dtype === 'bfloat16') return Number.isInteger(v) ? v.toFixed(1) : v.toPrecision(5).replace(/0+$/, '');
    return String(v);
  }
  const inner = v.map((x) => formatNested(x, dtype, indent + 1));
  if (v.length > 0 && Array.isArray(v[0])) return `[${inner.join(`,\n${' '.repeat(indent + 1)}`)}]`;
  return `[${inner.join(', ')}]`;
}

/** Wraps a native handle from a low-level call in a tracked Tensor. @internal */
export const wrapHandle = wrap;
