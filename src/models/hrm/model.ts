/**
 * The Hierarchical Reasoning Model (hrm-spec 1-3), read top to bottom:
 * - HRMReasoningModule: input injection by addition, then a stack of post-norm blocks;
 * - HRMInner: embeddings, the H and L modules, the heads, and one segment of the recurrence in
 *   which all but the last L and H updates run without grad (the 1-step gradient);
 * - HRM: the ACT wrapper, with the carry, halting, exploration and the bootstrapped Q target.
 * Parameter names are the reference's, so state dicts move between the two unchanged.
 * @module
 */
import { DType, invalidArgument } from '../../tensor/dtype';
import { noGrad } from '../../tensor/autograd';
import { empty, full, ones, rand, randint, zeros } from '../../tensor/creation';
import { cat, maximum, where } from '../../tensor/functional';
import { scope } from '../../tensor/scope';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../../nn/module';
import { CastedEmbedding, CastedLinear, LayerOptions, RotaryEmbedding, TransformerBlock } from '../../nn/layers';
import { truncNormal_ } from '../../nn/init';
import { HRMConfig, puzzleEmbLen } from './config';

/** One batch: token ids [B, S], labels [B, S] (ignored = -100), puzzle ids [B] (all int32). */
export interface HRMBatch {
  inputs: Tensor;
  labels: Tensor;
  puzzleIdentifiers: Tensor;
}

/** The recurrent state of one segment: z_H and z_L, [B, L, D] in the forward dtype. */
export interface InnerCarry {
  zH: Tensor;
  zL: Tensor;
}

/** The ACT carry (spec 3.1). */
export interface HRMCarry {
  inner: InnerCarry;
  /** segments already run on each row's current example (int32 [B]) */
  steps: Tensor;
  /** rows whose example is finished and will be replaced at the next step (bool [B]) */
  halted: Tensor;
  /** the example each row is working on */
  currentData: HRMBatch;
}

export interface HRMOutputs {
  logits: Tensor;
  qHaltLogits: Tensor;
  qContinueLogits: Tensor;
  /** training only: the bootstrapped target for q_continue (spec 3.2 step 5) */
  targetQContinue?: Tensor;
}

/** Frees every tensor of a carry (for carries kept across scopes). */
export function disposeCarry(c: HRMCarry): void {
  for (const t of [c.inner.zH, c.inner.zL, c.steps, c.halted, c.currentData.inputs, c.currentData.labels, c.currentData.puzzleIdentifiers]) t.dispose();
}

/** The puzzle-embedding table with a per-batch gradient buffer, updated by SignSGD (spec 4.2b). */
export class CastedSparseEmbedding extends Module {
  constructor(numEmbeddings: number, embeddingDim: number, batchSize: number, initStd: number, readonly castTo: DType, opts: LayerOptions = {}) {
    super();
    this.registerBuffer('weights', truncNormal_(empty([numEmbeddings, embeddingDim], { device: opts.device }), initStd));
    // The rows of this batch, as a leaf that collects the gradient (not saved in state dicts).
    this.registerBuffer('local_weights', zeros([batchSize, embeddingDim], { device: opts.device }).requiresGrad_(true), { persistent: false });
    this.registerBuffer('local_ids', zeros([batchSize], { dtype: 'int32', device: opts.device }), { persistent: false });
  }
  get weights(): Tensor {
    return this.tensor('weights');
  }
  get localWeights(): Tensor {
    return this.tensor('local_weights');
  }
  get localIds(): Tensor {
    return this.tensor('local_ids');
  }
  forward(ids: Tensor): Tensor {
    if (!this.training) return this.weights.indexSelect(0, ids).to(this.castTo);
    noGrad(() => {
      this.localWeights.copy_(this.weights.indexSelect(0, ids));
      this.localIds.copy_(ids);
    });
    return this.localWeights.to(this.castTo);
  }
}

/** H or L module: h <- h + injection, then the blocks in order (spec 1.3). */
export class HRMReasoningModule extends Module {
  readonly layers: TransformerBlock[] = [];
  constructor(numLayers: number, cfg: HRMConfig, opts: LayerOptions) {
    super();
    const list = this.registerModule('layers', new ModuleList());
    for (let i = 0; i < numLayers; i++) this.layers.push(list.add(new TransformerBlock(cfg, opts)));
  }
  forward(h: Tensor, injection: Tensor, rotary?: RotaryEmbedding): Tensor {
    let x = h.add(injection);
    for (const layer of this.layers) {
      // Each intermediate is ours and freed at once (autograd keeps its own references).
      const next = layer.forward(x, rotary);
      x.dispose();
      x = next;
    }
    return x;
  }
}

/** Children named 0, 1, 2, ... (PyTorch's ModuleList). */
export class ModuleList extends Module {
  private n = 0;
  add<M extends Module>(m: M): M {
    return this.registerModule(String(this.n++), m);
  }
}

export class HRMInner extends Module {
  readonly embedTokens: CastedEmbedding;
  readonly lmHead: CastedLinear;
  readonly qHead: CastedLinear;
  readonly puzzleEmb?: CastedSparseEmbedding;
  readonly rotaryEmb?: RotaryEmbedding;
  readonly embedPos?: CastedEmbedding;
  readonly hLevel: HRMReasoningModule;
  readonly lLevel: HRMReasoningModule;
  readonly puzzleEmbLen: number;
  private readonly embedScale: number;

  constructor(readonly config: HRMConfig, opts: LayerOptions = {}) {
    super();
    const c = config;
    const D = c.hiddenSize;
    const fwd = c.forwardDtype;
    this.puzzleEmbLen = puzzleEmbLen(c);
    this.embedScale = Math.sqrt(D);
    const embedStd = 1 / Math.sqrt(D);
    // spec 1.1: own buffers first (they lead the state dict), then the children.
    this.registerBuffer('H_init', truncNormal_(empty([D], { dtype: fwd, device: opts.device }), 1));
    this.registerBuffer('L_init', truncNormal_(empty([D], { dtype: fwd, device: opts.device }), 1));
    this.embedTokens = this.registerModule('embed_tokens', new CastedEmbedding(c.vocabSize, D, fwd, { initStd: embedStd, device: opts.device }));
    this.lmHead = this.registerModule('lm_head', new CastedLinear(D, c.vocabSize, opts));
    this.qHead = this.registerModule('q_head', new CastedLinear(D, 2, { ...opts, bias: true }));
    // spec 1.8: the Q head starts at zero weights and bias -5, so it first says "continue".
    noGrad(() => {
      this.qHead.weight.zero_();
      this.qHead.bias!.fill_(-5);
    });
    if (c.puzzleEmbNdim > 0) {
      this.puzzleEmb = this.registerModule('puzzle_emb', new CastedSparseEmbedding(c.numPuzzleIdentifiers, c.puzzleEmbNdim, c.batchSize, 0, fwd, opts));
    }
    const L = c.seqLen + this.puzzleEmbLen;
    if (c.posEncodings === 'rope') {
      this.rotaryEmb = this.registerModule('rotary_emb', new RotaryEmbedding(D / c.numHeads, L, c.ropeTheta, opts));
    } else if (c.posEncodings === 'learned') {
      this.embedPos = this.registerModule('embed_pos', new CastedEmbedding(L, D, fwd, { initStd: embedStd, device: opts.device }));
    }
    this.hLevel = this.registerModule('H_level', new HRMReasoningModule(c.hLayers, c, opts));
    this.lLevel = this.registerModule('L_level', new HRMReasoningModule(c.lLayers, c, opts));
  }

  get hInit(): Tensor {
    return this.tensor('H_init');
  }
  get lInit(): Tensor {
    return this.tensor('L_init');
  }

  /** Token embeddings with the puzzle prefix, positions and the sqrt(D) scale (spec 1.2). */
  inputEmbeddings(inputs: Tensor, puzzleIdentifiers: Tensor): Tensor {
    const c = this.config;
    const D = c.hiddenSize;
    let e = this.embedTokens.forward(inputs);
    if (this.puzzleEmb) {
      let pe = this.puzzleEmb.forward(puzzleIdentifiers);
      const pad = this.puzzleEmbLen * D - pe.size(-1);
      if (pad > 0) pe = cat([pe, zeros([pe.size(0), pad], { dtype: pe.dtype, device: pe.device })], -1);
      e = cat([pe.view(-1, this.puzzleEmbLen, D), e], 1);
    }
    if (this.embedPos) e = e.add(this.embedPos.weight.to(e.dtype)).mul(0.707106781); // 1/sqrt(2) keeps the variance
    return e.mul(this.embedScale);
  }

  /** A carry filled with H_init / L_init for every row and position. */
  resetCarry(reset: Tensor, carry: InnerCarry): InnerCarry {
    const r = reset.view(-1, 1, 1);
    return { zH: where(r, this.hInit, carry.zH), zL: where(r, this.lInit, carry.zL) };
  }

  /**
   * One segment (spec 2): N x T updates of which only the last L and the last H update carry
   * gradient. Returns the new (detached) carry, the logits [B, S, V] and the Q logits [B] (fp32).
   */
  forward(carry: InnerCarry, batch: { inputs: Tensor; puzzleIdentifiers: Tensor }): { carry: InnerCarry; logits: Tensor; qHalt: Tensor; qContinue: Tensor } {
    const c = this.config;
    const rot = this.rotaryEmb;
    const x = this.inputEmbeddings(batch.inputs, batch.puzzleIdentifiers);
    let zH = carry.zH;
    let zL = carry.zL;
    // Replaced states are freed as we go, so memory does not grow with the cycle counts.
    const replace = (old: Tensor, next: Tensor) => {
      if (old !== carry.zH && old !== carry.zL) old.dispose();
      return next;
    };
    // All but the last L and H updates: no gradient (the 1-step gradient approximation).
    noGrad(() => {
      for (let i = 0; i < c.hCycles; i++) {
        for (let j = 0; j < c.lCycles; j++) {
          if (i === c.hCycles - 1 && j === c.lCycles - 1) continue;
          zL = replace(zL, scope(() => this.lLevel.forward(zL, zH.add(x), rot)));
        }
        if (i !== c.hCycles - 1) zH = replace(zH, scope(() => this.hLevel.forward(zH, zL, rot)));
      }
    });
    // The last L and H updates, with gradient.
    zL = replace(zL, this.lLevel.forward(zL, zH.add(x), rot));
    zH = replace(zH, this.hLevel.forward(zH, zL, rot));
    const P = this.puzzleEmbLen;
    const logits = this.lmHead.forward(zH).narrow(1, P, zH.size(1) - P);
    const q = this.qHead.forward(zH.select(1, 0)).to('float32');
    return { carry: { zH: zH.detach(), zL: zL.detach() }, logits, qHalt: q.select(-1, 0), qContinue: q.select(-1, 1) };
  }
}

/** Draws that decide exploration (spec 3.2 step 5); pass them to make a step reproducible. */
export interface ExplorationDraw {
  /** U[0,1) per row, compared with haltExplorationProb */
  uniform: Tensor;
  /** integer in [2, haltMaxSteps] per row: the forced minimum number of steps */
  minSteps: Tensor;
}

/** The ACT wrapper (spec 3): carry management, halting and the Q-learning target. */
export class HRM extends Module {
  readonly inner: HRMInner;
  constructor(readonly config: HRMConfig, opts: LayerOptions = {}) {
    super();
    this.inner = this.registerModule('inner', new HRMInner(config, opts));
  }

  /** Checks a batch's shapes and dtypes against the config, with an error naming the field. */
  checkBatch(batch: HRMBatch): void {
    const c = this.config;
    // Training needs exactly batchSize rows (the puzzle embedding's gradient buffer is sized by
    // it); evaluation takes any number of rows.
    const B = this.training || !(batch.inputs instanceof Tensor) ? c.batchSize : batch.inputs.size(0);
    const fields: [keyof HRMBatch, number[]][] = [
      ['inputs', [B, c.seqLen]],
      ['labels', [B, c.seqLen]],
      ['puzzleIdentifiers', [B]],
    ];
    for (const [name, shape] of fields) {
      const t = batch[name];
      if (!(t instanceof Tensor)) throw invalidArgument(`batch.${name} must be a Tensor`);
      if (JSON.stringify(t.shape) !== JSON.stringify(shape)) {
        throw invalidArgument(`batch.${name} has shape [${t.shape}], the model expects [${shape}] (batchSize ${c.batchSize}, seqLen ${c.seqLen})`);
      }
      if (t.dtype !== 'int32' && t.dtype !== 'int64') throw invalidArgument(`batch.${name} must be int32 or int64, got ${t.dtype}`);
    }
  }

  /** The starting carry: every row halted, so the first step loads fresh examples. */
  initialCarry(batch: HRMBatch): HRMCarry {
    this.checkBatch(batch);
    const c = this.config;
    const B = batch.inputs.size(0);
    const L = c.seqLen + this.inner.puzzleEmbLen;
    const dev = batch.inputs.device;
    // The reference leaves z uninitialised (torch.empty); zeros are equivalent (every row is reset first).
    return {
      inner: { zH: zeros([B, L, c.hiddenSize], { dtype: c.forwardDtype, device: dev }), zL: zeros([B, L, c.hiddenSize], { dtype: c.forwardDtype, device: dev }) },
      steps: zeros([B], { dtype: 'int32', device: dev }),
      halted: ones([B], { dtype: 'bool', device: dev }),
      currentData: { inputs: batch.inputs.clone(), labels: batch.labels.clone(), puzzleIdentifiers: batch.puzzleIdentifiers.clone() },
    };
  }

  /** One ACT step (one segment) for every row (spec 3.2). */
  forward(carry: HRMCarry, batch: HRMBatch, opts: { exploration?: ExplorationDraw } = {}): { carry: HRMCarry; outputs: HRMOutputs } {
    const c = this.config;
    this.checkBatch(batch);
    const halted = carry.halted;
    // 1-2. Rows that halted start over: fresh state, step 0, and the newly loaded example.
    const innerCarry = this.inner.resetCarry(halted, carry.inner);
    let steps = where(halted, 0, carry.steps);
    const pick = (fresh: Tensor, old: Tensor) => where(halted.view(-1, ...new Array(fresh.ndim - 1).fill(1)), fresh, old);
    const currentData: HRMBatch = {
      inputs: pick(batch.inputs, carry.currentData.inputs),
      labels: pick(batch.labels, carry.currentData.labels),
      puzzleIdentifiers: pick(batch.puzzleIdentifiers, carry.currentData.puzzleIdentifiers),
    };
    // 3. The segment.
    const seg = this.inner.forward(innerCarry, currentData);
    const outputs: HRMOutputs = { logits: seg.logits, qHaltLogits: seg.qHalt, qContinueLogits: seg.qContinue };
    // 4-6. Halting decisions, without gradient.
    const newHalted = noGrad(() => {
      steps = steps.add(1);
      const isLast = steps.ge(c.haltMaxSteps);
      let h = isLast;
      const adaptive = this.training || c.evalHalting === 'adaptive';
      if (adaptive && c.haltMaxSteps > 1) {
        h = h.logicalOr(seg.qHalt.gt(seg.qContinue));
      }
      if (this.training && c.haltMaxSteps > 1) {
        // Exploration: with probability p a row must run at least U{2..max} steps.
        const uniform = opts.exploration?.uniform ?? rand(seg.qHalt.shape, { device: seg.qHalt.device });
        const draws = opts.exploration?.minSteps ?? randint(2, c.haltMaxSteps + 1, steps.shape, { dtype: 'int32', device: steps.device });
        const minHaltSteps = uniform.lt(c.haltExplorationProb).to('int32').mul(draws);
        h = h.logicalAnd(steps.ge(minHaltSteps));
        // Bootstrapped target: a second pass from the new carry on the same data.
        const next = this.inner.forward(seg.carry, currentData);
        outputs.targetQContinue = where(isLast, next.qHalt, maximum(next.qHalt, next.qContinue)).sigmoid();
      }
      return h;
    });
    return { carry: { inner: seg.carry, steps, halted: newHalted, currentData }, outputs };
  }
}
