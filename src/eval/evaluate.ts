/**
 * Evaluation as the reference does it (hrm-spec 7.1): for each test batch a fresh carry, then
 * ACT steps until every row halts (haltMaxSteps in eval mode, or adaptively on the Q head); the
 * metrics of the last step, summed over batches and divided by the number of real rows.
 * Also, per step k, the exact accuracy the model would have if it stopped at k (inference-time
 * scaling), and how many rows halted at each step.
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { fromTypedArray } from '../tensor/creation';
import { Device } from '../tensor/dtype';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { PuzzleBatch, PuzzleDataset, batchToTensors } from '../data/format';
import { HRMBatch } from '../models/hrm/carry';
import { checkHaltSteps } from '../models/hrm/config';
import { checkObject, describeValue, invalidArgument } from '../util/errors';
import { HRMStepOptions } from '../models/hrm/model';
import { ACTLoss, ACTModel, checkACTModel, lossHeadOf } from '../models/kinds';
import { LossHeadResult } from '../models/hrm/losses';
import { MetricValues, addMetricValues, metricValues, normalizeMetrics } from '../models/hrm/metrics';

/** How {@link evaluate} runs. */
export interface EvalOptions {
  /** run this many ACT steps at most (default: the model's haltMaxSteps; more = inference-time scaling) */
  haltMaxSteps?: number;
  /** halt rows on the Q head instead of always running haltMaxSteps */
  adaptive?: boolean;
  /** stop after this many examples (for quick evaluations) */
  maxExamples?: number;
  /** where the batches go (the model's device) */
  device?: Device;
  /** called with each batch's final predictions (argmax tokens), inputs and q_halt logits */
  onPredictions?: (p: { batch: PuzzleBatch; predictions: Int32Array; qHaltLogits: Float32Array; steps: Int32Array }) => void;
  /** called after each batch with the examples done and the total */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link evaluate} found. */
export interface EvalResult {
  /** metrics per set, each divided by its count (the reference's eval logging) */
  sets: Record<string, Record<string, number>>;
  /** exact accuracy if every row had stopped after k steps (k = 1..maxSteps), per set */
  exactAccuracyAtStep: Record<string, number[]>;
  /** rows that halted at step k (k = 1..maxSteps), per set */
  haltedAtStep: Record<string, number[]>;
  /**
   * exact accuracy of each row's answer at the step it first halted, per set: with adaptive
   * halting, the accuracy of what the model answers when it stops by itself (the loss head's
   * `exact_accuracy` counts only rows halted at a batch's last step)
   */
  exactAccuracyAtHalt: Record<string, number>;
  /** the mean step at which rows first halted, per set */
  meanHaltStep: Record<string, number>;
  /** examples evaluated */
  examples: number;
  /** wall time */
  seconds: number;
}

/** The halting of one evaluation: every step gets it. */
type Halting = Required<Pick<HRMStepOptions, 'haltMaxSteps' | 'evalHalting'>>;

/** Evaluates a model on a test-mode PuzzleDataset (in eval mode; the model's mode is restored after). */
export function evaluate(model: ACTModel, data: PuzzleDataset, opts: EvalOptions = {}): EvalResult {
  checkACTModel(model, 'evaluate(): model');
  if (!(data instanceof PuzzleDataset)) throw invalidArgument(`evaluate(): data must be a PuzzleDataset, got ${describeValue(data)}`);
  checkObject(opts, 'evaluate(): opts');
  const started = Date.now();
  const wasTraining = model.training;
  const maxSteps = checkHaltSteps('haltMaxSteps', opts.haltMaxSteps ?? model.config.haltMaxSteps);
  if (opts.maxExamples !== undefined && !(Number.isInteger(opts.maxExamples) && opts.maxExamples >= 1)) throw invalidArgument(`maxExamples must be a positive integer, got ${opts.maxExamples}`);
  // This evaluation's halting goes to every step; the model's config is never changed.
  const halting: Halting = { haltMaxSteps: maxSteps, evalHalting: opts.adaptive ? 'adaptive' : 'max' };
  model.eval();
  const head = lossHeadOf(model);
  const sums: Record<string, MetricValues> = {};
  const atStep: Record<string, number[]> = {};
  const haltedAt: Record<string, number[]> = {};
  const rows: Record<string, number> = {};
  const correctAtHalt: Record<string, number> = {};
  let examples = 0;
  const total = Math.min(opts.maxExamples ?? Infinity, [...data.split.sets.values()].reduce((n, s) => n + s.inputs.rows, 0));
  try {
    for (const batch of data.batches()) {
      if (examples >= total) break;
      const set = batch.setName;
      const r = evaluateBatch(head, batch, halting, opts);
      addMetricValues((sums[set] ??= {}), r.metrics);
      addCounts((atStep[set] ??= new Array(maxSteps).fill(0)), r.correctAtStep);
      haltedAt[set] ??= new Array(maxSteps).fill(0);
      for (const k of r.haltStep) if (k > 0) haltedAt[set][k - 1]++;
      rows[set] = (rows[set] ?? 0) + batch.effectiveSize;
      correctAtHalt[set] = (correctAtHalt[set] ?? 0) + r.correctAtHalt;
      examples += batch.effectiveSize;
      opts.onProgress?.(Math.min(examples, total), total);
    }
  } finally {
    model.train(wasTraining);
  }
  const sets: EvalResult['sets'] = {};
  const exactAccuracyAtStep: EvalResult['exactAccuracyAtStep'] = {};
  const exactAccuracyAtHalt: EvalResult['exactAccuracyAtHalt'] = {};
  const meanHaltStep: EvalResult['meanHaltStep'] = {};
  for (const [set, s] of Object.entries(sums)) {
    sets[set] = normalizeMetrics(s); // the reference's eval logging: everything / count, losses too
    const n = Math.max(1, rows[set]);
    exactAccuracyAtStep[set] = atStep[set].map((v) => v / n);
    exactAccuracyAtHalt[set] = correctAtHalt[set] / n;
    meanHaltStep[set] = haltedAt[set].reduce((a, c, i) => a + c * (i + 1), 0) / n;
  }
  return { sets, exactAccuracyAtStep, haltedAtStep: haltedAt, exactAccuracyAtHalt, meanHaltStep, examples, seconds: (Date.now() - started) / 1000 };
}

/**
 * One batch from a fresh carry until every row halts: the last step's metric sums, the real rows
 * exactly right after each step k (had they stopped there), and the step each real row halted at.
 */
function evaluateBatch(
  head: ACTLoss,
  batch: PuzzleBatch,
  halting: Halting,
  opts: EvalOptions,
): { metrics: MetricValues; correctAtStep: number[]; haltStep: Int32Array; correctAtHalt: number } {
  const real = batch.effectiveSize;
  return scope(() =>
    noGrad(() => {
      const t = batchToTensors(batch, opts.device) as HRMBatch;
      const realRows = realMask(t, real);
      let carry = head.model.initialCarry(t);
      let last: LossHeadResult | undefined;
      const correctAtStep: number[] = [];
      const haltStep = new Int32Array(real).fill(0);
      let correctAtHalt = 0;
      // (every step's outputs live in this batch's scope and are freed with it)
      for (let k = 1; k <= halting.haltMaxSteps; k++) {
        last = head.forward(carry, t, halting);
        const seqIsCorrect = last.seqIsCorrect;
        correctAtStep.push(scope(() => Number(seqIsCorrect.logicalAnd(realRows).sum().item())));
        const halted = last.carry.halted.toTypedArray() as Uint8Array;
        const correct = seqIsCorrect.toTypedArray() as Uint8Array;
        for (let i = 0; i < real; i++) {
          if (!halted[i] || haltStep[i] !== 0) continue;
          haltStep[i] = k; // the row's first halt: its answer is this step's
          correctAtHalt += correct[i];
        }
        carry = last.carry;
        if (last.allFinish) break;
      }
      if (opts.onPredictions) {
        const predictions = last!.outputs.logits.argmax(-1).to('int32').toTypedArray() as Int32Array;
        const qHaltLogits = last!.outputs.qHaltLogits.to('float32').toTypedArray() as Float32Array;
        opts.onPredictions({ batch, predictions, qHaltLogits, steps: Int32Array.from(haltStep) });
      }
      return { metrics: metricValues(last!.metrics), correctAtStep, haltStep, correctAtHalt };
    }),
  );
}

function addCounts(into: number[], counts: number[]): void {
  counts.forEach((v, i) => (into[i] += v));
}

// Rows beyond the batch's real size are padding.
function realMask(t: HRMBatch, real: number): Tensor {
  const m = new Uint8Array(t.inputs.size(0));
  m.fill(1, 0, real);
  return fromTypedArray(m, [m.length], { dtype: 'bool', device: t.inputs.device });
}
