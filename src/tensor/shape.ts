/**
 * Shapes, integer lists and dims as the SDK accepts them: the one place that checks a shape
 * argument, an integer list and a dim, and that writes an element's position for a message.
 * @module
 */
import { describeValue, invalidArgument } from '../util/errors';

/**
 * The most dimensions a shape (or a nest of arrays given to `tensor()`) may have. libtorch's CPU
 * kernels have no fixed limit and its CUDA kernels stop at 25; PyTorch's `torch.tensor()` stops
 * at 128 levels of nesting. 64 leaves room for any real tensor while a cyclic or runaway input
 * fails at once with a clear message.
 */
export const MAX_DIMS = 64;

/**
 * A shape argument as a fresh array: one size or an array of at most {@link MAX_DIMS} sizes,
 * each a non-negative safe integer (`allowInfer`: -1 too, for view/reshape/expand). The length
 * is checked before anything is copied, so a huge array is refused without allocating.
 * `what` names the argument in the message ("zeros(): shape").
 */
export function checkShape(shape: unknown, what: string, opts: { allowInfer?: boolean } = {}): number[] {
  const min = opts.allowInfer ? -1 : 0;
  const expected = `an array of ${opts.allowInfer ? 'sizes (non-negative integers, or -1 to infer one)' : 'non-negative integers'} or one such integer`;
  if (typeof shape === 'number') {
    if (!Number.isSafeInteger(shape) || shape < min) throw invalidArgument(`${what} must be ${expected}, got ${describeValue(shape)}`);
    return [shape];
  }
  if (!Array.isArray(shape) && !ArrayBuffer.isView(shape)) throw invalidArgument(`${what} must be ${expected}, got ${describeValue(shape)}`);
  const list = shape as ArrayLike<unknown>;
  if (list.length > MAX_DIMS) throw invalidArgument(`${what} has ${list.length} dims; at most ${MAX_DIMS} are supported`);
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const d = list[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < min) {
      throw invalidArgument(`${what}[${i}] must be a ${opts.allowInfer ? 'size (a non-negative integer below 2^53, or -1)' : 'non-negative integer below 2^53'}, got ${describeValue(d)}`);
    }
    out[i] = d;
  }
  return out;
}

/**
 * An integer or a list of integers (dims, repeats, split sizes) as a fresh array of safe
 * integers, at most {@link MAX_DIMS} long; `what` names it in the message.
 */
export function checkIntList(x: unknown, what: string): number[] {
  if (typeof x === 'number') {
    if (!Number.isSafeInteger(x)) throw invalidArgument(`${what} must be an integer or an array of integers, got ${describeValue(x)}`);
    return [x];
  }
  if (!Array.isArray(x)) throw invalidArgument(`${what} must be an integer or an array of integers, got ${describeValue(x)}`);
  if (x.length > MAX_DIMS) throw invalidArgument(`${what} has ${x.length} entries; at most ${MAX_DIMS} are supported`);
  const out = new Array<number>(x.length);
  for (let i = 0; i < x.length; i++) {
    const v: unknown = x[i];
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidArgument(`${what} must contain integers only, got ${describeValue(v)} at [${i}]`);
    out[i] = v;
  }
  return out;
}

/**
 * A dim of a tensor with `ndim` dims, negative dims counting from the end (-1 is the last), as a
 * non-negative index; an INVALID_ARGUMENT error naming the dim and ndim otherwise. The one place
 * the SDK interprets a dim in JS (libtorch checks the dims it is given itself).
 */
export function normalizeDim(dim: unknown, ndim: number, what = 'dim'): number {
  if (typeof dim !== 'number' || !Number.isInteger(dim)) throw invalidArgument(`${what} must be an integer, got ${describeValue(dim)}`);
  if (dim < -ndim || dim >= ndim) {
    const valid = ndim === 0 ? 'it has no dims' : `valid dims are ${-ndim} to ${ndim - 1}`;
    throw invalidArgument(`${what} ${dim} is out of range for a tensor with ${ndim} dim${ndim === 1 ? '' : 's'} (${valid})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/** The position of flat (row-major) element `flat` in `shape`, as an index path: "[1][0][2]". */
export function indexPath(flat: number, shape: readonly number[]): string {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d];
    idx[d] = n > 0 ? flat % n : 0;
    flat = n > 0 ? Math.floor(flat / n) : 0;
  }
  return idx.map((i) => `[${i}]`).join('');
}
