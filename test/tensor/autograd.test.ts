/**
 * Gradients: finite-difference checks for the differentiable ops (float64), and gradients of a
 * few composite functions against PyTorch's own autograd on the same inputs.
 */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from '../helpers/reference';
import * as subject from '../../src/tensor/autograd';
import { expectInvalidArgument } from '../helpers/errors';

type Fn = (...xs: ht.Tensor[]) => ht.Tensor;

function f64(shape: number[], opts: { positive?: boolean; seed: number }): ht.Tensor {
  ht.manualSeed(opts.seed);
  const t = ht.randn(shape, { dtype: 'float64' });
  if (!opts.positive) return t;
  const p = t.abs().add(0.5);
  t.dispose();
  return p;
}

const unary: [string, Fn, boolean?][] = [
  ['neg', (a) => a.neg()],
  ['exp', (a) => a.exp()],
  ['log', (a) => a.log(), true],
  ['log1p', (a) => a.log1p(), true],
  ['sqrt', (a) => a.sqrt(), true],
  ['rsqrt', (a) => a.rsqrt(), true],
  ['tanh', (a) => a.tanh()],
  ['sigmoid', (a) => a.sigmoid()],
  ['silu', (a) => a.silu()],
  ['gelu', (a) => a.gelu()],
  ['gelu_tanh', (a) => a.gelu('tanh')],
  ['erf', (a) => a.erf()],
  ['square', (a) => a.square()],
  ['reciprocal', (a) => a.reciprocal(), true],
  ['pow_scalar', (a) => a.pow(3)],
  ['sin_cos', (a) => a.sin().mul(a.cos())],
  ['sum_dim', (a) => a.sum(1)],
  ['mean', (a) => a.mean()],
  ['var', (a) => a.var(1)],
  ['std', (a) => a.std(0)],
  ['logsumexp', (a) => a.logsumexp(1)],
  ['softmax', (a) => a.softmax(-1)],
  ['log_softmax', (a) => a.logSoftmax(0)],
  ['cumsum', (a) => a.cumsum(1)],
  ['max_dim', (a) => a.max(1).values],
  ['reshape_permute', (a) => a.reshape(3, 2, 3).permute(2, 0, 1).contiguous()],
  ['slice_step', (a) => a.slice(1, 0, undefined, 2)],
  ['expand_repeat', (a) => a.narrow(0, 0, 1).expand(3, 6).repeat(1, 2)],
  ['rms_norm', (a) => ht.rmsNorm(a, { eps: 1e-6 })],
  ['layer_norm', (a) => ht.layerNorm(a, [6])],
  ['unsqueeze_split', (a) => ht.cat(a.unsqueeze(0).split(2, 2), 0)],
];

const binary: [string, Fn, boolean?][] = [
  ['add', (a, b) => a.add(b, 0.7)],
  ['sub', (a, b) => a.sub(b)],
  ['mul', (a, b) => a.mul(b)],
  ['div', (a, b) => a.div(b), true],
  ['pow', (a, b) => a.pow(b), true],
  ['atan2', (a, b) => a.atan2(b), true],
  ['maximum', (a, b) => a.maximum(b)],
  ['matmul', (a, b) => a.matmul(b.T)],
  ['linear', (a, b) => ht.linear(a, b)],
  ['cat', (a, b) => ht.cat([a, b], 1)],
  ['stack', (a, b) => ht.stack([a, b], 0)],
  ['where', (a, b) => ht.where(a.gt(b), a, b.mul(2))],
  ['mse', (a, b) => ht.mseLoss(a, b)],
];

describe('finite-difference gradient checks (float64)', () => {
  test.each(unary.map(([n, f, pos]) => [n, f, pos] as const))('%s', (_n, f, pos) => {
    ht.scope(() => {
      const r = ht.gradcheck(f, [f64([3, 6], { positive: !!pos, seed: 1 })]);
      expect(r.maxAbsError).toBeLessThan(1e-5);
      expect(r.ok).toBe(true);
    });
  });

  test.each(binary.map(([n, f, pos]) => [n, f, pos] as const))('%s', (_n, f, pos) => {
    ht.scope(() => {
      const r = ht.gradcheck(f, [f64([3, 6], { positive: !!pos, seed: 2 }), f64([3, 6], { positive: !!pos, seed: 3 })]);
      expect(r.ok).toBe(true);
    });
  });

  test('sdpa', () => {
    ht.scope(() => {
      const q = f64([1, 2, 3, 4], { seed: 4 });
      const k = f64([1, 2, 5, 4], { seed: 5 });
      const v = f64([1, 2, 5, 4], { seed: 6 });
      expect(ht.gradcheck((a, b, c) => ht.scaledDotProductAttention(a, b, c), [q, k, v]).ok).toBe(true);
    });
  });

  test('cross entropy with ignored targets, and BCE with logits', () => {
    ht.scope(() => {
      const target = ht.tensor([1, -100, 3, 0], { dtype: 'int64' });
      expect(ht.gradcheck((a) => ht.crossEntropy(a, target), [f64([4, 5], { seed: 7 })]).ok).toBe(true);
      const bt = ht.tensor([1, 0, 1, 1], { dtype: 'float64' });
      expect(ht.gradcheck((a) => ht.binaryCrossEntropyWithLogits(a, bt), [f64([4], { seed: 8 })]).ok).toBe(true);
    });
  });

  test('gather, indexSelect and embedding', () => {
    ht.scope(() => {
      const idx = ht.tensor([[0, 2], [1, 1], [5, 0]], { dtype: 'int64' });
      expect(ht.gradcheck((a) => a.gather(1, idx), [f64([3, 6], { seed: 9 })]).ok).toBe(true);
      const rows = ht.tensor([2, 0, 2], { dtype: 'int64' });
      expect(ht.gradcheck((a) => a.indexSelect(0, rows), [f64([3, 6], { seed: 10 })]).ok).toBe(true);
      expect(ht.gradcheck((w) => ht.embedding(rows, w), [f64([3, 6], { seed: 11 })]).ok).toBe(true);
    });
  });

  test('gradcheck notices a wrong gradient', () => {
    // A function whose backward is deliberately broken: detach() drops a term from the gradient.
    ht.scope(() => {
      const r = ht.gradcheck((a) => a.mul(a.detach()), [f64([2, 3], { seed: 12 })]);
      expect(r.ok).toBe(false);
    });
  });
});

describe('autograd mechanics', () => {
  test('backward accumulates, grad can be cleared, noGrad records nothing', () => {
    ht.scope(() => {
      const x = ht.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
      x.mul(x).sum().backward();
      x.mul(x).sum().backward();
      expect(x.grad!.toArray()).toEqual([4, 8, 12]);
      x.grad = undefined;
      expect(x.grad).toBeUndefined();
      const y = ht.noGrad(() => x.mul(2));
      expect(y.requiresGrad).toBe(false);
      expect(ht.isGradEnabled()).toBe(true);
      const z = ht.noGrad(() => ht.enableGrad(() => x.mul(2)));
      expect(z.requiresGrad).toBe(true);
      expect(x.isLeaf).toBe(true);
      expect(z.isLeaf).toBe(false);
      expect(x.detach().requiresGrad).toBe(false);
    });
  });

  test('grad restored after an exception inside noGrad', () => {
    expect(() =>
      ht.noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ht.isGradEnabled()).toBe(true);
  });

  test('inference mode', () => {
    ht.scope(() => {
      const x = ht.ones([2], { requiresGrad: true });
      const y = ht.inferenceMode(() => {
        expect(ht.isInferenceMode()).toBe(true);
        return x.mul(3);
      });
      expect(ht.isInferenceMode()).toBe(false);
      expect(y.requiresGrad).toBe(false);
      expect(y.toArray()).toEqual([3, 3]);
    });
  });

  test('autograd.grad, retainGraph and a non-leaf retainGrad', () => {
    ht.scope(() => {
      const x = ht.tensor([0.5, -1], { dtype: 'float64', requiresGrad: true });
      const h = x.tanh().retainGrad();
      const y = h.mul(h).sum();
      const [g] = ht.grad(y, x, { retainGraph: true });
      const t = Array.from(g!.toTypedArray() as Float64Array);
      const expected = [0.5, -1].map((v) => 2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2));
      t.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
      y.backward();
      // As in PyTorch, the retain_grad hook fires in autograd.grad too, so h.grad holds both passes.
      (h.grad!.toArray() as number[]).forEach((v, i) => expect(v).toBeCloseTo(4 * Math.tanh([0.5, -1][i]), 12));
      expect(x.grad).toBeDefined();
    });
  });

  test('backward with an explicit gradient, and create_graph for second derivatives', () => {
    ht.scope(() => {
      const x = ht.tensor([2, 3], { dtype: 'float64', requiresGrad: true });
      const y = x.pow(3);
      const [dy] = ht.grad(y.sum(), x, { createGraph: true });
      const [d2y] = ht.grad(dy!.sum(), x);
      expect(d2y!.toArray()).toEqual([12, 18]); // 6x
      const z = x.mul(2);
      z.backward(ht.tensor([1, 10], { dtype: 'float64' }));
      expect(x.grad!.toArray()).toEqual([2, 20]);
    });
  });
});

describeWithTorch('gradients against PyTorch autograd', () => {
  test('MLP + cross entropy, attention block with rmsNorm, BCE head', () => {
    ht.scope(() => {
      ht.manualSeed(77);
      const inputs: Record<string, ht.Tensor> = {
        x: ht.randn([8, 16]),
        w1: ht.randn([32, 16]).mul(0.2),
        b1: ht.randn([32]).mul(0.1),
        w2: ht.randn([5, 32]).mul(0.2),
        y: ht.randint(0, 5, [8]),
        seq: ht.randn([2, 6, 16]),
        wqkv: ht.randn([48, 16]).mul(0.2),
        wq: ht.randn([2, 16]).mul(0.3),
        qb: ht.tensor([-5, -5]),
        qt: ht.tensor([[1, 0], [0, 1]]),
      };
      const params = ['w1', 'b1', 'w2', 'wqkv', 'wq', 'qb'];
      const leaves: Record<string, ht.Tensor> = {};
      for (const p of params) leaves[p] = inputs[p].detach().clone().requiresGrad_(true);
      const h = ht.linear(inputs.x, leaves.w1, leaves.b1).silu();
      const loss1 = ht.crossEntropy(ht.linear(h, leaves.w2), inputs.y);
      const qkv = ht.linear(inputs.seq, leaves.wqkv).view(2, 6, 3, 2, 8);
      const [q, k, v] = [0, 1, 2].map((i) => qkv.select(2, i).transpose(1, 2));
      const att = ht.scaledDotProductAttention(q, k, v).transpose(1, 2).reshape(2, 6, 16);
      const normed = ht.rmsNorm(inputs.seq.add(att), { eps: 1e-5 });
      const qlog = ht.linear(normed.select(1, 0), leaves.wq, leaves.qb);
      const loss2 = ht.binaryCrossEntropyWithLogits(qlog, inputs.qt, { reduction: 'sum' });
      const total = loss1.add(loss2.mul(0.5));
      total.backward();
      const py = `
p = {n: globals()[n].clone().requires_grad_(True) for n in ${JSON.stringify(params)}}
h = F.silu(F.linear(x, p['w1'], p['b1']))
loss1 = F.cross_entropy(F.linear(h, p['w2']), y)
qkv = F.linear(seq, p['wqkv']).view(2, 6, 3, 2, 8)
q, k, v = [qkv[:, :, i].transpose(1, 2) for i in range(3)]
att = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(2, 6, 16)
normed = F.rms_norm(seq + att, (16,), eps=1e-5)
qlog = F.linear(normed[:, 0], p['wq'], p['qb'])
loss2 = F.binary_cross_entropy_with_logits(qlog, qt, reduction='sum')
total = loss1 + 0.5 * loss2
total.backward()
result = [total] + [p[n].grad for n in ${JSON.stringify(params)}]
`;
      const ref = runReference(inputs, [{ name: 'g', exec: py }]);
      expectTensorClose(total, ref['g.0'], 'loss', { rtol: 1e-5, atol: 1e-6 });
      params.forEach((p, i) => expectTensorClose(leaves[p].grad!, ref[`g.${i + 1}`], `grad ${p}`, { rtol: 1e-4, atol: 1e-6 }));
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('gradcheck names a function, inputs or options that are not one', () => {
    const f = (x: ht.Tensor) => x.mul(2).sum();
    expectInvalidArgument(() => subject.gradcheck(3 as never, []), 'gradcheck(): fn must be a function, got number 3');
    expectInvalidArgument(() => subject.gradcheck(f, undefined as never), 'gradcheck(): inputs must be an array of tensors, got undefined');
    expectInvalidArgument(() => subject.gradcheck(f, [3] as never), 'gradcheck(): inputs[0] must be a Tensor, got number 3');
  });
});
