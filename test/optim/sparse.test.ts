/**
 * SparseEmbeddingSignSGD (hrm-spec 4.2b): by hand (gradients of a repeated id are summed before
 * the sign) and against PyTorch (autograd's dense gradient of the lookup, SignSGD on the rows
 * the batch touched, the others bit-identical).
 */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from '../helpers/reference';

const LR = 0.1;
const WD = 0.5;

/** A table [N, D] with the given rows, a batch of `ids`, and gradient `grad` [B, D] in its buffer. */
function embeddingWithGrad(weights: ht.Tensor, ids: number[], grad: ht.Tensor): ht.nn.CastedSparseEmbedding {
  const [n, d] = weights.shape;
  const emb = new ht.nn.CastedSparseEmbedding(n, d, ids.length, 1, 'float32');
  ht.noGrad(() => emb.weights.copy_(weights));
  ht.scope(() => emb.forward(ht.tensor(ids, { dtype: 'int32' })).mul(grad).sum().backward()); // d/d(rows) = grad
  return emb;
}

describe('SparseEmbeddingSignSGD', () => {
  test('a repeated id gets the sign of its summed gradient; untouched rows stay as they were', () => {
    ht.scope(() => {
      const w0 = ht.tensor([[1, 1], [2, 2], [3, 3], [4, 4]]);
      // id 1 twice: [1, -2] + [-3, 1] = [-2, -1] (signs taken first would cancel to 0)
      const emb = embeddingWithGrad(w0, [1, 3, 1], ht.tensor([[1, -2], [0.5, 0.25], [-3, 1]]));
      const opt = new ht.SparseEmbeddingSignSGD(emb, { lr: LR, weightDecay: WD });
      opt.step();
      opt.zeroGrad();
      const decay = 1 - LR * WD; // 0.95
      const expected = [[1, 1], [2 * decay + LR, 2 * decay + LR], [3, 3], [4 * decay - LR, 4 * decay - LR]];
      const got = emb.weights.toArray() as number[][];
      got.forEach((row, i) => row.forEach((v, j) => expect([i, j, v]).toEqual([i, j, expect.closeTo(expected[i][j], 6)])));
      expect(got[0]).toEqual([1, 1]);
      expect(got[2]).toEqual([3, 3]);
      expect(emb.localWeights.grad).toBeUndefined();
      // No gradient this step: nothing changes.
      const before = emb.weights.clone();
      opt.step();
      expect(emb.weights.toArray()).toEqual(before.toArray());
      opt.dispose();
      emb.dispose();
    });
  });
});

describeWithTorch('SparseEmbeddingSignSGD against PyTorch', () => {
  test('one step on random rows and gradients, ids repeated, matches SignSGD on autograd gradient of the lookup', () => {
    ht.scope(() => {
      ht.manualSeed(11);
      const ids = [4, 0, 4, 7, 2, 4];
      const inputs = { w0: ht.randn([9, 5]), g: ht.randn([ids.length, 5]), ids: ht.tensor(ids, { dtype: 'int64' }) };
      const emb = embeddingWithGrad(inputs.w0, ids, inputs.g);
      const opt = new ht.SparseEmbeddingSignSGD(emb, { lr: LR, weightDecay: WD });
      opt.step();
      const ref = runReference(inputs, [
        {
          name: 'signsgd',
          exec: `
w = w0.clone().requires_grad_(True)
(w[ids] * g).sum().backward()          # dense gradient: repeated ids summed
touched = torch.zeros(w0.shape[0], dtype=torch.bool)
touched[ids] = True
stepped = w0 * (1 - ${LR} * ${WD}) - ${LR} * torch.sign(w.grad)
result = torch.where(touched[:, None], stepped, w0)
`,
        },
      ]);
      expectTensorClose(emb.weights, ref.signsgd, 'SignSGD table', { rtol: 1e-6, atol: 1e-7 });
      const untouched = [1, 3, 5, 6, 8];
      for (const r of untouched) expect(emb.weights.select(0, r).toArray()).toEqual(inputs.w0.select(0, r).toArray());
      opt.dispose();
      emb.dispose();
    });
  });
});
