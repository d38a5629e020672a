/**
 * The Hierarchical Reasoning Model (hrm-spec 1-3), read top to bottom:
 * - HRMReasoningModule: input injection by addition, then a stack of post-norm blocks;
 * - RecurrentCore: what HRM and TRM share (initial states, embeddings, positions, heads);
 * - HRMInner: the core with the H and L modules, and one segment of the recurrence in which all
 *   but the last L and H updates run without grad (the 1-step gradient);
 * - ACTWrapper: what HRM and TRM share of the ACT wrapper (batch check, carry, resets, exploration);
 * - HRM: the ACT wrapper, with halting, exploration and the bootstrapped Q target.
 * Parameter names are the reference's, so state dicts move between the two unchanged.
 * @module
 */
import { checkObject, describeValue, invalidArgument } from '../../util/errors';
import { noGrad } from '../../tensor/autograd';
import { empty, ones, rand, randint, zeros } from '../../tensor/creation';
import { cat, maximum, where } from '../../tensor/functional';
import { scope } from '../../tensor/scope';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../../nn/module';
import { ModuleList } from '../../nn/module-list';
import { CastedSparseEmbedding } from '../../nn/sparse-embedding';
import { CastedEmbedding, CastedLinear, LayerOptions, RotaryEmbedding, TransformerBlock, TransformerBlockConfig } from '../../nn/layers';
import { truncNormal_ } from '../../nn/init';
import { HRMConfig, HaltingMode, puzzleEmbLen } from './config';
import { HRMBatch, HRMCarry, InnerCarry, checkHRMBatch, checkHRMCarry } from './carry';

/** What one ACT step returns besides the new carry. */
export interface HRMOutputs {
  /** token logits [B, S, V] */
  logits: Tensor;
  /** Q-head halt logits [B] (fp32) */
  qHaltLogits: Tensor;
  /** Q-head continue logits [B] (fp32) */
  qContinueLogits: Tensor;
  /** training only: the bootstrapped target for q_continue (spec 3.2 step 5) */
  targetQContinue?: Tensor;
}

/** What one segment of {@link HRMInner} returns. */
export interface SegmentResult {
  /** the new recurrent state, detached */
  carry: InnerCarry;
  /** token logits [B, S, V] */
  logits: Tensor;
  /** Q-head halt logits [B] (fp32) */
  qHalt: Tensor;
  /** Q-head continue logits [B] (fp32) */
  qContinue: Tensor;
}

/** What the heads read from a high-level state: token logits and the Q values. */
export interface HeadsOutput {
  /** token logits [B, S, V] (the puzzle prefix dropped) */
  logits: Tensor;
  /** Q-head halt logits [B] (fp32) */
  qHalt: Tensor;
  /** Q-head continue logits [B] (fp32) */
  qContinue: Tensor;
}

/**
 * One update inside a segment, as shown to an `onUpdate` observer (for step-by-step views). The
 * states are the model's own: read them during the call, never keep or dispose them.
 */
export interface InnerUpdate {
  /** which module was just updated */
  level: 'L' | 'H';
  /** the high-level cycle it belongs to (0-based) */
  cycle: number;
  /** the low-level step within the cycle (0-based; lCycles - 1 for the H update) */
  step: number;
  /** z_H after the update [B, L, D] */
  zH: Tensor;
  /** z_L after the update [B, L, D] */
  zL: Tensor;
}

/** Sees every inner update of a segment, in order (hCycles x (lCycles L updates + 1 H update)). */
export type InnerUpdateObserver = (update: InnerUpdate) => void;

/** What one ACT step of {@link HRM} returns. */
export interface HRMStepResult {
  /** the carry after this step */
  carry: HRMCarry;
  /** the step's logits and Q values */
  outputs: HRMOutputs;
}

/** H or L module (TRM's one network too): h <- h + injection, then the blocks in order (spec 1.3). */
export class HRMReasoningModule extends Module {
  /** The blocks, in order (state-dict names `layers.0`, `layers.1`, ...). */
  readonly layers: TransformerBlock[] = [];
  /** `numLayers` Transformer blocks of the config's width. */
  constructor(numLayers: number, cfg: TransformerBlockConfig, opts: LayerOptions) {
    super();
    const list = this.registerModule('layers', new ModuleList());
    for (let i = 0; i < numLayers; i++) this.layers.push(list.add(new TransformerBlock(cfg, opts)));
  }
  /** The new state [B, L, D] from the state `h` and the injection (both [B, L, D]). */
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

/** The settings the shared embeddings and heads of {@link RecurrentCore} are built from (HRM's and TRM's configs fit). */
export type CoreConfig = Pick<
  HRMConfig,
  'batchSize' | 'seqLen' | 'vocabSize' | 'puzzleEmbNdim' | 'numPuzzleIdentifiers' | 'hiddenSize' | 'numHeads' | 'posEncodings' | 'ropeTheta' | 'forwardDtype'
>;

/**
 * What HRM's and TRM's recurrent cores share (spec 1.1-1.2, 1.8, 8): the initial states, the
 * embeddings with the puzzle prefix, the position encoding and the two heads. A subclass adds its
 * reasoning modules (after these, keeping the reference's state-dict order) and one segment.
 */
export abstract class RecurrentCore<C extends CoreConfig> extends Module {
  /** token embeddings [V, D] */
  readonly embedTokens: CastedEmbedding;
  /** the output head D -> V */
  readonly lmHead: CastedLinear;
  /** the Q head D -> 2 (halt, continue), read at the first position */
  readonly qHead: CastedLinear;
  /** per-puzzle embeddings (when puzzleEmbNdim > 0), prepended as puzzleEmbLen positions */
  readonly puzzleEmb?: CastedSparseEmbedding;
  /** rotary position tables (posEncodings 'rope') */
  readonly rotaryEmb?: RotaryEmbedding;
  /** learned position embeddings [L, D] (posEncodings 'learned') */
  readonly embedPos?: CastedEmbedding;
  private readonly embedScale: number;

  /**
   * Builds the shared modules in the reference's state-dict order.
   * @param config the model's settings
   * @param puzzleEmbLen positions the puzzle embedding occupies before the tokens
   */
  constructor(readonly config: C, readonly puzzleEmbLen: number, opts: LayerOptions = {}) {
    super();
    checkObject(config, `${new.target.name}: config`, 'a model config (from hrmConfig() or trmConfig())');
    checkObject(opts, `${new.target.name}: opts`);
    const c = config;
    const D = c.hiddenSize;
    const fwd = c.forwardDtype;
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
    const L = c.seqLen + puzzleEmbLen;
    if (c.posEncodings === 'rope') {
      this.rotaryEmb = this.registerModule('rotary_emb', new RotaryEmbedding(D / c.numHeads, L, c.ropeTheta, opts));
    } else if (c.posEncodings === 'learned') {
      this.embedPos = this.registerModule('embed_pos', new CastedEmbedding(L, D, fwd, { initStd: embedStd, device: opts.device }));
    }
  }

  /** The initial z_H [D] every reset row starts from. */
  get hInit(): Tensor {
    return this.tensor('H_init');
  }
  /** The initial z_L [D] every reset row starts from. */
  get lInit(): Tensor {
    return this.tensor('L_init');
  }

  /**
   * Token embeddings with the puzzle prefix, positions and the sqrt(D) scale (spec 1.2): the
   * puzzle embedding fills the first ceil(puzzleEmbNdim / D) of the puzzleEmbLen prefix
   * positions, zeros the rest (spec 8).
   */
  inputEmbeddings(inputs: Tensor, puzzleIdentifiers: Tensor): Tensor {
    const D = this.config.hiddenSize;
    let e = this.embedTokens.forward(inputs); // [B, S, D]
    if (this.puzzleEmb) {
      let pe = this.puzzleEmb.forward(puzzleIdentifiers); // [B, puzzleEmbNdim]
      const pad = this.puzzleEmbLen * D - pe.size(-1);
      if (pad > 0) pe = cat([pe, zeros([pe.size(0), pad], { dtype: pe.dtype, device: pe.device })], -1); // [B, P*D]
      e = cat([pe.view(-1, this.puzzleEmbLen, D), e], 1); // [B, P, D] + [B, S, D] -> [B, L, D], L = P + S
    }
    if (this.embedPos) e = e.add(this.embedPos.weight.to(e.dtype)).mul(0.707106781); // + [L, D]; 1/sqrt(2) keeps the variance
    return e.mul(this.embedScale); // [B, L, D]
  }

  /** A carry filled with H_init / L_init for every row and position. */
  resetCarry(reset: Tensor, carry: InnerCarry): InnerCarry {
    const r = reset.view(-1, 1, 1); // [B] -> [B, 1, 1], broadcast over positions and width
    return { zH: where(r, this.hInit, carry.zH), zL: where(r, this.lInit, carry.zL) };
  }

  /** The token logits and Q values the heads read from a high-level state zH [B, L, D]. */
  heads(zH: Tensor): HeadsOutput {
    const P = this.puzzleEmbLen;
    const logits = this.lmHead.forward(zH).narrow(1, P, zH.size(1) - P); // [B, L, V] -> [B, S, V]: the puzzle prefix dropped
    const q = this.qHead.forward(zH.select(1, 0)).to('float32'); // [B, D] at the first position -> [B, 2]
    return { logits, qHalt: q.select(-1, 0), qContinue: q.select(-1, 1) };
  }

  /** One segment from `carry` on `batch`: the new (detached) carry, the logits and the Q values. */
  abstract forward(carry: InnerCarry, batch: { inputs: Tensor; puzzleIdentifiers: Tensor }, onUpdate?: InnerUpdateObserver): SegmentResult;

  /** What the model would answer from the states (zH, zL) in the middle of a segment. */
  abstract peek(zH: Tensor, zL: Tensor): HeadsOutput;
}

/** The recurrent core (spec 1-2): the shared embeddings and heads, then the H and L modules; one call is one segment. */
export class HRMInner extends RecurrentCore<HRMConfig> {
  /** the slow, high-level module */
  readonly hLevel: HRMReasoningModule;
  /** the fast, low-level module */
  readonly lLevel: HRMReasoningModule;

  /**
   * Builds the modules in the reference's state-dict order.
   * @param config the model's settings
   */
  constructor(config: HRMConfig, opts: LayerOptions = {}) {
    super(config, puzzleEmbLen(checkObject(config, 'HRMInner: config', 'an HRM config (from hrmConfig())')), opts);
    this.hLevel = this.registerModule('H_level', new HRMReasoningModule(config.hLayers, config, opts));
    this.lLevel = this.registerModule('L_level', new HRMReasoningModule(config.lLayers, config, opts));
  }

  /**
   * One segment (spec 2): N x T updates of which only the last L and the last H update carry
   * gradient (with backprop 'last-cycle': every update of the last cycle). Returns the new (detached) carry, the logits [B, S, V] and the Q logits [B] (fp32).
   */
  forward(carry: InnerCarry, batch: { inputs: Tensor; puzzleIdentifiers: Tensor }, onUpdate?: InnerUpdateObserver): SegmentResult {
    const c = this.config;
    const rot = this.rotaryEmb;
    const x = this.inputEmbeddings(batch.inputs, batch.puzzleIdentifiers); // [B, L, D]
    let zH = carry.zH;
    let zL = carry.zL;
    // Replaced states are freed as we go, so memory does not grow with the cycle counts.
    const replace = (old: Tensor, next: Tensor) => {
      if (old !== carry.zH && old !== carry.zL) old.dispose();
      return next;
    };
    // The last cycle's L updates from `firstGradStep` on, and its H update, carry gradient; all
    // before run without (the 1-step gradient approximation when only the last L update does).
    const last = c.hCycles - 1;
    const firstGradStep = c.backprop === 'last-cycle' ? 0 : c.lCycles - 1;
    noGrad(() => {
      for (let i = 0; i < c.hCycles; i++) {
        for (let j = 0; j < (i === last ? firstGradStep : c.lCycles); j++) {
          zL = replace(zL, scope(() => this.lLevel.forward(zL, zH.add(x), rot)));
          onUpdate?.({ level: 'L', cycle: i, step: j, zH, zL });
        }
        if (i !== last) {
          zH = replace(zH, scope(() => this.hLevel.forward(zH, zL, rot)));
          onUpdate?.({ level: 'H', cycle: i, step: c.lCycles - 1, zH, zL });
        }
      }
    });
    // The updates with gradient.
    for (let j = firstGradStep; j < c.lCycles; j++) {
      zL = replace(zL, this.lLevel.forward(zL, zH.add(x), rot));
      if (onUpdate) noGrad(() => onUpdate({ level: 'L', cycle: last, step: j, zH, zL }));
    }
    zH = replace(zH, this.hLevel.forward(zH, zL, rot));
    if (onUpdate) noGrad(() => onUpdate({ level: 'H', cycle: last, step: c.lCycles - 1, zH, zL }));
    return { carry: { zH: zH.detach(), zL: zL.detach() }, ...this.heads(zH) };
  }

  /**
   * What the model would answer from the states (zH, zL) in the middle of a segment: one extra
   * H update, then the heads (the HRM paper's step-by-step visualisation, section 4).
   */
  peek(zH: Tensor, zL: Tensor): HeadsOutput {
    return this.heads(this.hLevel.forward(zH, zL, this.rotaryEmb));
  }
}

/** Draws that decide exploration (spec 3.2 step 5); pass them to make a step reproducible. */
export interface ExplorationDraw {
  /** U[0,1) per row, compared with haltExplorationProb */
  uniform: Tensor;
  /** integer in [2, haltMaxSteps] per row: the forced minimum number of steps */
  minSteps: Tensor;
}

/** Options of one ACT step. */
export interface HRMStepOptions {
  /** fixed exploration draws (training), for a reproducible step */
  exploration?: ExplorationDraw;
  /** halt every row after this many steps (default: config.haltMaxSteps; more = inference-time scaling) */
  haltMaxSteps?: number;
  /** halting in evaluation mode (default: config.evalHalting); training always halts on the Q head */
  evalHalting?: HaltingMode;
  /** sees every inner update of this step's segment (for step-by-step views) */
  onUpdate?: InnerUpdateObserver;
}

/** The start of one ACT step (spec 3.2 steps 1-2): the state, step counts and examples of every row. */
export interface SegmentStart {
  /** the recurrent state, halted rows reset */
  inner: InnerCarry;
  /** steps already run on each row's example (0 for the halted rows) */
  steps: Tensor;
  /** each row's example: the new one for halted rows, the old one otherwise */
  currentData: HRMBatch;
}

/**
 * What HRM's and TRM's ACT wrappers share (spec 3.1-3.2): the batch check, the initial carry,
 * the reset of halted rows at the start of a step, and the exploration draw. A subclass runs its
 * segment and decides halting in `forward`.
 */
export abstract class ACTWrapper<C extends CoreConfig & Pick<HRMConfig, 'haltMaxSteps' | 'haltExplorationProb'>, I extends RecurrentCore<C>> extends Module {
  /** the recurrent core */
  readonly inner: I;
  /**
   * Wraps the recurrent core `inner` (registered as `inner`, the reference's name).
   * @param config the model's settings
   */
  constructor(readonly config: C, inner: I) {
    super();
    this.inner = this.registerModule('inner', inner);
  }

  /** Checks a batch's shapes and dtypes against the config, with an error naming the field. */
  checkBatch(batch: HRMBatch): void {
    checkHRMBatch(batch, 'batch');
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

  /** Steps 1-2 of spec 3.2: rows that halted start over with a fresh state, step 0, and the newly loaded example. */
  protected startSegment(carry: HRMCarry, batch: HRMBatch): SegmentStart {
    const halted = carry.halted;
    const inner = this.inner.resetCarry(halted, carry.inner);
    const steps = where(halted, 0, carry.steps);
    // halted [B] -> [B, 1, ...] against a field [B, ...]
    const pick = (fresh: Tensor, old: Tensor) => where(halted.view(-1, ...new Array(fresh.ndim - 1).fill(1)), fresh, old);
    const currentData: HRMBatch = {
      inputs: pick(batch.inputs, carry.currentData.inputs),
      labels: pick(batch.labels, carry.currentData.labels),
      puzzleIdentifiers: pick(batch.puzzleIdentifiers, carry.currentData.puzzleIdentifiers),
    };
    return { inner, steps, currentData };
  }

  /**
   * Exploration (spec 3.2 step 5): with probability haltExplorationProb a row must run at least
   * U{2..haltMaxSteps} steps; the minimum per row (0 where it explores not), int32 [B].
   */
  protected explorationMinSteps(steps: Tensor, haltMaxSteps: number, draw?: ExplorationDraw): Tensor {
    const uniform = draw?.uniform ?? rand(steps.shape, { device: steps.device });
    const draws = draw?.minSteps ?? randint(2, haltMaxSteps + 1, steps.shape, { dtype: 'int32', device: steps.device });
    return uniform.lt(this.config.haltExplorationProb).to('int32').mul(draws);
  }
}

/** The ACT wrapper (spec 3): carry management, halting and the Q-learning target. */
export class HRM extends ACTWrapper<HRMConfig, HRMInner> {
  /**
   * An HRM with freshly initialised weights (on `opts.device`).
   * @param config the model's settings
   */
  constructor(config: HRMConfig, opts: LayerOptions = {}) {
    super(config, new HRMInner(config, opts));
  }

  /**
   * One ACT step (one segment) for every row (spec 3.2). `opts` may change the halting of this
   * step (haltMaxSteps, evalHalting) without touching the config.
   */
  forward(carry: HRMCarry, batch: HRMBatch, opts: HRMStepOptions = {}): HRMStepResult {
    checkHRMCarry(carry, 'HRM.forward(): carry');
    const c = this.config;
    const haltMaxSteps = opts.haltMaxSteps ?? c.haltMaxSteps;
    const evalHalting = opts.evalHalting ?? c.evalHalting;
    this.checkBatch(batch);
    // 1-2. Rows that halted start over: fresh state, step 0, and the newly loaded example.
    const start = this.startSegment(carry, batch);
    const currentData = start.currentData;
    let steps = start.steps;
    // 3. The segment.
    const seg = this.inner.forward(start.inner, currentData, opts.onUpdate);
    const outputs: HRMOutputs = { logits: seg.logits, qHaltLogits: seg.qHalt, qContinueLogits: seg.qContinue };
    // 4-6. Halting decisions, without gradient.
    const newHalted = noGrad(() => {
      steps = steps.add(1);
      const isLast = steps.ge(haltMaxSteps);
      let h = isLast;
      const adaptive = this.training || evalHalting === 'adaptive';
      if (adaptive && haltMaxSteps > 1) {
        h = h.logicalOr(seg.qHalt.gt(seg.qContinue));
      }
      if (this.training && haltMaxSteps > 1) {
        h = h.logicalAnd(steps.ge(this.explorationMinSteps(steps, haltMaxSteps, opts.exploration)));
        // spec 3.2 step 5: the target Q uses a second no-grad forward from the new carry on the same data.
        const next = this.inner.forward(seg.carry, currentData);
        outputs.targetQContinue = where(isLast, next.qHalt, maximum(next.qHalt, next.qContinue)).sigmoid();
      }
      return h;
    });
    return { carry: { inner: seg.carry, steps, halted: newHalted, currentData }, outputs };
  }
}

/** Returns `model` when it is an {@link HRM}; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkHRM(model: unknown, what: string): HRM {
  if (!(model instanceof HRM)) throw invalidArgument(`${what} must be an HRM model, got ${describeValue(model)}`);
  return model;
}
