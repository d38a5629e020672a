/**
 * Token losses of the loss head (src/models/hrm/losses.ts) against PyTorch expressions written from
 * the spec (3.3): stablemax s(x) = x + 1 for x >= 0, 1 / (1 - x + 1e-30) below; log-prob log(s(x_y) / sum s(x)) in
 * float64; softmax CE in fp32; label -100 ignored (loss 0).
 */
import * as ht from '../../../src';
import { IGNORE_LABEL_ID, logStablemax, softmaxCrossEntropy, stablemaxCrossEntropy } from '../../../src/models/hrm/losses';
import { describeWithTorch, expectTensorClose, runReference } from '../../helpers/reference';
import * as subject from '../../../src/models/hrm/losses';
import { expectInvalidArgument } from '../../helpers/errors';
import { TINY } from '../../helpers/hrm';

// The same formulas in PyTorch (inputs: logits [B, S, V] float32, labels [B, S] int64). The 1e-30 keeps
// the unselected branch finite at x = 1, where the gradient through where() would otherwise be NaN.
const PY_LOG_STABLEMAX = 'x = logits.double(); s = torch.where(x < 0, 1 / (1 - x + 1e-30), x + 1); lsm = torch.log(s / s.sum(-1, keepdim=True))';
const PY_STABLEMAX_CE = (x: string) =>
  `def stablemax_ce(logits):\n    ${PY_LOG_STABLEMAX.replace(/; /g, '\n    ')}\n` +
  '    valid = labels != -100\n' +
  '    picked = lsm.gather(-1, torch.where(valid, labels, 0).unsqueeze(-1)).squeeze(-1)  # [B, S]\n' +
  '    return torch.where(valid, -picked, torch.zeros_like(picked))\n' +
  x;
const PY_SOFTMAX_CE = 'F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100, reduction="none").view(labels.shape)';

/** Logits [2, 3, 5] of both signs, with exact 0 and 1 (branch edges), and labels with ignored positions. */
function batch(): { logits: ht.Tensor; labels: ht.Tensor } {
  ht.manualSeed(3);
  const values = ht.randn([2, 3, 5]).mul(3).toArray() as number[][][];
  values[0][0][1] = 0;
  values[0][0][2] = 1;
  const logits = ht.tensor(values);
  const labels = ht.tensor([[1, 4, IGNORE_LABEL_ID], [0, IGNORE_LABEL_ID, 2]], { dtype: 'int64' });
  return { logits, labels };
}

test('IGNORE_LABEL_ID is the reference -100; ignored positions cost 0', () => {
  expect(IGNORE_LABEL_ID).toBe(-100);
  ht.scope(() => {
    const { logits, labels } = batch();
    for (const loss of [stablemaxCrossEntropy(logits, labels), softmaxCrossEntropy(logits, labels)]) {
      expect(loss.shape).toEqual([2, 3]);
      const rows = loss.toArray() as number[][];
      expect([rows[0][2] + 0, rows[1][1] + 0]).toEqual([0, 0]); // (-0 from the negation counts as 0)
    }
  });
});

describeWithTorch('token losses against PyTorch', () => {
  test('logStablemax and stablemaxCrossEntropy (float64), softmaxCrossEntropy (fp32)', () => {
    ht.scope(() => {
      const { logits, labels } = batch();
      const ref = runReference({ logits, labels }, [
        { name: 'log_stablemax', exec: `${PY_LOG_STABLEMAX}; result = lsm` },
        { name: 'stablemax_ce', exec: PY_STABLEMAX_CE('result = stablemax_ce(logits)') },
        { name: 'softmax_ce', expr: PY_SOFTMAX_CE },
      ]);
      expectTensorClose(logStablemax(logits.to('float64')), ref.log_stablemax, 'logStablemax');
      const stablemax = stablemaxCrossEntropy(logits, labels);
      expect(stablemax.dtype).toBe('float64');
      expectTensorClose(stablemax, ref.stablemax_ce, 'stablemaxCrossEntropy');
      expectTensorClose(softmaxCrossEntropy(logits, labels), ref.softmax_ce, 'softmaxCrossEntropy');
    });
  });

  test('gradients reach the logits as in PyTorch, finite at the branch edges (x = 0 and x = 1)', () => {
    ht.scope(() => {
      const { logits, labels } = batch();
      const ref = runReference({ logits, labels }, [
        { name: 'stablemax_grad', exec: PY_STABLEMAX_CE('x = logits.clone().requires_grad_()\nstablemax_ce(x).sum().backward()\nresult = x.grad') },
        { name: 'softmax_grad', exec: `logits = logits.clone().requires_grad_()\n${PY_SOFTMAX_CE}.sum().backward()\nresult = logits.grad` },
      ]);
      for (const [name, loss] of [
        ['stablemax', stablemaxCrossEntropy],
        ['softmax', softmaxCrossEntropy],
      ] as const) {
        const x = logits.detach().requiresGrad_(true);
        loss(x, labels).sum().backward();
        expect(x.grad!.isnan().any().item()).toBe(false);
        expectTensorClose(x.grad!, ref[`${name}_grad`], `${name} gradient`);
      }
    });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('the token losses, logStablemax and ACTLossHead name a bad model, tensor, carry or batch', () => {
    const t = ht.zeros([2, 3]);
    expectInvalidArgument(() => subject.logStablemax(3 as never), 'logStablemax(): x must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.softmaxCrossEntropy(undefined as never, t), 'softmaxCrossEntropy(): logits must be a Tensor, got undefined');
    expectInvalidArgument(() => subject.stablemaxCrossEntropy(t, [1] as never), 'stablemaxCrossEntropy(): labels must be a Tensor, got an array of length 1');
    expectInvalidArgument(() => subject.stablemaxCrossEntropy(t, t, 0.5), 'stablemaxCrossEntropy(): ignoreIndex must be an integer, got number 0.5');
    expectInvalidArgument(() => new subject.ACTLossHead({} as never), 'ACTLossHead: model must be a model with the ACT-step interface (HRM or TRM, e.g. from buildModel()), got an object');
    const model = new ht.HRM(ht.hrmConfig(TINY));
    expectInvalidArgument(() => new subject.ACTLossHead(model, 'mse' as never), "ACTLossHead: lossType must be 'stablemax_cross_entropy' or 'softmax_cross_entropy', got string \"mse\"");
    const head = new subject.ACTLossHead(model);
    const batch = { inputs: ht.zeros([2, 8], { dtype: 'int32' }), labels: ht.zeros([2, 8], { dtype: 'int32' }), puzzleIdentifiers: ht.zeros([2], { dtype: 'int32' }) };
    expectInvalidArgument(() => head.forward(undefined as never, batch), 'ACTLossHead.forward(): carry must be an HRM carry (from initialCarry()), got undefined');
    expectInvalidArgument(() => head.forward(model.initialCarry(batch), { ...batch, labels: undefined } as never), 'ACTLossHead.forward(): batch.labels must be a Tensor, got undefined');
    model.dispose();
  });
});
