/** CastedSparseEmbedding: training reads through the per-batch gradient buffer, evaluation reads the table. */
import * as ht from '../../src';

describe('CastedSparseEmbedding', () => {
  test('training copies the batch rows and ids into the buffer, whose gradient is the rows\' gradient', () => {
    ht.scope(() => {
      const emb = new ht.nn.CastedSparseEmbedding(4, 3, 2, 1, 'float64');
      const ids = ht.tensor([2, 0], { dtype: 'int32' });
      const out = emb.forward(ids); // [2, 3]
      expect(out.dtype).toBe('float64');
      expect(out.toArray()).toEqual(emb.weights.indexSelect(0, ids).to('float64').toArray());
      expect(emb.localIds.toArray()).toEqual([2, 0]);
      out.mul(ht.tensor([[1], [2]], { dtype: 'float64' })).sum().backward();
      expect(emb.localWeights.grad!.toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
      expect(emb.weights.requiresGrad).toBe(false); // the table is a buffer, written only by the sparse optimizer
      emb.dispose();
    });
  });

  test('evaluation reads the table for any number of rows; only the table is in the state dict', () => {
    ht.scope(() => {
      const emb = new ht.nn.CastedSparseEmbedding(4, 3, 2, 0, 'float32');
      expect(emb.weights.toArray()).toEqual(ht.zeros([4, 3]).toArray()); // std 0, as the reference's puzzle table
      emb.eval();
      expect(emb.forward(ht.tensor([3, 1, 1], { dtype: 'int32' })).shape).toEqual([3, 3]);
      expect([...emb.stateDict().keys()]).toEqual(['weights']);
      emb.dispose();
    });
  });
});
