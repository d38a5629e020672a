/**
 * Evaluation as the reference does it (hrm-spec 7.1): for each test batch a fresh carry, then
 * ACT steps until every row halts (haltMaxSteps in eval mode, or adaptively on the Q head); the
 * metrics of the last step, summed over batches and divided by the number of real rows.
 * Also, per step k, the exact accuracy the model would have if it stopped at k (inference-time
 * scaling), and how many rows halted at each step.
 * @module
 */
import { noGrad } from '../tensor/autograd';
import { Device } from '../tensor/dtype';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { HRM, HRMBatch } from '../models/hrm/model';
import { fromTypedArray } from '../tensor/creation';
import { ACTLossHead, IGNORE_LABEL_ID } from '../models/hrm/losses';
import { PuzzleBatch, PuzzleDataset, batchToTensors } from '../data/format';

export interface EvalOptions {
  /** run this many ACT steps at most (default: the model's haltMaxSteps; more = inference-time scaling) */
  haltMaxSteps?: number;
  /** halt rows on the Q head instead of always running haltMaxSteps */
  adaptive?: boolean;
  /** stop after this many examples (for quick evaluations) */
  maxExamples?: number;
  device?: Device;
  /** called with each batch's final predictions (argmax tokens), inputs and q_halt logits */
  onPredictions?: (p: { batch: PuzzleBatch; predictions: Int32Array; qHaltLogits: Float32Array; steps: Int32Array }) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface EvalResult {
  /** metrics per set, each divided by its count (the reference's eval logging) */
  sets: Record<string, Record<string, number>>;
  /** exact accuracy if every row had stopped after k steps (k = 1..maxSteps), per set */
  exactAccuracyAtStep: Record<string, number[]>;
  /** rows that halted at step k (k = 1..maxSteps), per set */
  haltedAtStep: Record<string, number[]>;
  examples: number;
  seconds: number;
}

/** Evaluates a model on a test-mode PuzzleDataset. */
export function evaluate(model: HRM, data: PuzzleDataset, opts: EvalOptions = {}): EvalResult {
  const started = Date.now();
  const cfg = model.config as { haltMaxSteps: number; evalHalting: 'max' | 'adaptive' };
  const saved = { haltMaxSteps: cfg.haltMaxSteps, evalHalting: cfg.evalHalting, training: model.training };
  const maxSteps = opts.haltMaxSteps ?? cfg.haltMaxSteps;
  cfg.haltMaxSteps = maxSteps;
  cfg.evalHalting = opts.adaptive ? 'adaptive' : 'max';
  model.eval();
  const head = new ACTLossHead(model);
  const sums: Record<string, Record<string, number>> = {};
  const atStep: Record<string, number[]> = {};
  const haltedAt: Record<string, number[]> = {};
  let examples = 0;
  const total = Math.min(opts.maxExamples ?? Infinity, [...data.split.sets.values()].reduce((n, s) => n + s.inputs.rows, 0));
  try {
    for (const batch of data.batches()) {
      if (examples >= total) break;
      const set = batch.setName;
      sums[set] ??= {};
      atStep[set] ??= new Array(maxSteps).fill(0);
      haltedAt[set] ??= new Array(maxSteps).fill(0);
      const real = batch.effectiveSize;
      scope(() =>
        noGrad(() => {
          const t = batchToTensors(batch, opts.device) as HRMBatch;
          const realRows = realMask(t, real);
          let carry = model.initialCarry(t);
          let last: ReturnType<ACTLossHead['forward']> | undefined;
          const haltStep = new Int32Array(real).fill(0);
          for (let k = 1; k <= maxSteps; k++) {
            const r = scope(() => {
              const out = head.forward(carry, t);
              // exact accuracy if we stopped now: every supervised token right
              const labels = out.carry.currentData.labels;
              const mask = labels.ne(IGNORE_LABEL_ID);
              const correct = out.outputs.logits.argmax(-1).eq(labels).logicalOr(mask.logicalNot()).all(-1).logicalAnd(realRows);
              atStep[set][k - 1] += Number(correct.sum().item());
              return out;
            });
            const halted = r.carry.halted.toTypedArray() as Uint8Array;
            for (let i = 0; i < real; i++) if (halted[i] && haltStep[i] === 0) haltStep[i] = k;
            // (every step's outputs live in this batch's scope and are freed with it)
            carry = r.carry;
            last = r;
            if (r.allFinish) break;
          }
          for (let i = 0; i < real; i++) if (haltStep[i] > 0) haltedAt[set][haltStep[i] - 1]++;
          const m = last!.metrics as unknown as Record<string, Tensor>;
          for (const [k, v] of Object.entries(m)) sums[set][k] = (sums[set][k] ?? 0) + Number(v.item());
          if (opts.onPredictions) {
            const predictions = last!.outputs.logits.argmax(-1).to('int32').toTypedArray() as Int32Array;
            const qHaltLogits = last!.outputs.qHaltLogits.to('float32').toTypedArray() as Float32Array;
            opts.onPredictions({ batch, predictions, qHaltLogits, steps: Int32Array.from(haltStep) });
          }
        }),
      );
      examples += real;
      opts.onProgress?.(Math.min(examples, total), total);
    }
  } finally {
    cfg.haltMaxSteps = saved.haltMaxSteps;
    cfg.evalHalting = saved.evalHalting;
    model.train(saved.training);
  }
  const sets: EvalResult['sets'] = {};
  const exactAccuracyAtStep: EvalResult['exactAccuracyAtStep'] = {};
  for (const [set, s] of Object.entries(sums)) {
    const count = Math.max(1, s.count ?? 0);
    sets[set] = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'count' ? v : v / count]));
    exactAccuracyAtStep[set] = atStep[set].map((v) => v / count);
  }
  return { sets, exactAccuracyAtStep, haltedAtStep: haltedAt, examples, seconds: (Date.now() - started) / 1000 };
}

// Rows beyond the batch's real size are padding.
function realMask(t: HRMBatch, real: number): Tensor {
  const m = new Uint8Array(t.inputs.size(0));
  m.fill(1, 0, real);
  return fromTypedArray(m, [m.length], { dtype: 'bool', device: t.inputs.device });
}
