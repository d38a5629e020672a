/**
 * Functions over several tensors and the nn functional set HRM/TRM need (PyTorch's torch.* and
 * torch.nn.functional.*, in camelCase).
 * @module
 */
import { addon } from '../native';
import { invalidArgument } from './dtype';
import { describeValue } from '../util/errors';
import { id, ops } from './ops';
import { checkShape } from './shape';
import { Tensor, checkTensor, handleOf, optionalHandleOf, wrapHandle as wrap } from './tensor';


// The ATen operators the functions below call.
const FUNCTIONAL_OPS = ops({
  cat: 'aten::cat', stack: 'aten::stack', where: 'aten::where.self', whereScalars: 'aten::where.Scalar',
  linear: 'aten::linear', embedding: 'aten::embedding', scaledDotProductAttention: 'aten::scaled_dot_product_attention',
  rmsNorm: 'aten::rms_norm', layerNorm: 'aten::layer_norm', crossEntropy: 'aten::cross_entropy_loss',
  binaryCrossEntropyWithLogits: 'aten::binary_cross_entropy_with_logits', dropout: 'aten::dropout', mseLoss: 'aten::mse_loss',
  eigvalsh: 'aten::linalg_eigvalsh', eigh: 'aten::linalg_eigh', maximum: 'aten::maximum', minimum: 'aten::minimum',
  oneHot: 'aten::one_hot',
});

/** How a loss is reduced over its elements. */
export type Reduction = 'none' | 'mean' | 'sum';
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };

function reduction(r: Reduction | undefined): number {
  const key = r ?? 'mean';
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(REDUCTION, key)) {
    throw invalidArgument(`reduction must be 'none', 'mean' or 'sum', got ${describeValue(r)}`);
  }
  return REDUCTION[key];
}

function handles(ts: readonly Tensor[], name: string): number[] {
  if (!Array.isArray(ts)) throw invalidArgument(`${name} must be an array of tensors`);
  return ts.map((t, i) => handleOf(t, `${name}[${i}]`));
}

/** Concatenates along an existing dim. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.cat), handles(tensors, 'tensors'), dim));
}
/** Stacks along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.stack), handles(tensors, 'tensors'), dim));
}
/** `condition ? a : b`, elementwise with broadcasting. */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  handleOf(condition, 'where(): condition');
  for (const [name, x] of [['a', a], ['b', b]] as const) {
    if (typeof x !== 'number' && !(x instanceof Tensor)) throw invalidArgument(`where(): ${name} must be a Tensor or a number, got ${describeValue(x)}`);
  }
  if (typeof a === 'number' && typeof b === 'number') return wrap(addon.call(id(FUNCTIONAL_OPS.whereScalars), handleOf(condition, 'condition'), a, b));
  if (typeof a === 'number') return (b as Tensor).where(condition.logicalNot(), a);
  return a.where(condition, b);
}
/** Elementwise maximum, broadcasting. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.maximum), handleOf(a, 'a'), handleOf(b, 'b')));
}
/** Elementwise minimum, broadcasting. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.minimum), handleOf(a, 'a'), handleOf(b, 'b')));
}

/** y = x W^T + b */
export function linear(input: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.linear), handleOf(input, 'input'), handleOf(weight, 'weight'), optionalHandleOf(bias, 'bias')));
}

/** Rows of `weight` picked by integer `indices`. */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.embedding), handleOf(weight, 'weight'), handleOf(indices, 'indices')));
}

/**
 * libtorch's fused attention (flash / memory-efficient kernels on CUDA, a fused CPU kernel
 * otherwise). Shapes [..., L, E] x [..., S, E] x [..., S, Ev].
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  opts: { attnMask?: Tensor; dropoutP?: number; isCausal?: boolean; scale?: number; enableGqa?: boolean } = {},
): Tensor {
  return wrap(
    addon.call(
      id(FUNCTIONAL_OPS.scaledDotProductAttention),
      handleOf(query, 'query'),
      handleOf(key, 'key'),
      handleOf(value, 'value'),
      optionalHandleOf(opts.attnMask, 'attnMask'),
      opts.dropoutP ?? 0,
      opts.isCausal ?? false,
      opts.scale,
      opts.enableGqa ?? false,
    ),
  );
}

/**
 * RMS normalisation over the trailing dims `normalizedShape` (default: the last dim), optionally
 * scaled by `weight`. libtorch computes the statistics of half-precision inputs in fp32 and
 * returns the input's dtype, as the reference's RMSNorm does (spec 1.3).
 */
export function rmsNorm(input: Tensor, opts: { normalizedShape?: number[]; weight?: Tensor; eps?: number } = {}): Tensor {
  checkTensor(input, 'rmsNorm(): input');
  if (opts === null || typeof opts !== 'object') throw invalidArgument(`rmsNorm(): opts must be an object, got ${describeValue(opts)}`);
  if (opts.normalizedShape === undefined && input.ndim === 0) throw invalidArgument('rmsNorm(): input must have at least one dim to normalise over, got a 0-dim tensor');
  if (opts.eps !== undefined && typeof opts.eps !== 'number') throw invalidArgument(`rmsNorm(): opts.eps must be a number, got ${describeValue(opts.eps)}`);
  const shape = opts.normalizedShape === undefined ? [input.shape[input.ndim - 1]] : checkShape(opts.normalizedShape, 'rmsNorm(): opts.normalizedShape');
  return wrap(addon.call(id(FUNCTIONAL_OPS.rmsNorm), handleOf(input, 'input'), shape, optionalHandleOf(opts.weight, 'weight'), opts.eps));
}

/** Layer normalisation over the trailing dims `normalizedShape`, with optional affine weight and bias. */
export function layerNorm(input: Tensor, normalizedShape: number[], opts: { weight?: Tensor; bias?: Tensor; eps?: number } = {}): Tensor {
  return wrap(
    addon.call(
      id(FUNCTIONAL_OPS.layerNorm),
      handleOf(input, 'input'),
      normalizedShape,
      optionalHandleOf(opts.weight, 'weight'),
      optionalHandleOf(opts.bias, 'bias'),
      opts.eps ?? 1e-5,
    ),
  );
}

/**
 * Cross entropy of logits [N, C] (or [N, C, d1, ...]) against class indices [N] (int64);
 * targets equal to `ignoreIndex` count for nothing.
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor; reduction?: Reduction; ignoreIndex?: number; labelSmoothing?: number } = {},
): Tensor {
  return wrap(
    addon.call(
      id(FUNCTIONAL_OPS.crossEntropy),
      handleOf(input, 'input'),
      handleOf(target, 'target'),
      optionalHandleOf(opts.weight, 'weight'),
      reduction(opts.reduction),
      opts.ignoreIndex ?? -100, // PyTorch's own default ignore_index (the datasets' IGNORE_LABEL_ID matches it)
      opts.labelSmoothing ?? 0,
    ),
  );
}

/** Binary cross entropy on logits (numerically stable sigmoid + BCE). */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  opts: { weight?: Tensor; posWeight?: Tensor; reduction?: Reduction } = {},
): Tensor {
  return wrap(
    addon.call(
      id(FUNCTIONAL_OPS.binaryCrossEntropyWithLogits),
      handleOf(input, 'input'),
      handleOf(target, 'target'),
      optionalHandleOf(opts.weight, 'weight'),
      optionalHandleOf(opts.posWeight, 'posWeight'),
      reduction(opts.reduction),
    ),
  );
}

/** Mean squared error (or its sum, or per element). */
export function mseLoss(input: Tensor, target: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  return wrap(addon.call(id(FUNCTIONAL_OPS.mseLoss), handleOf(input, 'input'), handleOf(target, 'target'), reduction(opts.reduction)));
}

/** Zeroes elements with probability p while training (scaling the rest by 1/(1-p)). */
export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw invalidArgument(`dropout probability must be in [0, 1], got ${p}`);
  return wrap(addon.call(id(FUNCTIONAL_OPS.dropout), handleOf(input, 'input'), p, training));
}

/** Softmax along `dim`. */
export function softmax(input: Tensor, dim: number): Tensor {
  return checkTensor(input, 'softmax(): input').softmax(dim);
}
/** log(softmax) along `dim`, computed stably. */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  return checkTensor(input, 'logSoftmax(): input').logSoftmax(dim);
}
/** One-hot rows for int64 `indices` (numClasses -1: one more than the largest index). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor<'int64'> {
  return wrap(addon.call(id(FUNCTIONAL_OPS.oneHot), handleOf(indices, 'indices'), numClasses)) as Tensor<'int64'>;
}

/** What `linalg.eigh` returns. */
export interface Eigendecomposition {
  /** ascending, [..., n] */
  eigenvalues: Tensor;
  /** one per column, [..., n, n] */
  eigenvectors: Tensor;
}

/** Linear algebra. */
export const linalg = {
  /** Eigenvalues of symmetric (Hermitian) matrices, ascending. */
  eigvalsh(input: Tensor, uplo: 'L' | 'U' = 'L'): Tensor {
    return wrap(addon.call(id(FUNCTIONAL_OPS.eigvalsh), handleOf(input, 'input'), uplo));
  },
  /** Eigenvalues (ascending) and eigenvectors of symmetric matrices. */
  eigh(input: Tensor, uplo: 'L' | 'U' = 'L'): Eigendecomposition {
    const [values, vectors] = (addon.call(id(FUNCTIONAL_OPS.eigh), handleOf(input, 'input'), uplo) as number[]).map((h) => wrap(h));
    return { eigenvalues: values, eigenvectors: vectors };
  },
};
