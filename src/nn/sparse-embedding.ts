/**
 * CastedSparseEmbedding: an embedding table that is a buffer, not a parameter (hrm-spec 4.2b).
 * In training, the rows of the current batch are copied into a small leaf tensor that collects
 * their gradient; a sparse optimizer (SparseEmbeddingSignSGD) then writes only those rows back.
 * In evaluation the table is read directly.
 * @module
 */
import { DType } from '../tensor/dtype';
import { noGrad } from '../tensor/autograd';
import { empty, zeros } from '../tensor/creation';
import { Tensor } from '../tensor/tensor';
import { Module } from './module';
import { LayerOptions } from './layers';
import { truncNormal_ } from './init';

/** The puzzle-embedding table with a per-batch gradient buffer, updated by SignSGD (spec 4.2b). */
export class CastedSparseEmbedding extends Module {
  /**
   * A table [numEmbeddings, embeddingDim] (truncated normal, std `initStd`), read in `castTo`;
   * `batchSize` sizes the per-batch gradient buffer, so training batches have exactly that many rows.
   * @param castTo the dtype the embeddings are read in
   */
  constructor(numEmbeddings: number, embeddingDim: number, batchSize: number, initStd: number, readonly castTo: DType, opts: LayerOptions = {}) {
    super();
    this.registerBuffer('weights', truncNormal_(empty([numEmbeddings, embeddingDim], { device: opts.device }), initStd));
    // The rows of this batch, as a leaf that collects the gradient (not saved in state dicts).
    this.registerBuffer('local_weights', zeros([batchSize, embeddingDim], { device: opts.device }).requiresGrad_(true), { persistent: false });
    this.registerBuffer('local_ids', zeros([batchSize], { dtype: 'int32', device: opts.device }), { persistent: false });
  }

  /** The whole table [numEmbeddings, embeddingDim] (fp32, no grad). */
  get weights(): Tensor {
    return this.tensor('weights');
  }

  /** This batch's rows [batchSize, embeddingDim]: the leaf whose `.grad` the optimizer reads. */
  get localWeights(): Tensor {
    return this.tensor('local_weights');
  }

  /** The ids [batchSize] (int32) of the rows in {@link localWeights}. */
  get localIds(): Tensor {
    return this.tensor('local_ids');
  }

  /** Embeddings of `ids` [B] -> [B, embeddingDim] in `castTo`; in training, through the gradient buffer. */
  forward(ids: Tensor): Tensor {
    if (!this.training) return this.weights.indexSelect(0, ids).to(this.castTo);
    noGrad(() => {
      this.localWeights.copy_(this.weights.indexSelect(0, ids));
      this.localIds.copy_(ids);
    });
    return this.localWeights.to(this.castTo);
  }
}
