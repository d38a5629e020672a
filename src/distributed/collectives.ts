/**
 * Collectives over many tensors, built on {@link ProcessGroup}'s: a bucketed all-reduce (many
 * small tensors flattened into a few large buffers, as DDP does, because one collective per
 * tensor pays the latency once per tensor), a broadcast of a list, and an all-gather of tensors
 * whose first dimension differs between ranks.
 *
 * These are async and hold tensors across awaits, so they manage their temporaries themselves;
 * do not call them inside `scope()` (which is synchronous) with tensors the scope frees.
 * @module
 */
import { Tensor } from '../tensor/tensor';
import { cat } from '../tensor/functional';
import { empty, tensor as makeTensor, zeros } from '../tensor/creation';
import { elementSize } from '../tensor/dtype';
import { noGrad } from '../tensor/autograd';
import { scope } from '../tensor/scope';
import { checkArray, describeValue, invalidArgument } from '../util/errors';
import { ProcessGroup, isContiguous } from './process-group';

/** The default bucket size of {@link allReduceBucketed}: 25 MB, DDP's default. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/** Options of {@link allReduceBucketed}. */
export interface BucketOptions {
  /** the most bytes one flattened buffer holds (default 25 MB); a larger tensor gets a buffer of its own */
  bucketBytes?: number;
  /** 'sum' (default) or 'avg' */
  op?: 'sum' | 'avg';
  /** the timeout of each collective (default: the group's) */
  timeoutMs?: number;
}

/** The tensors `tensors` grouped into buckets: consecutive, one dtype each, at most `bucketBytes` (or one tensor). */
export function planBuckets(tensors: readonly Tensor[], bucketBytes: number): Tensor[][] {
  checkArray(tensors, 'planBuckets: tensors', 'an array of Tensors').forEach((t, i) => {
    if (!(t instanceof Tensor)) throw invalidArgument(`planBuckets: tensors[${i}] must be a Tensor, got ${describeValue(t)}`);
  });
  if (typeof bucketBytes !== 'number' || !Number.isInteger(bucketBytes) || bucketBytes < 1) throw invalidArgument(`planBuckets: bucketBytes must be a positive integer, got ${describeValue(bucketBytes)}`);
  const buckets: Tensor[][] = [];
  const open = new Map<string, { list: Tensor[]; bytes: number }>();
  for (const t of tensors) {
    const key = `${t.dtype}@${t.device}`;
    const bytes = t.numel * elementSize(t.dtype);
    let b = open.get(key);
    if (b && b.bytes + bytes > bucketBytes && b.list.length > 0) b = undefined;
    if (!b) {
      b = { list: [], bytes: 0 };
      open.set(key, b);
      buckets.push(b.list);
    }
    b.list.push(t);
    b.bytes += bytes;
  }
  return buckets;
}

/**
 * All-reduces `tensors` in place through a few flat buffers: each bucket is copied into one
 * contiguous buffer, all buckets are handed to c10d before any is awaited, and the results are
 * copied back. Every rank must pass tensors of the same shapes and dtypes in the same order.
 */
export async function allReduceBucketed(group: ProcessGroup, tensors: readonly Tensor[], opts: BucketOptions = {}): Promise<void> {
  if (!(group instanceof ProcessGroup)) throw invalidArgument(`allReduceBucketed: group must be a ProcessGroup (from initProcessGroup), got ${describeValue(group)}`);
  if (!Array.isArray(tensors)) throw invalidArgument(`allReduceBucketed: tensors must be an array of Tensors, got ${describeValue(tensors)}`);
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw invalidArgument(`allReduceBucketed: tensors[${i}] must be a Tensor, got ${describeValue(t)}`);
  });
  const bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
  if (typeof bucketBytes !== 'number' || !Number.isInteger(bucketBytes) || bucketBytes < 1) throw invalidArgument(`allReduceBucketed: bucketBytes must be a positive integer, got ${describeValue(bucketBytes)}`);
  const op = opts.op ?? 'sum';
  if (op !== 'sum' && op !== 'avg') throw invalidArgument(`allReduceBucketed: op must be 'sum' or 'avg', got ${describeValue(op)}`);
  // A bucket of one contiguous tensor is reduced in place; the others go through a flat copy.
  const buckets = planBuckets(tensors, bucketBytes);
  const flats: (Tensor | undefined)[] = [];
  try {
    noGrad(() => {
      for (const b of buckets) flats.push(b.length === 1 && isContiguous(b[0]) ? undefined : scope(() => cat(b.map((t) => t.reshape(-1)))));
    });
    // One call: every bucket is enqueued at once (each reduced on its own) and one wait covers all.
    await group.allReduce(buckets.map((b, k) => flats[k] ?? b[0]), { op, timeoutMs: opts.timeoutMs });
    noGrad(() => {
      buckets.forEach((b, k) => {
        const flat = flats[k];
        if (!flat) return;
        let offset = 0;
        for (const t of b) {
          const n = t.numel;
          scope(() => t.copy_(flat.narrow(0, offset, n).view(...t.shape)));
          offset += n;
        }
      });
    });
  } finally {
    for (const f of flats) f?.dispose();
  }
}

/** Copies rank `src`'s values of `tensors` (default rank 0) into every rank's, in place. */
export async function broadcastTensors(group: ProcessGroup, tensors: readonly Tensor[], opts: { src?: number; timeoutMs?: number } = {}): Promise<void> {
  if (!(group instanceof ProcessGroup)) throw invalidArgument(`broadcastTensors: group must be a ProcessGroup (from initProcessGroup), got ${describeValue(group)}`);
  if (!Array.isArray(tensors)) throw invalidArgument(`broadcastTensors: tensors must be an array of Tensors, got ${describeValue(tensors)}`);
  await group.broadcast([...tensors], opts);
}

/**
 * Every rank's `tensor` concatenated along dim 0 in rank order, where the ranks' first
 * dimensions may differ (the other dimensions and the dtype must match): the lengths are
 * gathered first, each rank pads to the longest, and the padding is cut off again.
 */
export async function allGatherConcat(group: ProcessGroup, tensor: Tensor, opts: { timeoutMs?: number } = {}): Promise<Tensor> {
  if (!(group instanceof ProcessGroup)) throw invalidArgument(`allGatherConcat: group must be a ProcessGroup (from initProcessGroup), got ${describeValue(group)}`);
  if (!(tensor instanceof Tensor)) throw invalidArgument(`allGatherConcat: tensor must be a Tensor, got ${describeValue(tensor)}`);
  if (tensor.ndim < 1) throw invalidArgument('allGatherConcat: tensor must have at least one dimension (the one concatenated)');
  const temps: Tensor[] = [];
  try {
    const own = makeTensor([tensor.shape[0]], { dtype: 'int64', device: tensor.device });
    temps.push(own);
    const lengthsT = await group.allGather(own, opts);
    temps.push(...lengthsT);
    const lengths = lengthsT.map((t) => Number(t.item()));
    const longest = Math.max(...lengths);
    const rest = tensor.shape.slice(1);
    let padded = tensor.contiguous();
    temps.push(padded);
    if (tensor.shape[0] < longest) {
      padded = zeros([longest, ...rest], { dtype: tensor.dtype, device: tensor.device });
      temps.push(padded);
      if (tensor.shape[0] > 0) {
        const head = padded.narrow(0, 0, tensor.shape[0]);
        noGrad(() => head.copy_(tensor));
        head.dispose();
      }
    }
    const parts = longest === 0 ? [] : await group.allGather(padded, opts);
    temps.push(...parts);
    const pieces = parts.map((p, r) => p.narrow(0, 0, lengths[r]));
    temps.push(...pieces);
    return pieces.length ? cat(pieces) : empty([0, ...rest], { dtype: tensor.dtype, device: tensor.device });
  } finally {
    for (const t of temps) if (!t.isDisposed) t.dispose();
  }
}
