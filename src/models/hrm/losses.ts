/**
 * Losses and metrics of the reference's loss head (hrm-spec 3.3-3.4): stablemax (float64) or
 * softmax cross entropy with per-sequence normalisation, the Q-halt BCE against sequence
 * correctness, the Q-continue BCE against the bootstrapped target.
 * @module
 */
import { noGrad } from '../../tensor/autograd';
import { binaryCrossEntropyWithLogits, crossEntropy, where } from '../../tensor/functional';
import { Tensor, checkTensor } from '../../tensor/tensor';
import { checkObject, describeValue, invalidArgument } from '../../util/errors';
import { IGNORE_LABEL_ID } from '../../data/format';
import { LossType } from './config';
import { HRMBatch, HRMCarry, checkHRMBatch, checkHRMCarry } from './carry';
import { HRMOutputs, HRMStepOptions } from './model';
import { ACTModel, checkACTModel } from '../kinds';

// The one owner is data/format; kept importable from here (`hrm.IGNORE_LABEL_ID`).
export { IGNORE_LABEL_ID };

/** s(x) = 1/(1 - x + 1e-30) for x < 0, x + 1 otherwise. */
function stablemaxS(x: Tensor): Tensor {
  // (1 - x) + 1e-30, in this order: 1 + 1e-30 rounds to 1, and then x = 1 (unselected branch, but
  // differentiated) gives 1/0 and a NaN gradient through where().
  return where(x.lt(0), x.neg().add(1).add(1e-30).reciprocal(), x.add(1));
}

/** log of the stablemax distribution along `dim`. */
export function logStablemax(x: Tensor, dim = -1): Tensor {
  checkTensor(x, 'logStablemax(): x');
  const s = stablemaxS(x);
  return s.div(s.sum(dim, true)).log();
}

/** The arguments both token losses take: logits [..., V], labels, and an integer ignore index. */
function checkCrossEntropyArgs(fn: string, logits: unknown, labels: unknown, ignoreIndex: unknown): void {
  checkTensor(logits, `${fn}: logits`);
  checkTensor(labels, `${fn}: labels`);
  if (typeof ignoreIndex !== 'number' || !Number.isSafeInteger(ignoreIndex)) throw invalidArgument(`${fn}: ignoreIndex must be an integer, got ${describeValue(ignoreIndex)}`);
}

/** Per-token stablemax cross entropy, computed in float64 (0 at ignored positions). */
export function stablemaxCrossEntropy(logits: Tensor, labels: Tensor, ignoreIndex = IGNORE_LABEL_ID): Tensor {
  checkCrossEntropyArgs('stablemaxCrossEntropy()', logits, labels, ignoreIndex);
  const logprobs = logStablemax(logits.to('float64'), -1); // [B, S, V]
  const valid = labels.ne(ignoreIndex); // [B, S]
  const safe = where(valid, labels, 0).to('int64');
  const picked = logprobs.gather(-1, safe.unsqueeze(-1)).squeeze(-1); // [B, S, 1] -> [B, S]
  return where(valid, picked, 0).neg();
}

/** Per-token softmax cross entropy in fp32 (0 at ignored positions). */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, ignoreIndex = IGNORE_LABEL_ID): Tensor {
  checkCrossEntropyArgs('softmaxCrossEntropy()', logits, labels, ignoreIndex);
  const V = logits.size(-1);
  // [B*S, V] against [B*S], back to [B, S]
  return crossEntropy(logits.to('float32').reshape(-1, V), labels.to('int64').reshape(-1), { ignoreIndex, reduction: 'none' }).view(...labels.shape);
}

/** The loss head's metrics: scalar sums over the rows that halted this step and have a label (spec 3.4). */
export interface HRMMetrics {
  /** rows counted: halted this step, with at least one supervised token */
  count: Tensor;
  /** sum over counted rows of the fraction of supervised tokens right */
  accuracy: Tensor;
  /** counted rows with every supervised token right */
  exact_accuracy: Tensor;
  /** counted rows where the Q head's halt sign agrees with correctness */
  q_halt_accuracy: Tensor;
  /** sum over counted rows of the steps they ran */
  steps: Tensor;
  /** language-model loss, summed over rows (each normalised by its supervised tokens) */
  lm_loss: Tensor;
  /** BCE of q_halt against sequence correctness, summed over rows */
  q_halt_loss: Tensor;
  /** BCE of q_continue against the bootstrapped target (training only), summed over rows */
  q_continue_loss?: Tensor;
}

/** One ACT step of {@link ACTLossHead}: the new carry, the loss, the metrics and the raw outputs. */
export interface LossHeadResult {
  /** the carry after this step */
  carry: HRMCarry;
  /** lm + 0.5 (q_halt + q_continue), summed over rows (divide by the batch size to backprop) */
  loss: Tensor;
  /** metric sums, to be normalised with normalizeMetrics (metrics.ts) */
  metrics: HRMMetrics;
  /** the model's outputs of this step */
  outputs: HRMOutputs;
  /** rows [B] (bool) whose every supervised token is predicted right at this step, halted or not */
  seqIsCorrect: Tensor;
  /** every row has halted */
  allFinish: boolean;
}

/** What {@link tokenAndHaltLosses} returns: the losses HRM and TRM share, and the metric sums. */
export interface SharedLosses {
  /** lm + 0.5 q_halt, summed over rows */
  total: Tensor;
  /** the metric sums (without q_continue_loss) */
  metrics: HRMMetrics;
  /** rows [B] (bool) whose every supervised token is predicted right */
  seqIsCorrect: Tensor;
}

/**
 * The part of the loss head HRM and TRM share (spec 3.3-3.4, 8): correctness and the metric sums
 * (no gradient), the per-sequence-normalised token loss and the Q-halt BCE against correctness.
 */
export function tokenAndHaltLosses(carry: HRMCarry, outputs: HRMOutputs, lossType: LossType): SharedLosses {
  checkHRMCarry(carry, 'tokenAndHaltLosses(): carry');
  checkObject(outputs, 'tokenAndHaltLosses(): outputs', 'the outputs of an ACT step {logits, qHaltLogits}');
  const labels = carry.currentData.labels;
  const logits = outputs.logits;
  // Correctness and metrics: no gradient (spec 3.4).
  const stats = noGrad(() => {
    const mask = labels.ne(IGNORE_LABEL_ID); // [B, S]
    const counts = mask.sum(-1); // [B]: supervised tokens per row
    const divisor = counts.clamp(1).unsqueeze(-1); // [B, 1]
    const isCorrect = mask.logicalAnd(logits.argmax(-1).eq(labels)); // [B, S]
    const seqIsCorrect = isCorrect.sum(-1).eq(counts); // [B]
    const valid = carry.halted.logicalAnd(counts.gt(0)); // [B]: the rows the metrics count
    const metrics = {
      count: valid.sum(),
      accuracy: where(valid, isCorrect.to('float32').div(divisor).sum(-1), 0).sum(),
      exact_accuracy: valid.logicalAnd(seqIsCorrect).sum(),
      q_halt_accuracy: valid.logicalAnd(outputs.qHaltLogits.ge(0).eq(seqIsCorrect)).sum(),
      steps: where(valid, carry.steps, 0).sum(),
    };
    return { divisor, seqIsCorrect, metrics };
  });
  const tokenLoss = lossType === 'stablemax_cross_entropy' ? stablemaxCrossEntropy(logits, labels) : softmaxCrossEntropy(logits, labels);
  const lmLoss = tokenLoss.div(stats.divisor).sum(); // [B, S] / [B, 1], summed to a scalar
  const qHaltLoss = binaryCrossEntropyWithLogits(outputs.qHaltLogits, stats.seqIsCorrect.to(outputs.qHaltLogits.dtype), { reduction: 'sum' });
  return {
    total: lmLoss.add(qHaltLoss.mul(0.5)),
    metrics: { ...stats.metrics, lm_loss: lmLoss.detach(), q_halt_loss: qHaltLoss.detach() },
    seqIsCorrect: stats.seqIsCorrect,
  };
}

/** The model with its loss: one ACT step, then losses and metrics. */
export class ACTLossHead {
  /**
   * Wraps `model`; the token loss defaults to the config's.
   * @param model the model
   * @param lossType the token loss
   */
  constructor(
    readonly model: ACTModel,
    readonly lossType: LossType = checkACTModel(model, 'ACTLossHead: model').config.lossType,
  ) {
    checkACTModel(model, 'ACTLossHead: model');
    if (lossType !== 'stablemax_cross_entropy' && lossType !== 'softmax_cross_entropy') {
      throw invalidArgument(`ACTLossHead: lossType must be 'stablemax_cross_entropy' or 'softmax_cross_entropy', got ${describeValue(lossType)}`);
    }
  }

  /** One ACT step of the model (with `opts`: exploration, halting), then its losses and metrics. */
  forward(carry: HRMCarry, batch: HRMBatch, opts: HRMStepOptions = {}): LossHeadResult {
    checkHRMCarry(carry, 'ACTLossHead.forward(): carry');
    checkHRMBatch(batch, 'ACTLossHead.forward(): batch');
    checkObject(opts, 'ACTLossHead.forward(): opts');
    const { carry: newCarry, outputs } = this.model.forward(carry, batch, opts);
    const shared = tokenAndHaltLosses(newCarry, outputs, this.lossType);
    let total = shared.total;
    const metrics: HRMMetrics = shared.metrics;
    if (outputs.targetQContinue !== undefined) {
      const qContinueLoss = binaryCrossEntropyWithLogits(outputs.qContinueLogits, outputs.targetQContinue, { reduction: 'sum' });
      total = total.add(qContinueLoss.mul(0.5));
      metrics.q_continue_loss = qContinueLoss.detach();
    }
    const allFinish = Boolean(newCarry.halted.all().item());
    return { carry: newCarry, loss: total, metrics, outputs, seqIsCorrect: shared.seqIsCorrect, allFinish };
  }
}
