/** Optimizers against PyTorch's: AdamW against torch.optim.AdamW over several steps. */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from '../helpers/reference';

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
});
