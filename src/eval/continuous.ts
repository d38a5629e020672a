/**
 * Continuous batching for adaptive halting: a pool of B slots runs ACT steps; after each step
 * every slot whose row halted (Q head, or the step limit) gives back its answer and the steps it
 * took, and takes the next waiting puzzle. The model's own carry does the swap: a halted row is
 * reset and loads its slot's new data at the next step. So the work follows the steps each
 * puzzle needs, instead of every row running until the slowest row of its batch halts.
 *
 * Driven by the ACT-step interface only (`initialCarry`, `forward(carry, batch, opts)` with the
 * carry's `halted` and `steps`), so any model with that interface can be evaluated this way.
 * Rows of a batch never see each other, so a puzzle's answer and steps do not depend on which
 * puzzles share the pool with it.
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { fromTypedArray } from '../tensor/creation';
import { Device } from '../tensor/dtype';
import { binaryCrossEntropyWithLogits } from '../tensor/functional';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { IGNORE_LABEL_ID } from '../data/format';
import { HRMBatch } from '../models/hrm/carry';
import { HaltingMode, LossType, checkHaltSteps } from '../models/hrm/config';
import { softmaxCrossEntropy, stablemaxCrossEntropy } from '../models/hrm/losses';
import { checkFunction, describeValue, invalidArgument } from '../util/errors';

/** What continuous batching reads from a carry: which rows halted, and the steps each has run. */
export interface ACTCarry {
  /** rows whose example is finished and is replaced at the next step (bool [B]) */
  halted: Tensor;
  /** steps run on each row's current example (int [B]) */
  steps: Tensor;
}

/** What continuous batching reads from a model's config. */
export interface ACTStepConfig {
  /** tokens per puzzle */
  seqLen: number;
  /** the step limit the model was trained with */
  haltMaxSteps: number;
  /** the token loss (for the evaluation's lm_loss; stablemax when absent) */
  lossType?: LossType;
}

/** What continuous batching reads from one ACT step's outputs. */
export interface ACTStepOutputs {
  /** token logits [B, S, V] */
  logits: Tensor;
  /** Q-head halt logits [B] */
  qHaltLogits: Tensor;
}

/** One ACT step: the new carry and the step's outputs. */
export interface ACTStepResult<C extends ACTCarry> {
  /** the carry after this step */
  carry: C;
  /** the step's logits and Q values */
  outputs: ACTStepOutputs;
}

/** The ACT-step interface continuous batching drives (HRM's, and any model with the same steps). */
export interface ACTStepModel<C extends ACTCarry = ACTCarry> {
  /** the sizes and the token loss */
  readonly config: ACTStepConfig;
  /** whether the model is in training mode */
  readonly training: boolean;
  /** sets training (true) or evaluation (false) mode */
  train(mode?: boolean): unknown;
  /** the starting carry for a batch: every row halted, so the first step loads the batch */
  initialCarry(batch: HRMBatch): C;
  /** one ACT step of every row */
  forward(carry: C, batch: HRMBatch, opts: { haltMaxSteps: number; evalHalting: HaltingMode }): ACTStepResult<C>;
}

/** One puzzle waiting for a slot: its tokens, labels (IGNORE_LABEL_ID where unsupervised) and identifier. */
export interface PoolRow {
  /** seqLen input tokens */
  inputs: Int32Array;
  /** seqLen labels */
  labels: Int32Array;
  /** the puzzle identifier (puzzle embedding) */
  puzzleIdentifier: number;
}

/** A puzzle still running after a step: the steps it has run, and whether its answer is exactly right now. */
export interface RunningRow<R extends PoolRow> {
  /** the puzzle, as it was given */
  row: R;
  /** steps run so far */
  steps: number;
  /** every supervised token is right at this step */
  correct: boolean;
}

/** A puzzle that halted: its answer at its halting step, and how it scored there. */
export interface HaltedRow<R extends PoolRow> {
  /** the puzzle, as it was given */
  row: R;
  /** the step it halted at (1..haltMaxSteps) */
  steps: number;
  /** the predicted tokens (argmax) at that step */
  prediction: Int32Array;
  /** the q_halt logit at that step */
  qHaltLogit: number;
  /** every supervised token is right (true when none is supervised, as in the loss head) */
  correct: boolean;
  /** supervised tokens */
  supervised: number;
  /** supervised tokens predicted right */
  rightTokens: number;
  /** with `losses`: the token loss, normalised by the supervised tokens (the loss head's lm_loss of this row) */
  lmLoss?: number;
  /** with `losses`: the BCE of q_halt against `correct` (the loss head's q_halt_loss of this row) */
  qHaltLoss?: number;
}

/** How {@link runContinuous} runs. */
export interface ContinuousOptions<R extends PoolRow> {
  /** the pool's slots (rows per step) */
  slots: number;
  /** a row halts at this step at the latest */
  haltMaxSteps: number;
  /** halt on the Q head (default true); false: every row runs haltMaxSteps, and the pool works as plain batches */
  adaptive?: boolean;
  /** where the pool's tensors go (the model's device) */
  device?: Device;
  /** the token of an empty slot (default 0) */
  padId?: number;
  /** the puzzle identifier of an empty slot (default 0, the blank) */
  blankIdentifier?: number;
  /** also compute each halted row's lm and q_halt losses */
  losses?: boolean;
  /** after each step: the rows still running with whether each is exactly right now, and the rows that halted */
  onStep: (step: { running: RunningRow<R>[]; halted: HaltedRow<R>[] }) => void;
}

/**
 * Runs every row of `rows` through the pool with adaptive halting (in evaluation mode, without
 * gradient; the model's mode is restored after) and reports each step's halted rows through
 * `opts.onStep`, until no row is left. Once no puzzle is waiting, the pool shrinks to the busy
 * slots after every step that empties one (every tensor of the carry is cut to their rows: the
 * carry's tensors are batch-first), so the last puzzles do not pay for empty slots.
 */
export function runContinuous<C extends ACTCarry, R extends PoolRow>(model: ACTStepModel<C>, rows: Iterable<R>, opts: ContinuousOptions<R>): void {
  if (typeof model?.forward !== 'function' || typeof model.initialCarry !== 'function' || typeof model.config?.seqLen !== 'number') {
    throw invalidArgument(`continuous batching: model must have the ACT-step interface (config.seqLen, initialCarry, forward), got ${describeValue(model)}`);
  }
  if (typeof (rows as Iterable<R> | undefined)?.[Symbol.iterator] !== 'function') throw invalidArgument(`continuous batching: rows must be an iterable of puzzles, got ${describeValue(rows)}`);
  if (!opts || typeof opts !== 'object') throw invalidArgument(`continuous batching: options must be an object, got ${describeValue(opts)}`);
  let B = opts.slots;
  if (!Number.isInteger(B) || B < 1) throw invalidArgument(`continuous batching: slots must be a positive integer, got ${describeValue(B)}`);
  checkHaltSteps('continuous batching: haltMaxSteps', opts.haltMaxSteps);
  checkFunction(opts.onStep, 'continuous batching: onStep');
  const S = model.config.seqLen;
  const halting = { haltMaxSteps: opts.haltMaxSteps, evalHalting: opts.adaptive === false ? ('max' as const) : ('adaptive' as const) };
  const padId = opts.padId ?? 0;
  const blank = opts.blankIdentifier ?? 0;
  // The slots' current data on the host; a step's batch is built from it (the model only reads
  // the rows of slots that halted at the step before).
  let inputs = new Int32Array(B * S);
  let labels = new Int32Array(B * S);
  let ids = new Int32Array(B);
  let slot: (R | undefined)[] = new Array(B).fill(undefined);
  const source = rows[Symbol.iterator]();
  let exhausted = false;
  const fill = (i: number) => {
    const next = exhausted ? undefined : source.next();
    const r = next && !next.done ? next.value : undefined;
    exhausted ||= r === undefined;
    if (r && (r.inputs?.length !== S || r.labels?.length !== S)) {
      throw invalidArgument(`continuous batching: a puzzle has ${r.inputs?.length} tokens and ${r.labels?.length} labels, the model expects ${S}`);
    }
    slot[i] = r;
    inputs.subarray(i * S, (i + 1) * S).set(r ? r.inputs : new Int32Array(S).fill(padId));
    labels.subarray(i * S, (i + 1) * S).set(r ? r.labels : new Int32Array(S).fill(IGNORE_LABEL_ID));
    ids[i] = r ? r.puzzleIdentifier : blank;
  };
  for (let i = 0; i < B; i++) fill(i);
  const batch = (): HRMBatch => ({
    inputs: fromTypedArray(inputs, [B, S], { device: opts.device }),
    labels: fromTypedArray(labels, [B, S], { device: opts.device }),
    puzzleIdentifiers: fromTypedArray(ids, [B], { device: opts.device }),
  });
  const wasTraining = model.training;
  model.train(false);
  let carry: C | undefined;
  try {
    carry = noGrad(() => scope(() => model.initialCarry(batch())));
    while (slot.some((r) => r !== undefined)) {
      const old: C = carry;
      const r = noGrad(() => scope(() => step(model, old, batch(), slot, labels, halting, opts)));
      disposeReplaced(old, r.carry);
      carry = r.carry;
      // Halted slots take the next puzzles; the model loads them at the next step.
      for (const i of r.done) fill(i);
      const busy = slot.flatMap((x, i) => (x ? [i] : []));
      if (exhausted && busy.length > 0 && busy.length < B) {
        const full: C = carry;
        carry = noGrad(() => scope(() => takeRows(full, B, fromTypedArray(Int32Array.from(busy), [busy.length], { device: opts.device }).to('int64'))));
        disposeReplaced(full, carry);
        inputs = Int32Array.from(busy.flatMap((i) => Array.from(inputs.subarray(i * S, (i + 1) * S))));
        labels = Int32Array.from(busy.flatMap((i) => Array.from(labels.subarray(i * S, (i + 1) * S))));
        ids = Int32Array.from(busy, (i) => ids[i]);
        slot = busy.map((i) => slot[i]);
        B = busy.length;
      }
    }
  } finally {
    if (carry) disposeReplaced(carry, undefined);
    model.train(wasTraining);
  }
}

/** The carry with only the rows `index` of every batch-first tensor (of B rows); other values as they are. */
function takeRows<T>(value: T, B: number, index: Tensor): T {
  if (value instanceof Tensor) return (value.ndim > 0 && value.size(0) === B ? value.indexSelect(0, index) : value.clone()) as T;
  if (Array.isArray(value)) return value.map((v) => takeRows(v, B, index)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, takeRows(v, B, index)])) as T;
  return value;
}

/** One ACT step of the pool: reads who halted and hands their answers to onStep; returns the new carry and the slots that halted. */
function step<C extends ACTCarry, R extends PoolRow>(
  model: ACTStepModel<C>,
  carry: C,
  b: HRMBatch,
  slot: (R | undefined)[],
  labels: Int32Array,
  halting: { haltMaxSteps: number; evalHalting: HaltingMode },
  opts: ContinuousOptions<R>,
): { carry: C; done: number[] } {
  const S = model.config.seqLen;
  const { carry: next, outputs } = model.forward(carry, b, halting);
  const halted = next.halted.toTypedArray() as Uint8Array;
  const steps = next.steps.to('int32').toTypedArray() as Int32Array;
  const predictions = outputs.logits.argmax(-1).to('int32').toTypedArray() as Int32Array; // [B, S] -> host
  const qHalt = outputs.qHaltLogits.to('float32').toTypedArray() as Float32Array;
  const done: number[] = [];
  const running: RunningRow<R>[] = [];
  const haltedRows: HaltedRow<R>[] = [];
  for (let i = 0; i < slot.length; i++) {
    const row = slot[i];
    if (!row) continue;
    let supervised = 0;
    let right = 0;
    for (let j = i * S; j < (i + 1) * S; j++) {
      if (labels[j] === IGNORE_LABEL_ID) continue;
      supervised++;
      if (predictions[j] === labels[j]) right++;
    }
    const correct = right === supervised;
    if (!halted[i]) {
      running.push({ row, steps: steps[i], correct });
      continue;
    }
    done.push(i);
    haltedRows.push({ row, steps: steps[i], prediction: predictions.slice(i * S, (i + 1) * S), qHaltLogit: qHalt[i], correct, supervised, rightTokens: right });
  }
  if (opts.losses && done.length) {
    const losses = rowLosses(model.config.lossType, outputs, b, done, haltedRows, opts.device);
    haltedRows.forEach((h, k) => ((h.lmLoss = losses.lm[k]), (h.qHaltLoss = losses.qHalt[k])));
  }
  opts.onStep({ running, halted: haltedRows });
  return { carry: next, done };
}

/** The lm and q_halt losses of the halted rows `done` only, as the loss head defines them per row. */
function rowLosses(
  lossType: LossType | undefined,
  outputs: ACTStepOutputs,
  b: HRMBatch,
  done: number[],
  halted: HaltedRow<PoolRow>[],
  device: Device | undefined,
): { lm: Float64Array; qHalt: Float64Array } {
  const index = fromTypedArray(Int32Array.from(done), [done.length], { device }).to('int64');
  const logits = outputs.logits.indexSelect(0, index); // [n, S, V]
  const labels = b.labels.indexSelect(0, index); // the slot's labels at this step: the row's own (it was loaded at its first step)
  const tokenLoss = lossType === 'softmax_cross_entropy' ? softmaxCrossEntropy(logits, labels) : stablemaxCrossEntropy(logits, labels); // [n, S]
  const divisor = labels.ne(IGNORE_LABEL_ID).sum(-1).clamp(1); // [n]
  const lm = tokenLoss.sum(-1).div(divisor).to('float64').toTypedArray() as Float64Array;
  const correct = fromTypedArray(Float32Array.from(halted, (h) => (h.correct ? 1 : 0)), [done.length], { device });
  const q = outputs.qHaltLogits.indexSelect(0, index).to('float32');
  const qHalt = binaryCrossEntropyWithLogits(q, correct, { reduction: 'none' }).to('float64').toTypedArray() as Float64Array;
  return { lm, qHalt };
}

// Every tensor of a carry (any shape of object), for freeing the one a step replaced.
function tensorsOf(value: unknown, out = new Set<Tensor>()): Set<Tensor> {
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsOf(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) tensorsOf(v, out);
  return out;
}

/** Frees the tensors of `old` that `next` does not hold too (a model may pass a field on unchanged). */
function disposeReplaced(old: unknown, next: unknown): void {
  const keep = tensorsOf(next);
  for (const t of tensorsOf(old)) if (!keep.has(t)) t.dispose();
}
