/**
 * Every op of the Tensor API against PyTorch on the same inputs: the SDK computes, PyTorch
 * computes (test/reference/run.py), and the results must agree in shape, dtype and value.
 */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from '../helpers/reference';

type Inputs = Record<string, ht.Tensor>;
interface Case {
  name: string;
  ts: (x: Inputs) => ht.Tensor | ht.Tensor[];
  py: string;
  tol?: { rtol?: number; atol?: number };
}

function makeInputs(): Inputs {
  ht.manualSeed(1234);
  const x: Inputs = {
    a: ht.randn([3, 4]),
    b: ht.randn([3, 4]),
    row: ht.randn([4]),
    pos: ht.rand([3, 4]).add(0.1),
    unit: ht.rand([3, 4]).mul(1.8).sub(0.9),
    m1: ht.randn([5, 6]),
    m2: ht.randn([6, 7]),
    big1: ht.randn([64, 64]),
    big2: ht.randn([64, 64]),
    b1: ht.randn([2, 3, 5]),
    b2: ht.randn([2, 5, 4]),
    w: ht.randn([7, 6]),
    bias: ht.randn([7]),
    d: ht.randn([3, 4], { dtype: 'float64' }),
    i: ht.randint(-5, 6, [3, 4], { dtype: 'int64' }),
    i32: ht.randint(-5, 6, [3, 4], { dtype: 'int32' }),
    idx: ht.tensor([2, 0, 1], { dtype: 'int64' }),
    gidx: ht.randint(0, 4, [3, 4]),
    mask: ht.rand([3, 4]).gt(0.5),
    q: ht.randn([2, 2, 5, 8]),
    k: ht.randn([2, 2, 6, 8]),
    v: ht.randn([2, 2, 6, 8]),
    logits: ht.randn([6, 5]),
    target: ht.tensor([0, 4, 2, -100, 1, 3], { dtype: 'int64' }),
    blogits: ht.randn([6]),
    btarget: ht.rand([6]).gt(0.5).float(),
    emb: ht.randn([10, 3]),
    tok: ht.tensor([[1, 9, 3], [0, 0, 7]], { dtype: 'int64' }),
    sym: ht.scope(() => {
      const s = ht.randn([5, 5], { dtype: 'float64' });
      return s.add(s.T);
    }),
    seq: ht.randn([2, 7, 6]),
  };
  return x;
}

const cases: Case[] = [
  // elementwise, tensor and scalar forms
  { name: 'add', ts: (x) => x.a.add(x.b), py: 'a + b' },
  { name: 'add_alpha', ts: (x) => x.a.add(x.b, 2.5), py: 'torch.add(a, b, alpha=2.5)' },
  { name: 'add_scalar', ts: (x) => x.a.add(3), py: 'a + 3' },
  { name: 'add_broadcast', ts: (x) => x.a.add(x.row), py: 'a + row' },
  { name: 'add_int_scalar', ts: (x) => x.i.add(2), py: 'i + 2' },
  { name: 'add_int_float', ts: (x) => x.i.add(0.5), py: 'i + 0.5' },
  { name: 'sub', ts: (x) => x.a.sub(x.b), py: 'a - b' },
  { name: 'sub_scalar', ts: (x) => x.a.sub(1.5), py: 'a - 1.5' },
  { name: 'mul', ts: (x) => x.a.mul(x.b), py: 'a * b' },
  { name: 'mul_scalar', ts: (x) => x.a.mul(-0.25), py: 'a * -0.25' },
  { name: 'div', ts: (x) => x.a.div(x.pos), py: 'a / pos' },
  { name: 'div_scalar', ts: (x) => x.a.div(4), py: 'a / 4' },
  { name: 'div_int_true', ts: (x) => x.i.div(2), py: 'i / 2' },
  { name: 'div_floor', ts: (x) => x.i.div(ht.fullLike(x.i, 3), 'floor'), py: "torch.div(i, torch.full_like(i, 3), rounding_mode='floor')" },
  { name: 'div_trunc', ts: (x) => x.a.div(0.3, 'trunc'), py: "torch.div(a, 0.3, rounding_mode='trunc')" },
  { name: 'pow', ts: (x) => x.pos.pow(x.b), py: 'pos ** b' },
  { name: 'pow_scalar', ts: (x) => x.a.pow(3), py: 'a ** 3' },
  { name: 'neg', ts: (x) => x.a.neg(), py: '-a' },
  { name: 'abs', ts: (x) => x.a.abs(), py: 'a.abs()' },
  { name: 'abs_int', ts: (x) => x.i.abs(), py: 'i.abs()' },
  { name: 'sqrt', ts: (x) => x.pos.sqrt(), py: 'pos.sqrt()' },
  { name: 'rsqrt', ts: (x) => x.pos.rsqrt(), py: 'pos.rsqrt()' },
  { name: 'exp', ts: (x) => x.a.exp(), py: 'a.exp()' },
  { name: 'log', ts: (x) => x.pos.log(), py: 'pos.log()' },
  { name: 'log1p', ts: (x) => x.pos.log1p(), py: 'pos.log1p()' },
  { name: 'tanh', ts: (x) => x.a.tanh(), py: 'a.tanh()' },
  { name: 'sigmoid', ts: (x) => x.a.sigmoid(), py: 'a.sigmoid()' },
  { name: 'silu', ts: (x) => x.a.silu(), py: 'F.silu(a)' },
  { name: 'relu', ts: (x) => x.a.relu(), py: 'a.relu()' },
  { name: 'gelu', ts: (x) => x.a.gelu(), py: 'F.gelu(a)' },
  { name: 'gelu_tanh', ts: (x) => x.a.gelu('tanh'), py: "F.gelu(a, approximate='tanh')" },
  { name: 'erf', ts: (x) => x.a.erf(), py: 'a.erf()' },
  { name: 'erfinv', ts: (x) => x.unit.erfinv(), py: 'unit.erfinv()' },
  { name: 'clamp', ts: (x) => x.a.clamp(-0.5, 0.7), py: 'a.clamp(-0.5, 0.7)' },
  { name: 'clamp_min', ts: (x) => x.a.clamp(0), py: 'a.clamp(min=0)' },
  { name: 'clamp_max', ts: (x) => x.a.clamp(undefined, 0.1), py: 'a.clamp(max=0.1)' },
  { name: 'clamp_tensor', ts: (x) => x.a.clamp(x.b.neg().abs().neg(), x.b.abs()), py: 'a.clamp(-b.abs(), b.abs())' },
  { name: 'sign', ts: (x) => x.a.sign(), py: 'a.sign()' },
  { name: 'maximum', ts: (x) => x.a.maximum(x.b), py: 'torch.maximum(a, b)' },
  { name: 'minimum', ts: (x) => ht.minimum(x.a, x.b), py: 'torch.minimum(a, b)' },
  { name: 'atan2', ts: (x) => x.a.atan2(x.b), py: 'torch.atan2(a, b)' },
  { name: 'square', ts: (x) => x.a.square(), py: 'a.square()' },
  { name: 'reciprocal', ts: (x) => x.pos.reciprocal(), py: 'pos.reciprocal()' },
  { name: 'floor_ceil_round', ts: (x) => [x.a.mul(3).floor(), x.a.mul(3).ceil(), x.a.mul(3).round()], py: '((a*3).floor(), (a*3).ceil(), (a*3).round())' },
  { name: 'sin_cos', ts: (x) => [x.a.sin(), x.a.cos()], py: '(a.sin(), a.cos())' },
  { name: 'float64_math', ts: (x) => x.d.exp().mul(x.d).tanh(), py: '(d.exp() * d).tanh()' },
  // comparisons and logic
  { name: 'eq', ts: (x) => x.i.eq(x.i32.long()), py: 'i == i32.long()' },
  { name: 'eq_scalar', ts: (x) => x.i.eq(0), py: 'i == 0' },
  { name: 'ne', ts: (x) => x.i.ne(1), py: 'i != 1' },
  { name: 'lt', ts: (x) => x.a.lt(x.b), py: 'a < b' },
  { name: 'le', ts: (x) => x.a.le(0), py: 'a <= 0' },
  { name: 'gt', ts: (x) => x.a.gt(x.b), py: 'a > b' },
  { name: 'ge', ts: (x) => x.a.ge(0.2), py: 'a >= 0.2' },
  { name: 'logical', ts: (x) => [x.mask.logicalAnd(x.a.gt(0)), x.mask.logicalOr(x.a.gt(0)), x.mask.logicalXor(x.a.gt(0)), x.mask.logicalNot()], py: '(mask & (a > 0), mask | (a > 0), mask ^ (a > 0), ~mask)' },
  { name: 'isnan', ts: (x) => x.a.log().isnan(), py: 'a.log().isnan()' },
  // linear algebra
  { name: 'matmul', ts: (x) => x.m1.matmul(x.m2), py: 'm1 @ m2' },
  { name: 'matmul_64', ts: (x) => x.big1.matmul(x.big2), py: 'big1 @ big2', tol: { rtol: 1e-5, atol: 1e-5 } },
  { name: 'matmul_batched', ts: (x) => x.b1.matmul(x.b2), py: 'b1 @ b2' },
  { name: 'bmm', ts: (x) => x.b1.bmm(x.b2), py: 'torch.bmm(b1, b2)' },
  { name: 'linear', ts: (x) => ht.linear(x.m1, x.w, x.bias), py: 'F.linear(m1, w, bias)' },
  { name: 'linear_nobias', ts: (x) => ht.linear(x.m1, x.w), py: 'F.linear(m1, w)' },
  { name: 'eigvalsh', ts: (x) => ht.linalg.eigvalsh(x.sym), py: 'torch.linalg.eigvalsh(sym)', tol: { rtol: 1e-9, atol: 1e-10 } },
  // reductions
  { name: 'sum', ts: (x) => x.a.sum(), py: 'a.sum()' },
  { name: 'sum_dim', ts: (x) => x.a.sum(1), py: 'a.sum(1)' },
  { name: 'sum_dims_keep', ts: (x) => x.b1.sum([0, 2], true), py: 'b1.sum((0, 2), keepdim=True)' },
  { name: 'sum_int', ts: (x) => x.i32.sum(), py: 'i32.sum()' },
  { name: 'sum_dtype', ts: (x) => x.a.sum(undefined, false, { dtype: 'float64' }), py: 'a.sum(dtype=torch.float64)' },
  { name: 'mean', ts: (x) => x.a.mean(), py: 'a.mean()' },
  { name: 'mean_dim', ts: (x) => x.a.mean(-1, true), py: 'a.mean(-1, keepdim=True)' },
  { name: 'var', ts: (x) => x.a.var(), py: 'a.var()' },
  { name: 'var_dim_pop', ts: (x) => x.a.var(1, { correction: 0, keepdim: true }), py: 'a.var(1, correction=0, keepdim=True)' },
  { name: 'std', ts: (x) => x.a.std(0), py: 'a.std(0)' },
  { name: 'max_all', ts: (x) => x.a.max(), py: 'a.max()' },
  { name: 'max_dim', ts: (x) => { const r = x.a.max(1); return [r.values, r.indices]; }, py: 'tuple(a.max(1))' },
  { name: 'min_dim_keep', ts: (x) => { const r = x.a.min(0, true); return [r.values, r.indices]; }, py: 'tuple(a.min(0, keepdim=True))' },
  { name: 'argmax', ts: (x) => [x.a.argmax(), x.a.argmax(1), x.a.argmax(0, true)], py: '(a.argmax(), a.argmax(1), a.argmax(0, keepdim=True))' },
  { name: 'argmin', ts: (x) => x.a.argmin(1), py: 'a.argmin(1)' },
  { name: 'all_any', ts: (x) => [x.mask.all(), x.mask.any(), x.mask.all(1), x.mask.any(0, true)], py: '(mask.all(), mask.any(), mask.all(1), mask.any(0, keepdim=True))' },
  { name: 'logsumexp', ts: (x) => x.a.logsumexp(1), py: 'a.logsumexp(1)' },
  { name: 'cumsum', ts: (x) => [x.a.cumsum(1), x.i.cumsum(0)], py: '(a.cumsum(1), i.cumsum(0))' },
  { name: 'softmax', ts: (x) => x.a.softmax(-1), py: 'a.softmax(-1)' },
  { name: 'log_softmax', ts: (x) => ht.logSoftmax(x.a, 0), py: 'F.log_softmax(a, 0)' },
  { name: 'topk', ts: (x) => { const r = x.a.topk(2, 1); return [r.values, r.indices]; }, py: 'tuple(a.topk(2, 1))' },
  { name: 'topk_smallest', ts: (x) => { const r = x.a.topk(2, 0, false); return [r.values, r.indices]; }, py: 'tuple(a.topk(2, 0, largest=False))' },
  { name: 'sort', ts: (x) => { const r = x.a.sort(1, true); return [r.values, r.indices]; }, py: 'tuple(a.sort(1, descending=True))' },
  { name: 'sort_stable', ts: (x) => { const r = x.i.sort(1, false, true); return [r.values, r.indices]; }, py: 'tuple(i.sort(dim=1, stable=True))' },
  { name: 'argsort', ts: (x) => x.a.argsort(0), py: 'a.argsort(0)' },
  // shape and indexing
  { name: 'view', ts: (x) => x.a.view(2, 6), py: 'a.view(2, 6)' },
  { name: 'view_infer', ts: (x) => x.a.view(-1), py: 'a.view(-1)' },
  { name: 'reshape', ts: (x) => x.a.T.reshape(6, 2), py: 'a.T.reshape(6, 2)' },
  { name: 'flatten', ts: (x) => x.b1.flatten(1), py: 'b1.flatten(1)' },
  { name: 'permute', ts: (x) => x.b1.permute(2, 0, 1).contiguous(), py: 'b1.permute(2, 0, 1).contiguous()' },
  { name: 'transpose', ts: (x) => x.b1.transpose(0, 2), py: 'b1.transpose(0, 2)' },
  { name: 'unsqueeze_squeeze', ts: (x) => [x.a.unsqueeze(1), x.a.unsqueeze(0).unsqueeze(-1).squeeze(), x.a.unsqueeze(0).squeeze(0)], py: '(a.unsqueeze(1), a.unsqueeze(0).unsqueeze(-1).squeeze(), a.unsqueeze(0).squeeze(0))' },
  { name: 'expand', ts: (x) => x.row.expand(3, 4), py: 'row.expand(3, 4)' },
  { name: 'repeat', ts: (x) => x.a.repeat(2, 1, 3), py: 'a.repeat(2, 1, 3)' },
  { name: 'cat', ts: (x) => ht.cat([x.a, x.b], 1), py: 'torch.cat([a, b], 1)' },
  { name: 'stack', ts: (x) => ht.stack([x.a, x.b], 0), py: 'torch.stack([a, b], 0)' },
  { name: 'split', ts: (x) => x.m1.split(2, 0), py: 'm1.split(2, 0)' },
  { name: 'split_sizes', ts: (x) => x.m1.split([1, 5], 1), py: 'm1.split([1, 5], 1)' },
  { name: 'chunk', ts: (x) => x.m1.chunk(3, 1), py: 'm1.chunk(3, 1)' },
  { name: 'narrow', ts: (x) => x.m1.narrow(1, 2, 3), py: 'm1.narrow(1, 2, 3)' },
  { name: 'slice_step', ts: (x) => x.m1.slice(1, 1, undefined, 2), py: 'm1[:, 1::2]' },
  { name: 'slice_negative', ts: (x) => x.m1.slice(0, -3, -1), py: 'm1[-3:-1]' },
  { name: 'select', ts: (x) => x.m1.select(1, -1), py: 'm1[:, -1]' },
  { name: 'index_select', ts: (x) => x.a.indexSelect(0, x.idx), py: 'a.index_select(0, idx)' },
  { name: 'index', ts: (x) => x.a.index([x.idx, x.idx]), py: 'a[idx, idx]' },
  { name: 'index_none', ts: (x) => x.a.index([undefined, x.idx]), py: 'a[:, idx]' },
  { name: 'gather', ts: (x) => x.a.gather(1, x.gidx), py: 'a.gather(1, gidx)' },
  { name: 'scatter', ts: (x) => ht.zeros([3, 4]).scatter(1, x.gidx, x.a), py: 'torch.zeros(3, 4).scatter(1, gidx, a)' },
  { name: 'scatter_value', ts: (x) => x.a.scatter(1, x.gidx, 7), py: 'a.scatter(1, gidx, 7.0)' },
  { name: 'scatter_add', ts: (x) => ht.zeros([3, 4]).scatterAdd(1, x.gidx, x.a), py: 'torch.zeros(3, 4).scatter_add(1, gidx, a)' },
  { name: 'index_put', ts: (x) => x.a.indexPut([x.idx], x.b.narrow(1, 0, 1).expand(3, 4).mul(10)), py: 'a.index_put((idx,), (b[:, :1].expand(3, 4) * 10))' },
  { name: 'index_put_acc', ts: (x) => ht.zeros([3]).indexPut([ht.tensor([0, 2, 0], { dtype: 'int64' })], ht.tensor([1, 2, 3]), true), py: 'torch.zeros(3).index_put((torch.tensor([0, 2, 0]),), torch.tensor([1., 2., 3.]), accumulate=True)' },
  { name: 'masked_fill', ts: (x) => x.a.maskedFill(x.mask, -1), py: 'a.masked_fill(mask, -1)' },
  { name: 'where', ts: (x) => ht.where(x.mask, x.a, x.b), py: 'torch.where(mask, a, b)' },
  { name: 'where_scalar', ts: (x) => [ht.where(x.mask, x.a, 0), ht.where(x.mask, 1, x.b)], py: '(torch.where(mask, a, 0.0), torch.where(mask, 1.0, b))' },
  { name: 'nonzero', ts: (x) => x.mask.nonzero(), py: 'mask.nonzero()' },
  { name: 'contiguous_values', ts: (x) => x.a.T.contiguous(), py: 'a.T.contiguous()' },
  // casts
  { name: 'to_float64', ts: (x) => x.a.to('float64'), py: 'a.double()' },
  { name: 'to_int32', ts: (x) => x.a.mul(3).to('int32'), py: '(a * 3).int()' },
  { name: 'to_bf16_back', ts: (x) => x.a.bfloat16().float(), py: 'a.bfloat16().float()' },
  { name: 'to_f16_back', ts: (x) => x.a.half().float(), py: 'a.half().float()' },
  { name: 'bool_to_float', ts: (x) => x.mask.float(), py: 'mask.float()' },
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

// In-place ops: applied to a clone; the clone must then match PyTorch's.
const inplace: Case[] = [
  { name: 'add_', ts: (x) => x.a.clone().add_(x.b, 0.5), py: 'a.clone().add_(b, alpha=0.5)' },
  { name: 'add_scalar_', ts: (x) => x.a.clone().add_(2), py: 'a.clone().add_(2)' },
  { name: 'sub_', ts: (x) => x.a.clone().sub_(x.b), py: 'a.clone().sub_(b)' },
  { name: 'mul_', ts: (x) => x.a.clone().mul_(x.b), py: 'a.clone().mul_(b)' },
  { name: 'mul_scalar_', ts: (x) => x.a.clone().mul_(0.9), py: 'a.clone().mul_(0.9)' },
  { name: 'div_', ts: (x) => x.a.clone().div_(x.pos), py: 'a.clone().div_(pos)' },
  { name: 'addcmul_', ts: (x) => x.a.clone().addcmul_(x.b, x.pos, 0.1), py: 'a.clone().addcmul_(b, pos, value=0.1)' },
  { name: 'addcdiv_', ts: (x) => x.a.clone().addcdiv_(x.b, x.pos, -0.01), py: 'a.clone().addcdiv_(b, pos, value=-0.01)' },
  { name: 'lerp_', ts: (x) => x.a.clone().lerp_(x.b, 0.3), py: 'a.clone().lerp_(b, 0.3)' },
  { name: 'lerp_tensor_', ts: (x) => x.a.clone().lerp_(x.b, x.pos), py: 'a.clone().lerp_(b, pos)' },
  { name: 'copy_', ts: (x) => ht.zeros([3, 4]).copy_(x.b), py: 'torch.zeros(3, 4).copy_(b)' },
  { name: 'copy_broadcast_cast', ts: (x) => ht.zeros([3, 4], { dtype: 'float64' }).copy_(x.row), py: 'torch.zeros(3, 4, dtype=torch.float64).copy_(row)' },
  { name: 'zero_', ts: (x) => x.a.clone().zero_(), py: 'a.clone().zero_()' },
  { name: 'fill_', ts: (x) => x.a.clone().fill_(2.5), py: 'a.clone().fill_(2.5)' },
  { name: 'clamp_', ts: (x) => x.a.clone().clamp_(-0.1, 0.2), py: 'a.clone().clamp_(-0.1, 0.2)' },
  { name: 'masked_fill_', ts: (x) => x.a.clone().maskedFill_(x.mask, 0), py: 'a.clone().masked_fill_(mask, 0)' },
  { name: 'index_put_', ts: (x) => x.a.clone().indexPut_([x.idx], x.b), py: 'a.clone().index_put_((idx,), b)' },
];

// Inverse-CDF truncated normal (as torch.nn.init.trunc_normal_ before 2.13, and JAX), written
// out in PyTorch ops; torch 2.13's trunc_normal_ switched to rejection sampling.
const trunc =
  '(lambda m, s, a, b: (torch.manual_seed(11), torch.empty(1000).uniform_(2 * ((1 + __import__("math").erf((a - m) / s / 2 ** 0.5)) / 2) - 1, ' +
  '2 * ((1 + __import__("math").erf((b - m) / s / 2 ** 0.5)) / 2) - 1).erfinv_().mul_(s * 2 ** 0.5).add_(m).clamp_(a, b))[1])(0.5, 2.0, -1.0, 3.0)';

// Creation and random draws: the same seed must give PyTorch's numbers exactly.
const creation: Case[] = [
  { name: 'zeros', ts: () => ht.zeros([2, 3]), py: 'torch.zeros(2, 3)' },
  { name: 'ones_int', ts: () => ht.ones([4], { dtype: 'int32' }), py: 'torch.ones(4, dtype=torch.int32)' },
  { name: 'full', ts: () => ht.full([2, 2], 7.5, { dtype: 'float64' }), py: 'torch.full((2, 2), 7.5, dtype=torch.float64)' },
  { name: 'full_bool', ts: () => ht.full([3], true), py: 'torch.full((3,), True)' },
  { name: 'empty_shape', ts: () => ht.empty([2, 5]).zero_(), py: 'torch.empty(2, 5).zero_()' },
  { name: 'arange', ts: () => ht.arange(5), py: 'torch.arange(5)' },
  { name: 'arange_step', ts: () => ht.arange(1, 10, 3), py: 'torch.arange(1, 10, 3)' },
  { name: 'arange_float', ts: () => ht.arange(0, 1, 0.25), py: 'torch.arange(0, 1, 0.25)' },
  { name: 'linspace', ts: () => ht.linspace(-1, 1, 9), py: 'torch.linspace(-1, 1, 9)' },
  { name: 'eye', ts: () => [ht.eye(3), ht.eye(2, 4, { dtype: 'int64' })], py: '(torch.eye(3), torch.eye(2, 4, dtype=torch.int64))' },
  { name: 'like', ts: (x) => [ht.zerosLike(x.a), ht.onesLike(x.i), ht.fullLike(x.d, 3), ht.emptyLike(x.a).fill_(1)], py: '(torch.zeros_like(a), torch.ones_like(i), torch.full_like(d, 3), torch.ones_like(a))' },
  { name: 'rand_seed', ts: () => { ht.manualSeed(42); return [ht.rand([3, 4]), ht.randn([5])]; }, py: '(torch.manual_seed(42), torch.rand(3, 4), torch.randn(5))[1:]' },
  { name: 'randint_seed', ts: () => { ht.manualSeed(7); return ht.randint(0, 10, [8]); }, py: '(torch.manual_seed(7), torch.randint(0, 10, (8,)))[1]' },
  { name: 'randperm_seed', ts: () => { ht.manualSeed(3); return ht.randperm(10); }, py: '(torch.manual_seed(3), torch.randperm(10))[1]' },
  { name: 'bernoulli_seed', ts: (x) => { ht.manualSeed(5); return ht.bernoulli(x.pos.clamp(0, 1)); }, py: '(torch.manual_seed(5), torch.bernoulli(pos.clamp(0, 1)))[1]' },
  { name: 'bernoulli_p_seed', ts: (x) => { ht.manualSeed(5); return ht.bernoulli(0.3, { like: x.a }); }, py: '(torch.manual_seed(5), torch.bernoulli(a, 0.3))[1]' },
  { name: 'generator', ts: () => { const g = new ht.Generator(99); const r = [ht.rand([4], { generator: g }), ht.randn([2, 2], { generator: g }), ht.randint(0, 5, [3], { generator: g })]; g.dispose(); return r; }, py: '(lambda g: (torch.rand(4, generator=g), torch.randn(2, 2, generator=g), torch.randint(0, 5, (3,), generator=g)))(torch.Generator().manual_seed(99))' },
  { name: 'trunc_normal', ts: () => { ht.manualSeed(11); return ht.truncNormal([1000], { mean: 0.5, std: 2, a: -1, b: 3 }); }, py: trunc, tol: { rtol: 1e-5, atol: 1e-5 } },
  { name: 'normal', ts: () => { ht.manualSeed(2); return ht.normal(1, 3, [6]); }, py: '(torch.manual_seed(2), torch.normal(1.0, 3.0, (6,)))[1]' },
  { name: 'dropout_train_seed', ts: (x) => { ht.manualSeed(8); return ht.dropout(x.big1, 0.25, true); }, py: '(torch.manual_seed(8), F.dropout(big1, 0.25, True))[1]' },
  { name: 'rng_state_restore', ts: () => { ht.manualSeed(21); const s = ht.getRngState(); const first = ht.rand([3]); ht.setRngState(s); return [first, ht.rand([3])]; }, py: '(torch.manual_seed(21), torch.rand(3))[1:] * 2' },
  { name: 'from_nested', ts: () => [ht.tensor([[1, 2, 3], [4, 5, 6]]), ht.tensor([[1, 2], [3, 4]], { dtype: 'int64' }), ht.tensor([true, false]), ht.tensor(2.5, { dtype: 'float64' })], py: '(torch.tensor([[1., 2, 3], [4, 5, 6]]), torch.tensor([[1, 2], [3, 4]]), torch.tensor([True, False]), torch.tensor(2.5, dtype=torch.float64))' },
  { name: 'from_typed', ts: () => [ht.fromTypedArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]), ht.fromTypedArray(new BigInt64Array([1n, -2n, 3n]), [3]), ht.tensor(new Int32Array([5, 6]))], py: '(torch.arange(1, 7, dtype=torch.float64).view(2, 3), torch.tensor([1, -2, 3]), torch.tensor([5, 6], dtype=torch.int32))' },
  { name: 'half_bits', ts: () => [ht.fromTypedArray(new Uint16Array([0x3c00, 0xc000]), [2], { dtype: 'float16' }).float(), ht.fromTypedArray(new Uint16Array([0x3f80, 0x4040]), [2], { dtype: 'bfloat16' }).float()], py: '(torch.tensor([1.0, -2.0]), torch.tensor([1.0, 3.0]))' },
];

describeWithTorch('ops against PyTorch', () => {
  let inputs: Inputs;
  let results: Map<string, ht.Tensor[] | Error>;
  let expected: Record<string, ht.Tensor>;
  const all = [...cases, ...inplace, ...creation];

  beforeAll(() => {
    ht.setNumThreads(1);
    inputs = makeInputs();
    results = new Map();
    for (const c of all) {
      try {
        const r = c.ts(inputs);
        results.set(c.name, Array.isArray(r) ? r : [r]);
      } catch (e) {
        results.set(c.name, e as Error);
      }
    }
    expected = runReference(inputs, all.map((c) => ({ name: c.name, expr: c.py })));
  });

  test.each(all.map((c) => [c.name, c] as [string, Case]))('%s', (name, c) => {
    const got = results.get(name)!;
    if (got instanceof Error) throw got;
    if (got.length === 1 && expected[name] !== undefined) {
      expectTensorClose(got[0], expected[name], name, c.tol);
    } else {
      got.forEach((t, i) => {
        const e = expected[`${name}.${i}`];
        if (!e) throw new Error(`${name}: PyTorch returned no output ${i}`);
        expectTensorClose(t, e, `${name}[${i}]`, c.tol);
      });
    }
  });
});

describe('readback', () => {
  test('typed arrays per dtype', () => {
    ht.scope(() => {
      expect(ht.tensor([1.5, -2]).toTypedArray()).toEqual(new Float32Array([1.5, -2]));
      expect(ht.tensor([1.5, -2], { dtype: 'float64' }).toTypedArray()).toEqual(new Float64Array([1.5, -2]));
      expect(ht.tensor([3, -4], { dtype: 'int32' }).toTypedArray()).toEqual(new Int32Array([3, -4]));
      expect(ht.tensor([3, -4], { dtype: 'int64' }).toTypedArray()).toEqual(new BigInt64Array([3n, -4n]));
      expect(ht.tensor([2n ** 40n], { dtype: 'int64' }).toTypedArray()[0]).toBe(2n ** 40n);
      expect(ht.tensor([1, -2], { dtype: 'float16' }).toTypedArray()).toEqual(new Uint16Array([0x3c00, 0xc000]));
      expect(ht.tensor([1, 3], { dtype: 'bfloat16' }).toTypedArray()).toEqual(new Uint16Array([0x3f80, 0x4040]));
      expect(ht.tensor([true, false]).toTypedArray()).toEqual(new Uint8Array([1, 0]));
      expect(ht.tensor([200, 3], { dtype: 'uint8' }).toTypedArray()).toEqual(new Uint8Array([200, 3]));
    });
  });

  test('toArray, item and async readback', async () => {
    const t = ht.tensor([[1, 2], [3, 4]], { dtype: 'int64' });
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(ht.tensor([[true], [false]]).toArray()).toEqual([[true], [false]]);
    expect(ht.tensor(7, { dtype: 'int32' }).item()).toBe(7);
    expect(ht.tensor([0.5], { dtype: 'bfloat16' }).toArray()).toEqual([0.5]);
    expect(await t.toArrayAsync()).toEqual([[1, 2], [3, 4]]);
    expect(Array.from(await ht.arange(0, 1000, 1, { dtype: 'float32' }).toTypedArrayAsync()).slice(-2)).toEqual([998, 999]);
    expect(ht.zeros([2, 0, 3]).toArray()).toEqual([[], []]);
    t.dispose();
  });

  test('metadata', () => {
    const t = ht.zeros([2, 3, 4], { dtype: 'float64' });
    expect(t.shape).toEqual([2, 3, 4]);
    expect(t.ndim).toBe(3);
    expect(t.numel).toBe(24);
    expect(t.size(-1)).toBe(4);
    expect(t.dtype).toBe('float64');
    expect(t.device).toBe('cpu');
    expect(String(ht.tensor([[1, 2]]))).toContain('dtype=float32');
    t.dispose();
  });
});
