/**
 * The functions of tensor/functional.ts (torch.* and torch.nn.functional.*) against PyTorch on
 * the same inputs.
 */
import * as ht from '../../src';
import { OpCase, describeOpsAgainstTorch } from '../helpers/op-cases';
import * as subject from '../../src/tensor/functional';
import { expectInvalidArgument } from '../helpers/errors';

const functions: OpCase[] = [
  { name: 'minimum', ts: (x) => ht.minimum(x.a, x.b), py: 'torch.minimum(a, b)' },
  { name: 'linear', ts: (x) => ht.linear(x.m1, x.w, x.bias), py: 'F.linear(m1, w, bias)' },
  { name: 'linear_nobias', ts: (x) => ht.linear(x.m1, x.w), py: 'F.linear(m1, w)' },
  { name: 'eigvalsh', ts: (x) => ht.linalg.eigvalsh(x.sym), py: 'torch.linalg.eigvalsh(sym)', tol: { rtol: 1e-9, atol: 1e-10 } },
  { name: 'log_softmax', ts: (x) => ht.logSoftmax(x.a, 0), py: 'F.log_softmax(a, 0)' },
  { name: 'cat', ts: (x) => ht.cat([x.a, x.b], 1), py: 'torch.cat([a, b], 1)' },
  { name: 'stack', ts: (x) => ht.stack([x.a, x.b], 0), py: 'torch.stack([a, b], 0)' },
  { name: 'where', ts: (x) => ht.where(x.mask, x.a, x.b), py: 'torch.where(mask, a, b)' },
  { name: 'where_scalar', ts: (x) => [ht.where(x.mask, x.a, 0), ht.where(x.mask, 1, x.b)], py: '(torch.where(mask, a, 0.0), torch.where(mask, 1.0, b))' },
  // nn functional
  { name: 'embedding', ts: (x) => ht.embedding(x.tok, x.emb), py: 'F.embedding(tok, emb)' },
  { name: 'sdpa', ts: (x) => ht.scaledDotProductAttention(x.q, x.k, x.v), py: 'F.scaled_dot_product_attention(q, k, v)' },
  { name: 'sdpa_causal_scale', ts: (x) => ht.scaledDotProductAttention(x.q, x.q, x.q, { isCausal: true, scale: 0.3 }), py: 'F.scaled_dot_product_attention(q, q, q, is_causal=True, scale=0.3)' },
  { name: 'rms_norm', ts: (x) => ht.rmsNorm(x.seq, { eps: 1e-5 }), py: 'F.rms_norm(seq, (6,), eps=1e-5)' },
  { name: 'rms_norm_weight', ts: (x) => ht.rmsNorm(x.seq, { weight: x.emb.narrow(0, 0, 2).flatten(), eps: 1e-6 }), py: 'F.rms_norm(seq, (6,), emb[:2].flatten(), eps=1e-6)' },
  { name: 'layer_norm', ts: (x) => ht.layerNorm(x.seq, [6]), py: 'F.layer_norm(seq, (6,))' },
  { name: 'cross_entropy', ts: (x) => ht.crossEntropy(x.logits, x.target), py: 'F.cross_entropy(logits, target)' },
  { name: 'cross_entropy_none', ts: (x) => ht.crossEntropy(x.logits, x.target, { reduction: 'none' }), py: "F.cross_entropy(logits, target, reduction='none')" },
  { name: 'cross_entropy_ignore_sum', ts: (x) => ht.crossEntropy(x.logits, ht.where(x.target.lt(0), 0, x.target), { ignoreIndex: 4, reduction: 'sum' }), py: "F.cross_entropy(logits, torch.where(target < 0, 0, target), ignore_index=4, reduction='sum')", },
  { name: 'bce_logits', ts: (x) => ht.binaryCrossEntropyWithLogits(x.blogits, x.btarget), py: 'F.binary_cross_entropy_with_logits(blogits, btarget)' },
  { name: 'bce_logits_none', ts: (x) => ht.binaryCrossEntropyWithLogits(x.blogits, x.btarget, { reduction: 'none' }), py: "F.binary_cross_entropy_with_logits(blogits, btarget, reduction='none')" },
  { name: 'mse', ts: (x) => ht.mseLoss(x.a, x.b), py: 'F.mse_loss(a, b)' },
  { name: 'dropout_eval', ts: (x) => ht.dropout(x.a, 0.3, false), py: 'F.dropout(a, 0.3, False)' },
  { name: 'one_hot', ts: (x) => ht.oneHot(x.idx, 4), py: 'F.one_hot(idx, 4)' },
];

describeOpsAgainstTorch('functional against PyTorch', functions);

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('softmax, logSoftmax and rmsNorm name an input that is not a tensor, and a bad dim or shape', () => {
    expectInvalidArgument(() => subject.softmax(undefined as never, -1), 'softmax(): input must be a Tensor, got undefined');
    expectInvalidArgument(() => subject.logSoftmax([1, 2] as never, -1), 'logSoftmax(): input must be a Tensor, got an array of length 2');
    expectInvalidArgument(() => subject.softmax(ht.zeros([2, 3]), 9), 'dim 9 is out of range (valid dims are -2 to 1)');
    expectInvalidArgument(() => subject.rmsNorm(3 as never), 'rmsNorm(): input must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.rmsNorm(ht.tensor(1)), 'rmsNorm(): input must have at least one dim to normalise over, got a 0-dim tensor');
    expectInvalidArgument(() => subject.rmsNorm(ht.zeros([2, 3]), { normalizedShape: 'x' } as never), 'rmsNorm(): opts.normalizedShape must be an array of non-negative integers or one such integer, got string "x"');
  });
});
