/**
 * SignSGD for the puzzle-embedding table (hrm-spec 4.2b): only the rows of the current batch are
 * touched. Gradients of repeated ids are summed before the sign; decay is decoupled.
 * Per touched row: w <- w * (1 - lr*wd) - lr * sign(G).
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { zeros } from '../tensor/creation';
import { scope } from '../tensor/scope';
import { CastedSparseEmbedding } from '../nn/sparse-embedding';
import { Tensor } from '../tensor/tensor';
import { Optimizer } from './optimizer';
import { invalidArgument } from '../tensor/dtype';
import { describeValue } from '../util/errors';

function sparseEmbeddingOf(e: unknown): CastedSparseEmbedding {
  if (e instanceof CastedSparseEmbedding) return e;
  throw invalidArgument(`SparseEmbeddingSignSGD: embedding must be a CastedSparseEmbedding (model.inner.puzzleEmb, say), got ${describeValue(e)}`);
}

/** Sign SGD with decoupled weight decay over the rows of a {@link CastedSparseEmbedding} that this batch used. */
export class SparseEmbeddingSignSGD extends Optimizer {
  /** Decoupled weight decay, applied to touched rows only. */
  readonly weightDecay: number;
  /**
   * Optimises `embedding`'s table through its per-batch gradient buffer.
   * @param embedding the embedding whose table this optimizes
   */
  constructor(readonly embedding: CastedSparseEmbedding, opts: { lr: number; weightDecay?: number }) {
    // The optimizer "holds" the per-batch gradient buffer; the table itself is a buffer.
    super([sparseEmbeddingOf(embedding).localWeights], opts, 'SparseEmbeddingSignSGD');
    this.weightDecay = opts.weightDecay ?? 0;
    this.checkNumber('weightDecay', this.weightDecay, 0);
  }
  protected override hyper(): Record<string, unknown> {
    return { weightDecay: this.weightDecay };
  }
  /** Updates the rows of this batch's ids: w <- w * (1 - lr*wd) - lr * sign(sum of their gradients). */
  step(): void {
    const grad = this.embedding.localWeights.grad;
    if (grad === undefined) return; // no puzzle gradient this step (TRM's behaviour; HRM asserts)
    try {
      this.stepRows(this.embedding.localIds, grad);
    } finally {
      grad.dispose();
    }
  }
  /**
   * The update of {@link step} for given rows: `ids` [N] and their gradients `grad` [N, D], the
   * gradients of repeated ids summed before the sign. Data-parallel training passes the rows of
   * every rank (all-gathered), so that each rank applies the same update to the union.
   */
  stepRows(ids: Tensor, grad: Tensor): void {
    const emb = this.embedding;
    if (!(ids instanceof Tensor) || ids.ndim !== 1) throw invalidArgument(`SparseEmbeddingSignSGD.stepRows: ids must be a 1-D Tensor of row ids, got ${ids instanceof Tensor ? `shape [${ids.shape.join(', ')}]` : describeValue(ids)}`);
    const dim = emb.weights.size(1);
    if (!(grad instanceof Tensor) || grad.ndim !== 2 || grad.size(0) !== ids.size(0) || grad.size(1) !== dim) {
      throw invalidArgument(`SparseEmbeddingSignSGD.stepRows: grad must be a Tensor [${ids.size(0)}, ${dim}] (one row per id), got ${grad instanceof Tensor ? `shape [${grad.shape.join(', ')}]` : describeValue(grad)}`);
    }
    this.stepCounts[0]++;
    const lr = this.lr;
    noGrad(() =>
      scope(() => {
        const { values: unique, inverse } = ids.to('int64').unique(); // unique [U], inverse [N]
        // [U, D]: the gradients of repeated ids summed before the sign
        const summed = zeros([unique.size(0), grad.size(1)], { dtype: grad.dtype, device: grad.device }).indexAdd(0, inverse, grad);
        const rows = emb.weights.indexSelect(0, unique).mul(1 - lr * this.weightDecay).sub(summed.sign().mul(lr));
        emb.weights.indexPut_([unique], rows.to(emb.weights.dtype));
      }),
    );
  }
  /** Drops the gradient buffer's gradient. */
  override zeroGrad(): void {
    this.embedding.localWeights.grad = undefined;
  }
}
