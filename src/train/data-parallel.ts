/**
 * Data-parallel glue for a training loop, as the reference's pretrain.py does it with
 * torch.distributed: every rank starts from rank 0's weights, computes the gradient of its share
 * of the global batch (its loss divided by the global batch size), the gradients are summed over
 * the ranks, and each rank then takes the same optimizer step. The puzzle embeddings' sparse
 * update gathers every rank's rows and gradients and applies SignSGD to their union.
 *
 * A loop calls, per step: `backward()`, `await allReduceGradients(pg, model)`, the dense
 * optimizer's step, `await sparseEmbeddingStep(pg, sparseOptimizer)`; and to evaluate, each rank
 * its slice of the test batches, `await evaluateDataParallel(pg, model, testLoader)`.
 * @module
 */
import { Module } from '../nn/module';
import { SparseEmbeddingSignSGD } from '../optim/sparse';
import { zerosLike, zeros, empty, fromTypedArray } from '../tensor/creation';
import { noGrad } from '../tensor/autograd';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { checkObject, describeValue, invalidArgument } from '../util/errors';
import { BucketOptions, DEFAULT_BUCKET_BYTES, ProcessGroup, allGatherConcat, allReduceBucketed, broadcastTensors, planBuckets } from '../distributed';
import { PuzzleDataset } from '../data/format';
import { ACTModel } from '../models/kinds';
import { EvalCounts, EvalOptions, EvalResult, checkEvalCounts, countEvaluation, evalResultOf } from '../eval/evaluate';

function checkGroup(group: unknown, fn: string): ProcessGroup {
  if (group instanceof ProcessGroup) return group;
  throw invalidArgument(`${fn}: group must be a ProcessGroup (from initProcessGroup), got ${describeValue(group)}`);
}

function checkModule(module: unknown, fn: string): Module {
  if (module instanceof Module) return module;
  throw invalidArgument(`${fn}: module must be a Module, got ${describeValue(module)}`);
}

/**
 * Copies rank `src`'s parameters and buffers (default rank 0) into every rank's module, so all
 * ranks start from the same weights (the reference's broadcast at start).
 */
export async function broadcastParameters(group: ProcessGroup, module: Module, opts: { src?: number; timeoutMs?: number } = {}): Promise<void> {
  checkGroup(group, 'broadcastParameters');
  checkModule(module, 'broadcastParameters');
  // Detached aliases (same storage): c10d has no autograd kernel, and warns on tensors that need grad.
  const tensors = [...module.parameters(), ...module.namedBuffers().map(([, b]) => b)].map((t) => t.detach());
  try {
    await broadcastTensors(group, tensors, opts);
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/**
 * Sums (or averages) the gradients of `module`'s parameters over the ranks, in place, through
 * flat buckets of `bucketBytes` (default 25 MB). A parameter without a gradient on this rank
 * gets a zero one first, so every rank reduces the same list of tensors.
 */
export async function allReduceGradients(group: ProcessGroup, module: Module, opts: BucketOptions = {}): Promise<void> {
  checkGroup(group, 'allReduceGradients');
  checkModule(module, 'allReduceGradients');
  const grads: Tensor[] = [];
  try {
    for (const p of module.parameters()) {
      if (!p.requiresGrad) continue;
      let g = p.grad;
      if (g === undefined) {
        const z = zerosLike(p);
        p.grad = z;
        z.dispose();
        g = p.grad!;
      }
      grads.push(g);
    }
    await allReduceBucketed(group, grads, opts);
  } finally {
    for (const g of grads) g.dispose();
  }
}

/**
 * The gradients of a module's parameters kept as views into a few flat buffers, as DDP keeps
 * them: backward accumulates straight into the buffers, and the all-reduce works on them in
 * place, so no gradient is copied into a bucket or back out of one ({@link allReduceGradients}
 * copies both ways). Buckets are consecutive parameters of one dtype and device, at most
 * `bucketBytes` (default 25 MB) each.
 *
 * ```ts
 * const buckets = new GradientBuckets(model);
 * // each step:
 * buckets.prepare();                 // zeroed, every .grad a view into them again
 * loss.backward();
 * await buckets.allReduce(pg);       // summed over the ranks, in place
 * adam.step();
 * ```
 * The optimizer's `zeroGrad()` (which drops the gradients) is not needed: `prepare()` zeroes
 * them, and re-attaches any a `zeroGrad()` dropped. Every rank must build its buckets from the
 * same module layout.
 */
export class GradientBuckets {
  private readonly flats: Tensor[] = [];
  /**
   * every trained parameter, with its bucket and where its gradient starts there (bucket order,
   * which is not the module's where dtypes or devices alternate)
   */
  private readonly slots: { param: Tensor; bucket: number; offset: number }[] = [];
  private disposed = false;

  constructor(module: Module, opts: { bucketBytes?: number } = {}) {
    checkModule(module, 'GradientBuckets');
    checkObject(opts, 'GradientBuckets: opts');
    const bucketBytes = opts.bucketBytes ?? DEFAULT_BUCKET_BYTES;
    if (typeof bucketBytes !== 'number' || !Number.isInteger(bucketBytes) || bucketBytes < 1) throw invalidArgument(`GradientBuckets: opts.bucketBytes must be a positive integer, got ${describeValue(bucketBytes)}`);
    const params = module.parameters().filter((p) => p.requiresGrad);
    for (const [k, bucket] of planBuckets(params, bucketBytes).entries()) {
      let offset = 0;
      for (const param of bucket) {
        this.slots.push({ param, bucket: k, offset });
        offset += param.numel;
      }
      this.flats.push(zeros([offset], { dtype: bucket[0].dtype, device: bucket[0].device }));
    }
  }

  /** The number of flat buffers (one collective each). */
  get bucketCount(): number {
    return this.flats.length;
  }

  /** Zeroes the buckets and makes every parameter's gradient a view into its bucket; call before backward. */
  prepare(): void {
    this.check('prepare');
    noGrad(() => {
      for (const f of this.flats) f.zero_();
      for (const { param, bucket, offset } of this.slots) {
        scope(() => {
          param.grad = this.flats[bucket].narrow(0, offset, param.numel).view(...param.shape);
        });
      }
    });
  }

  /**
   * Sums (or averages) the buckets over the ranks, in place: every parameter's gradient then holds
   * the reduced value. All buckets are handed to c10d at once; one wait covers them.
   */
  async allReduce(group: ProcessGroup, opts: { op?: 'sum' | 'avg'; timeoutMs?: number } = {}): Promise<void> {
    checkGroup(group, 'GradientBuckets.allReduce');
    this.check('allReduce');
    await group.allReduce(this.flats, { op: opts.op ?? 'sum', timeoutMs: opts.timeoutMs });
  }

  /** Frees the buffers (the parameters' gradients are dropped with them). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { param } of this.slots) if (!param.isDisposed) param.grad = undefined;
    for (const f of this.flats) f.dispose();
  }

  private check(fn: string): void {
    if (this.disposed) throw invalidArgument(`GradientBuckets.${fn}: the buckets were disposed`);
  }
}

/**
 * The data-parallel step of the puzzle embeddings' SignSGD: every rank's ids and gradient rows
 * are all-gathered and each rank applies {@link SparseEmbeddingSignSGD.stepRows} to their union,
 * as the reference's sparse_embedding.py does. A rank without a gradient this step contributes no
 * rows; when no rank has any, nothing changes (as `step()` does). Clears the gradient afterwards.
 */
export async function sparseEmbeddingStep(group: ProcessGroup, optimizer: SparseEmbeddingSignSGD, opts: { timeoutMs?: number } = {}): Promise<void> {
  checkGroup(group, 'sparseEmbeddingStep');
  if (!(optimizer instanceof SparseEmbeddingSignSGD)) throw invalidArgument(`sparseEmbeddingStep: optimizer must be a SparseEmbeddingSignSGD, got ${describeValue(optimizer)}`);
  const emb = optimizer.embedding;
  const grad = emb.localWeights.grad;
  const dim = emb.weights.size(1);
  // Without a gradient this rank still takes part (the others wait for it), with no rows.
  const ownIds = grad === undefined ? empty([0], { dtype: 'int32', device: emb.weights.device }) : undefined;
  const ids = ownIds ?? emb.localIds;
  const rows = grad ?? empty([0, dim], { device: emb.weights.device });
  let allIds: Tensor | undefined;
  let allRows: Tensor | undefined;
  try {
    allIds = await allGatherConcat(group, ids, opts);
    allRows = await allGatherConcat(group, rows, opts);
    if (allIds.size(0) > 0) optimizer.stepRows(allIds, allRows);
  } finally {
    for (const t of [allIds, allRows, rows, ownIds]) t?.dispose();
    emb.localWeights.grad = undefined;
  }
}

/**
 * The sum over the ranks of each rank's {@link countEvaluation} (each over its slice of every
 * test batch, from a loader with the group's rank and world size), as the reference reduces its
 * evaluation metrics: every rank gets the result of the whole test split, the same one a single
 * process evaluating every row finds. Every rank must call it, after evaluating the same batches.
 */
export async function allReduceEvaluation(group: ProcessGroup, counts: EvalCounts, opts: { started?: number; timeoutMs?: number } = {}): Promise<EvalResult> {
  checkGroup(group, 'allReduceEvaluation');
  checkEvalCounts(counts, 'allReduceEvaluation: counts');
  const started = opts.started ?? Date.now();
  // One flat vector, in an order every rank builds alike: sets by name, then each set's metric
  // names, per-step counts, rows and answers right at their halt.
  const sets = Object.keys(counts.sums).sort();
  const layout = sets.map((set) => ({ set, keys: Object.keys(counts.sums[set]).sort(), steps: counts.atStep[set]?.length ?? 0 }));
  const values: number[] = [];
  for (const { set, keys } of layout) {
    for (const k of keys) values.push(counts.sums[set][k]);
    values.push(...counts.atStep[set], ...counts.haltedAt[set], counts.rows[set] ?? 0, counts.correctAtHalt[set] ?? 0);
  }
  // The ranks must have counted the same things: the vector's length, its max and min over the ranks.
  // (on the group's device: an NCCL group may have no CPU backend)
  const shape = fromTypedArray(new Float64Array([values.length, -values.length]), [2], { device: group.device });
  const totals = fromTypedArray(Float64Array.from(values), [values.length], { device: group.device });
  try {
    await group.allReduce(shape, { op: 'max', timeoutMs: opts.timeoutMs });
    const [most, negLeast] = shape.toTypedArray() as Float64Array;
    if (most !== values.length || -negLeast !== values.length) {
      throw invalidArgument(`allReduceEvaluation (rank ${group.rank}): the ranks counted different sets or steps (${values.length} values here, ${-negLeast} to ${most} across the ranks); evaluate the same split with the same options on every rank`);
    }
    if (values.length) await group.allReduce(totals, { op: 'sum', timeoutMs: opts.timeoutMs });
    const v = totals.toTypedArray() as Float64Array;
    const reduced = new Map<string, { sums: Record<string, number>; atStep: number[]; haltedAt: number[]; rows: number; correctAtHalt: number }>();
    let i = 0;
    const take = (n: number) => Array.from(v.subarray(i, (i += n)));
    for (const { set, keys, steps } of layout) {
      const sums = Object.fromEntries(keys.map((k) => [k, v[i++]]));
      const [atStep, haltedAt, [rows, correctAtHalt]] = [take(steps), take(steps), take(2)];
      reduced.set(set, { sums, atStep, haltedAt, rows, correctAtHalt });
    }
    // In this rank's order of sets and metric names, as a single-process evaluation lists them.
    const out: EvalCounts = { sums: {}, atStep: {}, haltedAt: {}, rows: {}, correctAtHalt: {} };
    for (const [set, own] of Object.entries(counts.sums)) {
      const r = reduced.get(set)!;
      out.sums[set] = Object.fromEntries(Object.keys(own).map((k) => [k, r.sums[k]]));
      [out.atStep[set], out.haltedAt[set], out.rows[set], out.correctAtHalt[set]] = [r.atStep, r.haltedAt, r.rows, r.correctAtHalt];
    }
    return evalResultOf(out, started);
  } finally {
    shape.dispose();
    totals.dispose();
  }
}

/**
 * Evaluates data-parallel: this rank runs its slice of every test batch (`data` must be a test
 * loader with the group's rank and world size) and the counts are summed over the ranks by
 * {@link allReduceEvaluation}. Batched halting only (fixed or adaptive); `maxExamples` counts whole
 * global batches, as one process does.
 */
export async function evaluateDataParallel(group: ProcessGroup, model: ACTModel, data: PuzzleDataset, opts: Omit<EvalOptions, 'continuous'> & { timeoutMs?: number } = {}): Promise<EvalResult> {
  checkGroup(group, 'evaluateDataParallel');
  if (data instanceof PuzzleDataset && (data.rank !== group.rank || data.worldSize !== group.worldSize)) {
    throw invalidArgument(`evaluateDataParallel: data must be sliced for this group (rank ${group.rank} of ${group.worldSize}), got a loader for rank ${data.rank} of ${data.worldSize}; open it with { rank, worldSize } of the group`);
  }
  const started = Date.now();
  const { timeoutMs, ...evalOpts } = opts ?? {};
  return allReduceEvaluation(group, countEvaluation(model, data, evalOpts), { started, timeoutMs });
}
