/** Creation and random draws against PyTorch: the same seed must give PyTorch's numbers exactly. */
import * as ht from '../../src';
import { OpCase, describeOpsAgainstTorch } from '../helpers/op-cases';

// Inverse-CDF truncated normal (as torch.nn.init.trunc_normal_ before 2.13, and JAX), written
// out in PyTorch ops; torch 2.13's trunc_normal_ switched to rejection sampling.
const trunc =
  '(lambda m, s, a, b: (torch.manual_seed(11), torch.empty(1000).uniform_(2 * ((1 + __import__("math").erf((a - m) / s / 2 ** 0.5)) / 2) - 1, ' +
  '2 * ((1 + __import__("math").erf((b - m) / s / 2 ** 0.5)) / 2) - 1).erfinv_().mul_(s * 2 ** 0.5).add_(m).clamp_(a, b))[1])(0.5, 2.0, -1.0, 3.0)';

const creation: OpCase[] = [
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

describeOpsAgainstTorch('creation against PyTorch', creation);
