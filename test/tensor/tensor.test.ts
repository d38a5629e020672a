/**
 * Every method of the Tensor class against PyTorch on the same inputs: the SDK computes, PyTorch
 * computes (test/reference/run.py), and the results must agree in shape, dtype and value.
 */
import * as ht from '../../src';
import { OpCase, describeOpsAgainstTorch } from '../helpers/op-cases';
import * as subject from '../../src/tensor/tensor';
import { expectInvalidArgument } from '../helpers/errors';

const methods: OpCase[] = [
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
  { name: 'prod', ts: (x) => [x.unit.prod(), x.i.prod({ dtype: 'float64' })], py: '(unit.prod(), i.prod(dtype=torch.float64))' },
  { name: 'prod_dim', ts: (x) => [x.unit.prod(1), x.unit.prod(0, true), x.b1.prod(-1), x.i.prod(1)], py: '(unit.prod(1), unit.prod(0, keepdim=True), b1.prod(-1), i.prod(1))' },
  { name: 'prod_dim_dtype', ts: (x) => x.i32.prod(0, false, { dtype: 'float64' }), py: 'i32.prod(0, dtype=torch.float64)' },
  { name: 'softmax', ts: (x) => x.a.softmax(-1), py: 'a.softmax(-1)' },
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
  { name: 'nonzero', ts: (x) => x.mask.nonzero(), py: 'mask.nonzero()' },
  { name: 'contiguous_values', ts: (x) => x.a.T.contiguous(), py: 'a.T.contiguous()' },
  // casts
  { name: 'to_float64', ts: (x) => x.a.to('float64'), py: 'a.double()' },
  { name: 'to_int32', ts: (x) => x.a.mul(3).to('int32'), py: '(a * 3).int()' },
  { name: 'to_bf16_back', ts: (x) => x.a.bfloat16().float(), py: 'a.bfloat16().float()' },
  { name: 'to_f16_back', ts: (x) => x.a.half().float(), py: 'a.half().float()' },
  { name: 'bool_to_float', ts: (x) => x.mask.float(), py: 'mask.float()' },
];

// In-place ops: applied to a clone; the clone must then match PyTorch's.
const inplace: OpCase[] = [
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

describeOpsAgainstTorch('Tensor methods against PyTorch', [...methods, ...inplace]);

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
    expect(t.size(-3)).toBe(2);
    expect(t.dtype).toBe('float64');
    expect(t.device).toBe('cpu');
    expect(String(ht.tensor([[1, 2]]))).toContain('dtype=float32');
    t.dispose();
  });
});

describe('dims and gradients are checked', () => {
  test('size(dim): integer dims only, negative dims count from the end, out of range names dim and ndim', () => {
    ht.scope(() => {
      const t = ht.zeros([2, 3]);
      expect(t.size(1)).toBe(3);
      expect(t.size(-2)).toBe(2);
      expect(() => t.size(1.5)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'size(): dim must be an integer, got number 1.5' }));
      expect(() => t.size(2)).toThrow('size(): dim 2 is out of range for a tensor with 2 dims (valid dims are -2 to 1)');
      expect(() => t.size(-3)).toThrow(/dim -3 is out of range for a tensor with 2 dims/);
      expect(() => ht.tensor(1).size(0)).toThrow(/out of range for a tensor with 0 dims \(it has no dims\)/);
      expect(() => t.size(NaN)).toThrow(/must be an integer, got number NaN/);
    });
  });

  test('prod(dim) checks its dim like size() and takes one dim', () => {
    ht.scope(() => {
      const t = ht.tensor([[1, 2], [3, 4]]);
      expect(t.prod(1).toArray()).toEqual([2, 12]);
      expect(t.prod(-2, true).toArray()).toEqual([[3, 8]]);
      expect(() => t.prod(2)).toThrow(/prod\(\): dim 2 is out of range for a tensor with 2 dims/);
      expect(() => t.prod(0.5)).toThrow(/prod\(\): dim must be an integer, got number 0.5/);
      expect(() => t.prod([0, 1] as unknown as number)).toThrow(/prod\(\): dim must be one integer/);
    });
  });

  test('dims given to libtorch operators: a fraction is refused with its value', () => {
    ht.scope(() => {
      expect(() => ht.ones([2]).unsqueeze(1.5)).toThrow("aten::unsqueeze: argument 'dim' (position 1) must be an integer, got number 1.5");
      expect(() => ht.ones([2, 3]).max(0.5)).toThrow(/argument 'dim' \(position 1\) must be an integer, got number 0.5/);
      expect(() => ht.ones([2, 3]).sum(2n ** 70n as unknown as number)).toThrow(/must be an integer or an array of integers, got bigint/);
    });
  });

  test('setting grad: the shape, dtype and device must match the tensor (as in PyTorch)', () => {
    ht.scope(() => {
      const x = ht.ones([2, 3], { requiresGrad: true });
      expect(() => (x.grad = ht.ones([5]))).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'grad must match the tensor (shape [2, 3], dtype float32, device cpu); got a gradient with shape [5], dtype float32, device cpu' }),
      );
      expect(() => (x.grad = ht.ones([3, 2]))).toThrow(/got a gradient with shape \[3, 2\]/);
      expect(() => (x.grad = ht.ones([2, 3], { dtype: 'float64' }))).toThrow(/got a gradient with shape \[2, 3\], dtype float64/);
      expect(() => (x.grad = [1, 2] as unknown as ht.Tensor)).toThrow(/grad must be a Tensor, got an array of length 2/);
      expect(x.grad).toBeUndefined();
      x.grad = ht.fullLike(x, 0.5);
      expect(x.grad!.toArray()).toEqual([[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]);
      x.grad = undefined;
      expect(x.grad).toBeUndefined();
    });
  });

  test('to(): a string that is neither a dtype nor a device names both', () => {
    ht.scope(() => {
      expect(() => ht.zeros([2]).to('tpu' as ht.Device)).toThrow(
        "to() takes a dtype (uint8, int8, int16, int32, int64, float16, float32, float64, bool, bfloat16), a device ('cpu', 'cuda' or 'cuda:N') or { dtype, device }; got string \"tpu\"",
      );
      expect(() => ht.zeros([2]).to('cuda:x' as ht.Device)).toThrow(`to(): device must be 'cpu', 'cuda' or 'cuda:N' (N a device index); got string "cuda:x"`);
      expect(() => ht.zeros([2]).to({ device: 'gpu' as ht.Device })).toThrow(/to\(\): options.device must be 'cpu'.*got string "gpu"/);
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('checkTensor returns a Tensor and names anything else', () => {
    const t = ht.zeros([1]);
    expect(subject.checkTensor(t, 'f(): x')).toBe(t);
    expectInvalidArgument(() => subject.checkTensor([1], 'f(): x'), 'f(): x must be a Tensor, got an array of length 1');
  });

  test('fill_, maskedFill and maskedFill_ refuse a value the dtype cannot hold, as full() does', () => {
    const u8 = ht.zeros([2], { dtype: 'uint8' });
    const mask = ht.tensor([true, false]);
    expectInvalidArgument(() => u8.fill_(300), 'fill_(): value is 300, which uint8 cannot hold (uint8 holds integers from 0 to 255)');
    expectInvalidArgument(() => ht.zeros([2], { dtype: 'bool' }).fill_(0.5), 'fill_(): value is 0.5, which bool cannot hold');
    expectInvalidArgument(() => ht.zeros([2], { dtype: 'int32' }).maskedFill(mask, NaN), 'maskedFill(): value is NaN, which int32 cannot hold');
    expectInvalidArgument(() => u8.maskedFill_(mask, -1), 'maskedFill_(): value is -1, which uint8 cannot hold');
    expectInvalidArgument(() => u8.maskedFill(mask, 'x' as never), 'maskedFill(): value must be a Tensor or a number, got string "x"');
    expect(u8.fill_(255).maskedFill(mask, 7).toArray()).toEqual([7, 255]); // values that fit are unchanged
  });

  test('a dim out of range names the dim and the valid range, for every op libtorch wraps dims for', () => {
    const x = ht.zeros([2, 3]);
    expectInvalidArgument(() => x.sum(5), 'dim 5 is out of range (valid dims are -2 to 1)');
    expectInvalidArgument(() => x.softmax(-3), 'dim -3 is out of range (valid dims are -2 to 1)');
    expectInvalidArgument(() => x.transpose(0, 2), 'dim 2 is out of range (valid dims are -2 to 1)');
    expectInvalidArgument(() => ht.cat([x, x], 4), 'dim 4 is out of range (valid dims are -2 to 1)');
  });
});
