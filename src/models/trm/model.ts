/**
 * The Tiny Recursive Model (TRM, arXiv 2510.04871; hrm-spec 8), read top to bottom:
 * - TRMInner: HRM's embeddings and heads (RecurrentCore) around one network `L_level`; a
 *   segment is T = hCycles recursions, each n = lCycles latent updates z <- f(z + y + x) and one
 *   answer update y <- f(y + z) (y is z_H, z is z_L); the first T - 1 recursions run without
 *   grad, the last one backpropagates through all its n + 1 calls;
 * - TRM: the ACT wrapper with the simplified halting (halt when q_halt > 0; exploration as HRM;
 *   no second forward, no q_continue target).
 * Parameter names are TRM's (`inner.L_level.layers.N.…`, `mlp_t` in the MLP-mixer variant), so
 * a TRM state dict loads unchanged (importReferenceCheckpoint).
 *
 * The interface is HRM's, so code that drives an HRM drives a TRM with little change:
 * - `config` carries the same size and halting fields (batchSize, seqLen, vocabSize,
 *   numPuzzleIdentifiers, hiddenSize, haltMaxSteps, evalHalting, lossType, forwardDtype);
 * - `checkBatch(batch)`, `initialCarry(batch)` take an {@link HRMBatch} and give an
 *   {@link HRMCarry} (zH = y, zL = z);
 * - `forward(carry, batch, opts: HRMStepOptions)` is one ACT step returning `{carry, outputs}`
 *   with `outputs` {logits, qHaltLogits, qContinueLogits} (an HRMOutputs without
 *   targetQContinue; qContinueLogits is the Q head's second output, unused by the halting);
 * - `inner.puzzleEmb` is the CastedSparseEmbedding for SparseEmbeddingSignSGD; `inner.heads`,
 *   `inner.peek`, `inner.puzzleEmbLen` and `inner.lmHead` are as HRMInner's;
 * - {@link TRMLossHead} (losses.ts) returns the same LossHeadResult as ACTLossHead.
 * @module
 */
import { checkObject } from '../../util/errors';
import { noGrad } from '../../tensor/autograd';
import { scope } from '../../tensor/scope';
import { Tensor } from '../../tensor/tensor';
import { LayerOptions } from '../../nn/layers';
import { HRMBatch, HRMCarry, InnerCarry } from '../hrm/carry';
import {
  ACTWrapper,
  HRMOutputs,
  HRMReasoningModule,
  HRMStepOptions,
  HRMStepResult,
  HeadsOutput,
  InnerUpdateObserver,
  RecurrentCore,
  SegmentResult,
} from '../hrm/model';
import { TRMConfig, trmPuzzleEmbLen } from './config';

/** The recurrent core (spec 8): HRM's embeddings and heads, one network, T recursions per segment. */
export class TRMInner extends RecurrentCore<TRMConfig> {
  /** the one network f, used for both the latent and the answer updates */
  readonly lLevel: HRMReasoningModule;

  /**
   * Builds the modules in TRM's state-dict order.
   * @param config the model's settings
   */
  constructor(config: TRMConfig, opts: LayerOptions = {}) {
    const P = trmPuzzleEmbLen(checkObject(config, 'TRMInner: config', 'a TRM config (from trmConfig())'));
    super(config, P, opts);
    // spec 8: the MLP-mixer variant mixes the L = seqLen + P positions instead of attending.
    const blocks = config.mlpT ? { ...config, mixerSeqLen: config.seqLen + P } : config;
    this.lLevel = this.registerModule('L_level', new HRMReasoningModule(config.lLayers, blocks, opts));
  }

  /**
   * One segment (spec 8): T recursions of n updates z <- f(z + y + x) and one y <- f(y + z); the
   * first T - 1 without grad, the last with full backpropagation. Returns the new (detached)
   * carry, the logits [B, S, V] and the Q logits [B] (fp32).
   */
  forward(carry: InnerCarry, batch: { inputs: Tensor; puzzleIdentifiers: Tensor }, onUpdate?: InnerUpdateObserver): SegmentResult {
    const c = this.config;
    const rot = this.rotaryEmb;
    const x = this.inputEmbeddings(batch.inputs, batch.puzzleIdentifiers); // [B, L, D]
    let zH = carry.zH; // y, the answer
    let zL = carry.zL; // z, the latent
    // Replaced states are freed as we go, so memory does not grow with the cycle counts.
    const replace = (old: Tensor, next: Tensor) => {
      if (old !== carry.zH && old !== carry.zL) old.dispose();
      return next;
    };
    // The first T - 1 recursions: no gradient (they only improve the starting point).
    noGrad(() => {
      for (let i = 0; i < c.hCycles - 1; i++) {
        for (let j = 0; j < c.lCycles; j++) {
          zL = replace(zL, scope(() => this.lLevel.forward(zL, zH.add(x), rot)));
          onUpdate?.({ level: 'L', cycle: i, step: j, zH, zL });
        }
        zH = replace(zH, scope(() => this.lLevel.forward(zH, zL, rot)));
        onUpdate?.({ level: 'H', cycle: i, step: c.lCycles - 1, zH, zL });
      }
    });
    // The last recursion, with gradient through all its n + 1 calls.
    const last = c.hCycles - 1;
    for (let j = 0; j < c.lCycles; j++) {
      zL = replace(zL, this.lLevel.forward(zL, zH.add(x), rot));
      if (onUpdate) noGrad(() => onUpdate({ level: 'L', cycle: last, step: j, zH, zL }));
    }
    zH = replace(zH, this.lLevel.forward(zH, zL, rot));
    if (onUpdate) noGrad(() => onUpdate({ level: 'H', cycle: last, step: c.lCycles - 1, zH, zL }));
    return { carry: { zH: zH.detach(), zL: zL.detach() }, ...this.heads(zH) };
  }

  /** What the model would answer from (y, z) in the middle of a segment: one answer update y <- f(y + z), then the heads. */
  peek(zH: Tensor, zL: Tensor): HeadsOutput {
    return this.heads(this.lLevel.forward(zH, zL, this.rotaryEmb));
  }
}

/** The ACT wrapper with TRM's simplified halting (spec 8): halt when q_halt > 0, no Q-continue target. */
export class TRM extends ACTWrapper<TRMConfig, TRMInner> {
  /**
   * A TRM with freshly initialised weights (on `opts.device`).
   * @param config the model's settings
   */
  constructor(config: TRMConfig, opts: LayerOptions = {}) {
    super(config, new TRMInner(config, opts));
  }

  /**
   * One ACT step (one segment) for every row. `opts` may change the halting of this step
   * (haltMaxSteps, evalHalting) without touching the config.
   */
  forward(carry: HRMCarry, batch: HRMBatch, opts: HRMStepOptions = {}): HRMStepResult {
    const c = this.config;
    const haltMaxSteps = opts.haltMaxSteps ?? c.haltMaxSteps;
    const evalHalting = opts.evalHalting ?? c.evalHalting;
    this.checkBatch(batch);
    // Rows that halted start over: fresh state, step 0, and the newly loaded example.
    const start = this.startSegment(carry, batch);
    let steps = start.steps;
    const seg = this.inner.forward(start.inner, start.currentData, opts.onUpdate);
    const outputs: HRMOutputs = { logits: seg.logits, qHaltLogits: seg.qHalt, qContinueLogits: seg.qContinue };
    // Halting, without gradient: sigmoid(q_halt) > 0.5, at least the exploration minimum, at most haltMaxSteps.
    const halted = noGrad(() => {
      steps = steps.add(1);
      let h = steps.ge(haltMaxSteps);
      const adaptive = this.training || evalHalting === 'adaptive';
      if (adaptive && haltMaxSteps > 1) h = h.logicalOr(seg.qHalt.gt(0));
      if (this.training && haltMaxSteps > 1) h = h.logicalAnd(steps.ge(this.explorationMinSteps(steps, haltMaxSteps, opts.exploration)));
      return h;
    });
    return { carry: { inner: seg.carry, steps, halted, currentData: start.currentData }, outputs };
  }
}
