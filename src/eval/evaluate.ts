/**
 * Evaluation as the reference does it (hrm-spec 7.1): for each test batch a fresh carry, then
 * ACT steps until every row halts (haltMaxSteps in eval mode, or adaptively on the Q head); the
 * metrics of the last step, summed over batches and divided by the number of real rows.
 * Also, per step k, the exact accuracy the model would have if it stopped at k (inference-time
 * scaling), and how many rows halted at each step.
 *
 * With `continuous`, adaptive halting runs on a pool of slots instead (continuous.ts): a row that
 * halts leaves with its answer and the next puzzle takes its slot, so a puzzle costs the steps it
 * takes rather than the steps of the slowest row of its batch.
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
import { checkArray, checkFiniteNumber, checkObject, describeValue, invalidArgument } from '../util/errors';
import { HRMStepOptions } from '../models/hrm/model';
import { ACTLoss, ACTModel, checkACTModel, lossHeadOf } from '../models/kinds';
import { LossHeadResult } from '../models/hrm/losses';
import { MetricValues, addMetricValues, metricValues, normalizeMetrics } from '../models/hrm/metrics';
import { HaltedRow, PoolRow, runContinuous } from './continuous';

/** How {@link evaluate} runs. */
export interface EvalOptions {
  /** run this many ACT steps at most (default: the model's haltMaxSteps; more = inference-time scaling) */
  haltMaxSteps?: number;
  /** halt rows on the Q head instead of always running haltMaxSteps */
  adaptive?: boolean;
  /**
   * adaptive halting with continuous batching: a pool of batchSize slots in which every row that
   * halts reports its answer and is replaced by the next puzzle (implies `adaptive`; refused with
   * `adaptive: false`). Each puzzle's answer and steps are those of the batched adaptive
   * evaluation; the metrics are every puzzle's at its halting step.
   */
  continuous?: boolean;
  /** stop after this many examples (for quick evaluations) */
  maxExamples?: number;
  /** where the batches go (the model's device) */
  device?: Device;
  /**
   * called with each batch's final predictions (argmax tokens), inputs and q_halt logits; with
   * `continuous`, with the rows of one set that halted at one step (in the order they halt)
   */
  onPredictions?: (p: { batch: PuzzleBatch; predictions: Int32Array; qHaltLogits: Float32Array; steps: Int32Array }) => void;
  /** called after each batch with the examples done and the total */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link evaluate} found. */
export interface EvalResult {
  /** metrics per set, each divided by its count (the reference's eval logging) */
  sets: Record<string, Record<string, number>>;
  /**
   * exact accuracy if every row had stopped after k steps (k = 1..maxSteps), per set; with
   * `continuous`, each row's answer at min(k, its halting step): the accuracy of adaptive halting
   * with a limit of k
   */
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
  const started = Date.now();
  const { maxSteps, total } = checkEvaluation(model, data, opts, 'evaluate()');
  if (opts.continuous) return evaluateContinuous(model, data, maxSteps, total, opts, started);
  return evalResultOf(countBatches(model, data, maxSteps, total, opts), started);
}

/**
 * The counts of a batched evaluation (fixed or adaptive halting, not continuous) before they are
 * normalised: the sums that data-parallel ranks, each evaluating its slice of every test batch,
 * add up (train/data-parallel.ts) before {@link evalResultOf} makes the result. With a loader of
 * one rank, `evalResultOf(countEvaluation(...))` is `evaluate(...)`.
 */
export function countEvaluation(model: ACTModel, data: PuzzleDataset, opts: Omit<EvalOptions, 'continuous'> = {}): EvalCounts {
  const { maxSteps, total } = checkEvaluation(model, data, opts, 'countEvaluation()');
  if ((opts as EvalOptions).continuous) throw invalidArgument('countEvaluation(): continuous batching has no per-batch counts to sum; evaluate() runs it');
  return countBatches(model, data, maxSteps, total, opts);
}

/** The checks every evaluation makes first; returns the step limit and how many examples it takes. */
function checkEvaluation(model: ACTModel, data: PuzzleDataset, opts: EvalOptions, fn: string): { maxSteps: number; total: number } {
  checkACTModel(model, `${fn}: model`);
  if (!(data instanceof PuzzleDataset)) throw invalidArgument(`${fn}: data must be a PuzzleDataset, got ${describeValue(data)}`);
  checkObject(opts, `${fn}: opts`);
  const maxSteps = checkHaltSteps('haltMaxSteps', opts.haltMaxSteps ?? model.config.haltMaxSteps);
  if (opts.maxExamples !== undefined && !(Number.isInteger(opts.maxExamples) && opts.maxExamples >= 1)) throw invalidArgument(`maxExamples must be a positive integer, got ${opts.maxExamples}`);
  if (opts.continuous !== undefined && typeof opts.continuous !== 'boolean') throw invalidArgument(`continuous must be true or false, got ${describeValue(opts.continuous)}`);
  if (opts.continuous && opts.adaptive === false) throw invalidArgument('continuous batching is a way to run adaptive halting; it takes no adaptive: false');
  const total = Math.min(opts.maxExamples ?? Infinity, [...data.split.sets.values()].reduce((n, s) => n + s.inputs.rows, 0));
  return { maxSteps, total };
}

/**
 * Every test batch from a fresh carry (this rank's slice of it, with a data-parallel loader).
 * `total` counts the examples of whole global batches, so every rank stops after the same batch.
 */
function countBatches(model: ACTModel, data: PuzzleDataset, maxSteps: number, total: number, opts: EvalOptions): EvalCounts {
  // This evaluation's halting goes to every step; the model's config is never changed.
  const halting: Halting = { haltMaxSteps: maxSteps, evalHalting: opts.adaptive ? 'adaptive' : 'max' };
  const wasTraining = model.training;
  model.eval();
  const head = lossHeadOf(model);
  const c: EvalCounts = { sums: {}, atStep: {}, haltedAt: {}, rows: {}, correctAtHalt: {} };
  let examples = 0;
  try {
    for (const batch of data.batches()) {
      if (examples >= total) break;
      const set = batch.setName;
      const r = evaluateBatch(head, batch, halting, opts);
      addMetricValues((c.sums[set] ??= {}), r.metrics);
      addCounts((c.atStep[set] ??= new Array(maxSteps).fill(0)), r.correctAtStep);
      c.haltedAt[set] ??= new Array(maxSteps).fill(0);
      for (const k of r.haltStep) if (k > 0) c.haltedAt[set][k - 1]++;
      c.rows[set] = (c.rows[set] ?? 0) + batch.effectiveSize;
      c.correctAtHalt[set] = (c.correctAtHalt[set] ?? 0) + r.correctAtHalt;
      examples += batch.globalEffectiveSize ?? batch.effectiveSize;
      opts.onProgress?.(Math.min(examples, total), total);
    }
  } finally {
    model.train(wasTraining);
  }
  return c;
}

/**
 * Throws unless `c` has the shape of {@link EvalCounts}: for every set of `sums`, a metric-sum
 * object, per-step arrays of one length and numeric row counts. @internal
 */
export function checkEvalCounts(c: unknown, what: string): EvalCounts {
  const counts = checkObject<EvalCounts>(c, what, 'the counts of countEvaluation()');
  for (const field of ['sums', 'atStep', 'haltedAt', 'rows', 'correctAtHalt'] as const) checkObject(counts[field], `${what}.${field}`, 'an object keyed by set name');
  for (const [set, sums] of Object.entries(counts.sums)) {
    checkObject(sums, `${what}.sums.${set}`, 'an object of metric sums');
    const steps = checkArray<number>(counts.atStep[set], `${what}.atStep.${set}`, 'an array of counts per step').length;
    if (checkArray(counts.haltedAt[set], `${what}.haltedAt.${set}`, 'an array of counts per step').length !== steps) throw invalidArgument(`${what}.haltedAt.${set} must have as many steps as atStep.${set} (${steps})`);
    checkFiniteNumber(counts.rows[set], `${what}.rows.${set}`);
    checkFiniteNumber(counts.correctAtHalt[set], `${what}.correctAtHalt.${set}`);
  }
  return counts;
}

/** An evaluation's running counts, per set, before normalisation (see {@link countEvaluation}). */
export interface EvalCounts {
  /** the loss head's metric sums */
  sums: Record<string, MetricValues>;
  /** real rows exactly right after step k */
  atStep: Record<string, number[]>;
  /** real rows that first halted at step k */
  haltedAt: Record<string, number[]>;
  /** real rows */
  rows: Record<string, number>;
  /** real rows exactly right at their first halt */
  correctAtHalt: Record<string, number>;
}

/**
 * The counts as an {@link EvalResult}: sums normalised as the reference logs them, counts per row;
 * `started` is the evaluation's start (Date.now()), for its wall time.
 */
export function evalResultOf(c: EvalCounts, started: number): EvalResult {
  checkEvalCounts(c, 'evalResultOf(): counts');
  checkFiniteNumber(started, 'evalResultOf(): started');
  const sets: EvalResult['sets'] = {};
  const exactAccuracyAtStep: EvalResult['exactAccuracyAtStep'] = {};
  const exactAccuracyAtHalt: EvalResult['exactAccuracyAtHalt'] = {};
  const meanHaltStep: EvalResult['meanHaltStep'] = {};
  let examples = 0;
  for (const [set, s] of Object.entries(c.sums)) {
    sets[set] = normalizeMetrics(s); // the reference's eval logging: everything / count, losses too
    const n = Math.max(1, c.rows[set]);
    examples += c.rows[set];
    exactAccuracyAtStep[set] = c.atStep[set].map((v) => v / n);
    exactAccuracyAtHalt[set] = c.correctAtHalt[set] / n;
    meanHaltStep[set] = c.haltedAt[set].reduce((a, v, i) => a + v * (i + 1), 0) / n;
  }
  return { sets, exactAccuracyAtStep, haltedAtStep: c.haltedAt, exactAccuracyAtHalt, meanHaltStep, examples, seconds: (Date.now() - started) / 1000 };
}

/** A test row waiting for a pool slot, with the set it belongs to. */
interface TestRow extends PoolRow {
  /** the dataset set */
  set: string;
}

/** The first `total` real rows of a test-mode loader, in order. */
function* testRows(data: PuzzleDataset, total: number): Generator<TestRow> {
  const S = data.metadata.seq_len;
  let n = 0;
  for (const b of data.batches()) {
    for (let i = 0; i < b.effectiveSize; i++, n++) {
      if (n >= total) return;
      yield { set: b.setName, inputs: b.inputs.slice(i * S, (i + 1) * S), labels: b.labels.slice(i * S, (i + 1) * S), puzzleIdentifier: b.puzzleIdentifiers[i] };
    }
  }
}

/**
 * Adaptive halting with continuous batching: every puzzle counts once, at the step it halts, with
 * the loss head's metrics of that row (its losses over the real rows only: no padding rows).
 */
function evaluateContinuous(model: ACTModel, data: PuzzleDataset, maxSteps: number, total: number, opts: EvalOptions, started: number): EvalResult {
  const c: EvalCounts = { sums: {}, atStep: {}, haltedAt: {}, rows: {}, correctAtHalt: {} };
  const S = data.metadata.seq_len;
  let examples = 0;
  const counts = (set: string) => {
    c.atStep[set] ??= new Array(maxSteps).fill(0);
    c.haltedAt[set] ??= new Array(maxSteps).fill(0);
    c.sums[set] ??= { count: 0, accuracy: 0, exact_accuracy: 0, q_halt_accuracy: 0, steps: 0, lm_loss: 0, q_halt_loss: 0 };
    return c;
  };
  runContinuous(model, testRows(data, total), {
    slots: data.batchSize,
    haltMaxSteps: maxSteps,
    device: opts.device,
    padId: data.metadata.pad_id,
    blankIdentifier: data.metadata.blank_identifier_id,
    losses: true,
    onStep: ({ running, halted }) => {
      // A running row's answer now is its answer at this limit; a halted row's stands at every larger one.
      for (const r of running) counts(r.row.set).atStep[r.row.set][r.steps - 1] += r.correct ? 1 : 0;
      for (const h of halted) {
        const set = h.row.set;
        counts(set);
        for (let k = h.steps; k <= maxSteps; k++) c.atStep[set][k - 1] += h.correct ? 1 : 0;
        c.haltedAt[set][h.steps - 1]++;
        c.rows[set] = (c.rows[set] ?? 0) + 1;
        c.correctAtHalt[set] = (c.correctAtHalt[set] ?? 0) + (h.correct ? 1 : 0);
        // The loss head's metrics of this row (hrm-spec 3.4): rows without a supervised token are not counted.
        const m = c.sums[set];
        if (h.supervised > 0) {
          m.count++;
          m.accuracy += h.rightTokens / h.supervised;
          m.exact_accuracy += h.correct ? 1 : 0;
          m.q_halt_accuracy += h.qHaltLogit >= 0 === h.correct ? 1 : 0;
          m.steps += h.steps;
        }
        m.lm_loss += h.lmLoss!;
        m.q_halt_loss += h.qHaltLoss!;
      }
      if (halted.length) {
        examples += halted.length;
        opts.onProgress?.(examples, total);
      }
      if (opts.onPredictions) for (const set of new Set(halted.map((h) => h.row.set))) opts.onPredictions(haltedBatch(set, halted.filter((h) => h.row.set === set), S));
    },
  });
  return evalResultOf(c, started);
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

/** Halted rows of one set in the shape {@link EvalOptions.onPredictions} gives a batch. */
function haltedBatch(setName: string, rows: HaltedRow<TestRow>[], S: number): Parameters<NonNullable<EvalOptions['onPredictions']>>[0] {
  const n = rows.length;
  const batch: PuzzleBatch = { setName, inputs: new Int32Array(n * S), labels: new Int32Array(n * S), puzzleIdentifiers: new Int32Array(n), effectiveSize: n };
  const predictions = new Int32Array(n * S);
  rows.forEach((h, i) => {
    batch.inputs.set(h.row.inputs, i * S);
    batch.labels.set(h.row.labels, i * S);
    batch.puzzleIdentifiers[i] = h.row.puzzleIdentifier;
    predictions.set(h.prediction, i * S);
  });
  return { batch, predictions, qHaltLogits: Float32Array.from(rows, (h) => h.qHaltLogit), steps: Int32Array.from(rows, (h) => h.steps) };
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
