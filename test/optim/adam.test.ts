/** The Adam optimizers against PyTorch's: AdamW against torch.optim.AdamW over several steps. */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from '../helpers/reference';
import * as subject from '../../src/optim/adam';
import { expectInvalidArgument } from '../helpers/errors';

describeWithTorch('optimizers against PyTorch', () => {
  test('AdamW matches torch.optim.AdamW over three steps (with a parameter lacking a gradient)', () => {
    ht.scope(() => {
      ht.manualSeed(3);
      const inputs = { p0: ht.randn([5, 4]), q0: ht.randn([3]), g1: ht.randn([5, 4]), g2: ht.randn([5, 4]), g3: ht.randn([5, 4]) };
      const p = inputs.p0.clone().requiresGrad_(true);
      const q = inputs.q0.clone().requiresGrad_(true);
      const opt = new ht.AdamW([p, q], { lr: 1e-2, betas: [0.9, 0.99], weightDecay: 0.05, eps: 1e-8 });
      for (const g of [inputs.g1, inputs.g2, inputs.g3]) {
        p.grad = g.clone();
        opt.step();
        opt.zeroGrad();
      }
      const ref = runReference(inputs, [
        {
          name: 'adamw',
          exec: `
p = p0.clone().requires_grad_(True)
q = q0.clone().requires_grad_(True)
opt = torch.optim.AdamW([p, q], lr=1e-2, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.05)
for g in (g1, g2, g3):
    p.grad = g.clone()
    opt.step()
    opt.zero_grad()
result = (p, q)
`,
        },
      ]);
      expectTensorClose(p.detach(), ref['adamw.0'], 'AdamW p', { rtol: 1e-5, atol: 1e-6 });
      expectTensorClose(q.detach(), ref['adamw.1'], 'AdamW q (no gradient: untouched)', { rtol: 0, atol: 0 });
      opt.dispose();
    });
  });

  test('AdamATan2 matches its update rule written in PyTorch over three steps', () => {
    ht.scope(() => {
      ht.manualSeed(5);
      const inputs = { p0: ht.randn([4, 3]), g1: ht.randn([4, 3]), g2: ht.randn([4, 3]), g3: ht.randn([4, 3]) };
      const p = inputs.p0.clone().requiresGrad_(true);
      const opt = new ht.AdamATan2([p], { lr: 1e-2, betas: [0.9, 0.95], weightDecay: 0.1 });
      for (const g of [inputs.g1, inputs.g2, inputs.g3]) {
        p.grad = g.clone();
        opt.step();
        opt.zeroGrad();
      }
      const ref = runReference(inputs, [
        {
          name: 'adam_atan2',
          exec: `
import math
lr, (b1, b2), wd = 1e-2, (0.9, 0.95), 0.1
p = p0.clone()
m = torch.zeros_like(p)
v = torch.zeros_like(p)
for t, g in enumerate((g1, g2, g3), start=1):
    p.mul_(1 - lr * wd)
    m.lerp_(g, 1 - b1)
    v.lerp_(g.square(), 1 - b2)
    bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
    p.add_(torch.atan2(m, v.sqrt() / math.sqrt(bc2)), alpha=-lr / bc1)
result = p
`,
        },
      ]);
      expectTensorClose(p.detach(), ref.adam_atan2, 'AdamATan2 p', { rtol: 1e-5, atol: 1e-6 });
      opt.dispose();
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('the update hooks name an argument that is not a tensor', () => {
    for (const opt of [new subject.AdamATan2([ht.zeros([2]).requiresGrad_(true)], { lr: 1e-3 }), new subject.AdamW([ht.zeros([2]).requiresGrad_(true)], { lr: 1e-3 })]) {
      const hooks = opt as unknown as { updateSecondMoment(v: unknown, g: unknown, b2: number): void; applyUpdate(p: unknown, m: unknown, v: unknown, s: number, b: number): void };
      expectInvalidArgument(() => hooks.updateSecondMoment(ht.zeros([2]), undefined, 0.9), 'updateSecondMoment(): g must be a Tensor, got undefined');
      expectInvalidArgument(() => hooks.applyUpdate(ht.zeros([2]), ht.zeros([2]), 3, 0.1, 1), 'applyUpdate(): v must be a Tensor, got number 3');
    }
  });
});
