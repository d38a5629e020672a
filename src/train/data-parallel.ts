/**
 * Data-parallel glue for a training loop, as the reference's pretrain.py does it with
 * torch.distributed: every rank starts from rank 0's weights, computes the gradient of its share
 * of the global batch (its loss divided by the global batch size), the gradients are summed over
 * the ranks, and each rank then takes the same optimizer step. The puzzle embeddings' sparse
 * update gathers every rank's rows and gradients and applies SignSGD to their union.
 *
 * A loop calls, per step: `backward()`, `await allReduceGradients(pg, model)`, the dense
 * optimizer's step, `await sparseEmbeddingStep(pg, sparseOptimizer)`.
 * @module
 */
import { Module } from '../nn/module';
import { SparseEmbeddingSignSGD } from '../optim/sparse';
import { zerosLike, empty } from '../tensor/creation';
import { Tensor } from '../tensor/tensor';
import { describeValue, invalidArgument } from '../util/errors';
import { BucketOptions, ProcessGroup, allGatherConcat, allReduceBucketed, broadcastTensors } from '../distributed';

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
  const ownIds = grad === undefined ? empty([0], { dtype: 'int32' }) : undefined;
  const ids = ownIds ?? emb.localIds;
  const rows = grad ?? empty([0, dim]);
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
