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
    const emb = this.embedding;
    const grad = emb.localWeights.grad;
    if (grad === undefined) return; // no puzzle gradient this step (TRM's behaviour; HRM asserts)
    this.stepCounts[0]++;
    const lr = this.lr;
    noGrad(() =>
      scope(() => {
        const { values: ids, inverse } = emb.localIds.to('int64').unique(); // ids [U], inverse [B]
        // [U, D]: the gradients of repeated ids summed before the sign
        const summed = zeros([ids.size(0), grad.size(1)], { dtype: grad.dtype, device: grad.device }).indexAdd(0, inverse, grad);
        const rows = emb.weights.indexSelect(0, ids).mul(1 - lr * this.weightDecay).sub(summed.sign().mul(lr));
        emb.weights.indexPut_([ids], rows.to(emb.weights.dtype));
        grad.dispose();
      }),
    );
  }
  /** Drops the gradient buffer's gradient. */
  override zeroGrad(): void {
    this.embedding.localWeights.grad = undefined;
  }
}
