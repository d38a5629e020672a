/**
 * TRM's loss head (hrm-spec 8): HRM's token loss and Q-halt BCE against correctness, with the
 * same metrics (shared with HRM's loss head, not repeated here), and no Q-continue loss:
 * total = lm_loss + 0.5 q_halt_loss.
 * @module
 */
import { LossType } from '../hrm/config';
import { HRMBatch, HRMCarry } from '../hrm/carry';
import { HRMStepOptions } from '../hrm/model';
import { LossHeadResult, tokenAndHaltLosses } from '../hrm/losses';
import { TRM } from './model';
import { describeValue, invalidArgument } from '../../util/errors';

/** `model` when it is a TRM, else `INVALID_ARGUMENT` naming what was given. */
function checkTRM(model: unknown): TRM {
  if (!(model instanceof TRM)) throw invalidArgument(`TRMLossHead: model must be a TRM model, got ${describeValue(model)}`);
  return model;
}

/** The TRM with its loss: one ACT step, then losses and metrics (the result shape of HRM's ACTLossHead). */
export class TRMLossHead {
  /**
   * Wraps `model`; the token loss defaults to the config's.
   * @param model the model
   * @param lossType the token loss
   */
  constructor(
    readonly model: TRM,
    readonly lossType: LossType = checkTRM(model).config.lossType,
  ) {
    checkTRM(model);
    if (lossType !== 'stablemax_cross_entropy' && lossType !== 'softmax_cross_entropy') {
      throw invalidArgument(`TRMLossHead: lossType must be 'stablemax_cross_entropy' or 'softmax_cross_entropy', got ${describeValue(lossType)}`);
    }
  }

  /** One ACT step of the model (with `opts`: exploration, halting), then its losses and metrics. */
  forward(carry: HRMCarry, batch: HRMBatch, opts: HRMStepOptions = {}): LossHeadResult {
    const { carry: newCarry, outputs } = this.model.forward(carry, batch, opts);
    const { total, metrics, seqIsCorrect } = tokenAndHaltLosses(newCarry, outputs, this.lossType);
    const allFinish = Boolean(newCarry.halted.all().item());
    return { carry: newCarry, loss: total, metrics, outputs, seqIsCorrect, allFinish };
  }
}
