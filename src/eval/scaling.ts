/**
 * Inference-time scaling (HRM paper, section 4): exact accuracy against the largest number of
 * reasoning steps a model may take at test time, with fixed halting (every puzzle runs the
 * limit) and adaptive halting (a puzzle stops when its Q head says halt, at the latest at the
 * limit), without retraining.
 * @module
 */
import type { PuzzleDataset } from '../data/format';
import type { Device } from '../tensor/dtype';
import { ACTModel, checkACTModel } from '../models/kinds';
import { MAX_HALT_STEPS } from '../models/hrm/config';
import { checkFunction, checkObject, describeValue, invalidArgument } from '../util/errors';
import { EvalResult, evaluate } from './evaluate';

/** One measured point of a scaling curve. */
export interface ScalingPoint {
  /** the step limit */
  maxSteps: number;
  /** fixed: every puzzle runs maxSteps; adaptive: the Q head may stop it earlier */
  halting: 'fixed' | 'adaptive';
  /** the dataset set */
  set: string;
  /** exact accuracy of the answers at halting */
  exactAccuracy: number;
  /** the mean number of steps used */
  meanSteps: number;
}

/** A whole scaling measurement. */
export interface ScalingResult {
  /** the step limit the model was trained with (its config's haltMaxSteps) */
  trainedMaxSteps: number;
  /** the limits measured, ascending */
  limits: number[];
  /** puzzles evaluated per point */
  examples: number;
  /** every point, fixed ones first */
  points: ScalingPoint[];
  /** wall time of the measurement */
  seconds: number;
}

/** How {@link inferenceScaling} runs. */
export interface ScalingOptions {
  /** the step limits to measure (integers from 1 to MAX_HALT_STEPS) */
  limits: number[];
  /** evaluate on at most this many test examples */
  maxExamples?: number;
  /** where the batches go */
  device?: Device;
  /** called after each evaluation pass, e.g. to print it */
  onEvaluation?: (halting: 'fixed' | 'adaptive', maxSteps: number, result: EvalResult) => void;
}

/**
 * Measures exact accuracy at each step limit, fixed and adaptive. Fixed halting needs one pass at
 * the largest limit: a fixed run's answer after k steps does not depend on the limit, so
 * `exactAccuracyAtStep[k]` is the accuracy at limit k. Adaptive halting needs one pass per limit.
 * `openData` makes a fresh test-mode loader for each pass (the caller's, closed here).
 */
export function inferenceScaling(model: ACTModel, openData: () => PuzzleDataset, opts: ScalingOptions): ScalingResult {
  checkACTModel(model, 'inferenceScaling(): model');
  checkFunction(openData, 'inferenceScaling(): openData');
  checkObject(opts, 'inferenceScaling(): opts', 'an object {limits, ...}');
  if (!Array.isArray(opts.limits)) throw invalidArgument(`inferenceScaling(): opts.limits must be an array of step limits, got ${describeValue(opts.limits)}`);
  const limits = [...new Set(opts.limits)].sort((a, b) => a - b);
  const bad = opts.limits.find((n) => !(Number.isInteger(n) && n > 0 && n <= MAX_HALT_STEPS));
  if (!limits.length || bad !== undefined) {
    throw invalidArgument(`inferenceScaling(): opts.limits must be a non-empty array of integers from 1 to ${MAX_HALT_STEPS}, got ${limits.length ? describeValue(bad) : 'an empty array'}`);
  }
  const started = Date.now();
  const pass = (halting: 'fixed' | 'adaptive', maxSteps: number): EvalResult => {
    const data = openData();
    try {
      // Adaptive passes use continuous batching: the same answer and steps per puzzle, less work.
      const r = evaluate(model, data, { haltMaxSteps: maxSteps, continuous: halting === 'adaptive', maxExamples: opts.maxExamples, device: opts.device });
      opts.onEvaluation?.(halting, maxSteps, r);
      return r;
    } finally {
      data.close();
    }
  };
  const points: ScalingPoint[] = [];
  const fixed = pass('fixed', limits[limits.length - 1]);
  for (const [set, atStep] of Object.entries(fixed.exactAccuracyAtStep)) {
    for (const maxSteps of limits) points.push({ maxSteps, halting: 'fixed', set, exactAccuracy: atStep[maxSteps - 1], meanSteps: maxSteps });
  }
  for (const maxSteps of limits) {
    const r = pass('adaptive', maxSteps);
    for (const set of Object.keys(r.exactAccuracyAtHalt)) {
      points.push({ maxSteps, halting: 'adaptive', set, exactAccuracy: r.exactAccuracyAtHalt[set], meanSteps: r.meanHaltStep[set] });
    }
  }
  return { trainedMaxSteps: model.config.haltMaxSteps, limits, examples: fixed.examples, points, seconds: (Date.now() - started) / 1000 };
}
