/** The optimizer base: argument checks, parameters without gradients, and state dicts that resume exactly. */
import * as ht from '../../src';
import * as subject from '../../src/optim/optimizer';
import { expectInvalidArgument } from '../helpers/errors';

function freshParams(): ht.Tensor[] {
  ht.manualSeed(4);
  return [ht.randn([3, 2]).requiresGrad_(true), ht.randn([4]).requiresGrad_(true)];
}

function setGrads(params: ht.Tensor[], step: number): void {
  params.forEach((p, i) => (p.grad = ht.full(p.shape, 0.1 * (step + 1) * (i + 1))));
}

describe('Optimizer', () => {
  test('refuses empty parameter lists and negative learning rates', () => {
    expect(() => new ht.AdamW([], { lr: 1e-3 })).toThrow(/params must be a non-empty array/);
    expect(() => new ht.AdamW(freshParams(), { lr: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  test('missing or wrong options are named, with the value given and what was expected', () => {
    const Adam = ht.AdamATan2 as unknown as new (...a: unknown[]) => ht.AdamATan2;
    const p = freshParams();
    const err = (f: () => unknown) => expect(f).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    err(() => new Adam());
    expect(() => new Adam()).toThrow('AdamATan2: params must be a non-empty array of tensors (model.parameters(), say), got undefined');
    expect(() => new Adam(p)).toThrow('AdamATan2: options must be an object with at least lr ({ lr: 1e-4 }, say), got undefined');
    expect(() => new Adam([p[0], 3], { lr: 1 })).toThrow('AdamATan2: params[1] must be a Tensor, got number 3');
    expect(() => new Adam(p, {})).toThrow('AdamATan2: options.lr must be a number >= 0, got undefined');
    expect(() => new Adam(p, { lr: '1e-3' })).toThrow('AdamATan2: options.lr must be a number >= 0, got string "1e-3"');
    expect(() => new Adam(p, { lr: 1e-3, betas: [0.9] })).toThrow('AdamATan2: options.betas must be two numbers in [0, 1), got an array of length 1');
    expect(() => new Adam(p, { lr: 1e-3, betas: [1, 0.9] })).toThrow('AdamATan2: options.betas[0] must be a number in [0, 1), got number 1');
    expect(() => new Adam(p, { lr: 1e-3, weightDecay: -0.1 })).toThrow('AdamATan2: options.weightDecay must be a number in [0, Infinity), got number -0.1');
    expect(() => new ht.AdamW(p, { lr: 1e-3, eps: NaN })).toThrow('AdamW: options.eps must be a number in [0, Infinity), got number NaN');
    const Sparse = ht.SparseEmbeddingSignSGD as unknown as new (...a: unknown[]) => unknown;
    expect(() => new Sparse(p[0], { lr: 1 })).toThrow('SparseEmbeddingSignSGD: embedding must be a CastedSparseEmbedding (model.inner.puzzleEmb, say), got a Tensor');
    p.forEach((t) => t.dispose());
  });

  test('a parameter without a gradient is skipped, and its step count stays 0', () => {
    ht.scope(() => {
      const [p, q] = freshParams();
      const before = q.detach().clone();
      const opt = new ht.AdamW([p, q], { lr: 0.1 });
      p.grad = ht.onesLike(p);
      opt.step();
      expect(opt.stateDict().meta.steps).toEqual([1, 0]);
      expect(q.detach().toArray()).toEqual(before.toArray());
      opt.zeroGrad();
      expect(p.grad).toBeUndefined();
      opt.dispose();
    });
  });

  test('a state dict loaded into a fresh optimizer continues with the same updates', () => {
    ht.scope(() => {
      const a = freshParams();
      const optA = new ht.AdamATan2(a, { lr: 0.05, weightDecay: 0.1 });
      setGrads(a, 0);
      optA.step();
      const b = a.map((p) => p.detach().clone().requiresGrad_(true));
      const optB = new ht.AdamATan2(b, { lr: 0.01, weightDecay: 0.1 }); // lr comes from the state
      optB.loadStateDict(optA.stateDict());
      expect(optB.lr).toBe(0.05);
      for (const [params, opt] of [[a, optA], [b, optB]] as const) {
        setGrads(params, 1);
        opt.step();
      }
      a.forEach((p, i) => expect(b[i].detach().toArray()).toEqual(p.detach().toArray()));
      optA.dispose();
      optB.dispose();
    });
  });

  test('state of another kind, or for another parameter count, is refused with a clear message', () => {
    ht.scope(() => {
      const params = freshParams();
      const adamw = new ht.AdamW(params, { lr: 0.1 });
      const atan2 = new ht.AdamATan2(params, { lr: 0.1 });
      expect(() => atan2.loadStateDict(adamw.stateDict())).toThrow(/cannot load AdamW optimizer state into AdamATan2/);
      const one = new ht.AdamW([params[0]], { lr: 0.1 });
      expect(() => one.loadStateDict(adamw.stateDict())).toThrow(/state is for 2 parameters, this optimizer has 1/);
      for (const o of [adamw, atan2, one]) o.dispose();
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('slot and loadStateDict name a bad index, name or state', () => {
    const opt = new ht.AdamW([ht.zeros([3]).requiresGrad_(true)], { lr: 1e-3 });
    const slot = (i: unknown, name: unknown) => (opt as unknown as { slot(i: unknown, name: unknown): unknown }).slot(i, name);
    expectInvalidArgument(() => slot(1, 'exp_avg'), 'AdamW.slot(): i must be a parameter index from 0 to 0, got number 1');
    expectInvalidArgument(() => slot(0, undefined), 'AdamW.slot(): name must be a string, got undefined');
    expectInvalidArgument(() => opt.loadStateDict(undefined as never), 'AdamW.loadStateDict(): state must be an optimizer state {tensors, meta} (from stateDict()), got undefined');
    expectInvalidArgument(() => opt.loadStateDict({ tensors: {}, meta: { kind: 'AdamW' } } as never), 'AdamW.loadStateDict(): state.meta.steps must be an array of step counts, got undefined');
    expect(subject.Optimizer).toBeDefined();
  });
});
