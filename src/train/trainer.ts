/**
 * The training loop of the reference (hrm-spec 4.1), the only one in the project:
 * - the ACT carry persists across batches: one optimizer step is one segment for every row, and
 *   a row keeps working on its example over consecutive steps until it halts;
 * - two optimizers (AdamATan2 for the model, SignSGD for the puzzle embeddings) on the same
 *   warmup + cosine schedule; loss / globalBatchSize is backpropagated;
 * - the loader makes `evalInterval` epochs per pass; after each pass: evaluation, checkpoint;
 * - checkpoints also on SIGINT/SIGTERM (or requestStop()), and `resume` continues exactly: model,
 *   optimizers, step, RNG, the carry and the position in the data are all restored, so on the CPU
 *   the loss curve after a resume is bitwise the one without the interruption.
 * Metrics go to <outputDir>/metrics.jsonl, and a report (SVG curves in an HTML page) next to it.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { manualSeed } from '../tensor/creation';
import { Device, invalidArgument } from '../tensor/dtype';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { setNumThreads } from '../runtime';
import { writeFileAtomic } from '../tensor/io';
import { HRMConfig, hrmConfig } from '../models/hrm/config';
import { HRM, HRMCarry, disposeCarry } from '../models/hrm/model';
import { ACTLossHead } from '../models/hrm/losses';
import { AdamATan2 } from '../optim/adam';
import { SparseEmbeddingSignSGD } from '../optim/sparse';
import { cosineScheduleWithWarmupLr } from '../optim/schedule';
import { PuzzleDataset, batchToTensors } from '../data/format';
import { evaluate, EvalResult } from '../eval/evaluate';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { writeReport } from './report';

export interface TrainOptions {
  /** dataset root with train/ (and test/) in the reference format */
  dataPath: string;
  /** where checkpoints, metrics.jsonl and the report go */
  outputDir: string;
  /** model settings; batchSize, seqLen, vocabSize, numPuzzleIdentifiers come from the data */
  arch?: Partial<HRMConfig>;
  globalBatchSize: number;
  epochs: number;
  /** epochs per loader pass; evaluation and a checkpoint follow each pass (default: epochs) */
  evalInterval?: number;
  lr: number;
  lrMinRatio?: number;
  lrWarmupSteps?: number;
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  puzzleEmbLr?: number;
  puzzleEmbWeightDecay?: number;
  seed?: number;
  /** evaluate on at most this many test examples (default: all) */
  evalMaxExamples?: number;
  /** continue from the newest valid checkpoint in outputDir */
  resume?: boolean;
  /** checkpoints kept (newest first); default 3 */
  keepCheckpoints?: number;
  device?: Device;
  threads?: number;
  /** stop (with a checkpoint) after this many optimizer steps in this run; for tests */
  stopAfterSteps?: number;
  /** checkpoint every N steps as well as after each evaluation (default: only at evaluations) */
  checkpointEvery?: number;
  onProgress?: (e: TrainProgress) => void;
}

export interface TrainProgress {
  kind: 'step' | 'eval' | 'checkpoint' | 'resume' | 'stop';
  step: number;
  totalSteps: number;
  metrics?: Record<string, number>;
  message?: string;
}

export interface TrainResult {
  step: number;
  totalSteps: number;
  interrupted: boolean;
  lastEval?: EvalResult;
  checkpoint?: string;
}

interface Position {
  step: number;
  /** loader passes completed */
  iter: number;
  /** batches of the current pass already consumed */
  batchInIter: number;
}

export class Trainer {
  readonly options: Required<Omit<TrainOptions, 'arch' | 'evalMaxExamples' | 'device' | 'threads' | 'stopAfterSteps' | 'checkpointEvery' | 'onProgress'>> &
    Pick<TrainOptions, 'arch' | 'evalMaxExamples' | 'device' | 'threads' | 'stopAfterSteps' | 'checkpointEvery' | 'onProgress'>;
  readonly config: HRMConfig;
  readonly model: HRM;
  readonly head: ACTLossHead;
  readonly adam: AdamATan2;
  readonly sparse?: SparseEmbeddingSignSGD;
  readonly totalSteps: number;
  readonly totalIters: number;
  private readonly train: PuzzleDataset;
  private stopRequested = false;

  constructor(opts: TrainOptions) {
    this.options = {
      evalInterval: opts.epochs,
      lrMinRatio: 1,
      lrWarmupSteps: 0,
      weightDecay: 0.1,
      beta1: 0.9,
      beta2: 0.95,
      puzzleEmbLr: opts.lr,
      puzzleEmbWeightDecay: opts.weightDecay ?? 0.1,
      seed: 0,
      resume: false,
      keepCheckpoints: 3,
      ...opts,
    };
    const o = this.options;
    if (!(o.epochs > 0) || !(o.evalInterval > 0) || o.epochs % o.evalInterval !== 0) {
      throw invalidArgument(`epochs (${o.epochs}) must be a positive multiple of evalInterval (${o.evalInterval})`);
    }
    if (o.threads) setNumThreads(o.threads);
    this.train = new PuzzleDataset({ dir: path.join(o.dataPath, 'train'), mode: 'train', batchSize: o.globalBatchSize, epochsPerIter: o.evalInterval, seed: o.seed });
    const m = this.train.metadata;
    this.config = hrmConfig({ ...(o.arch ?? {}), batchSize: o.globalBatchSize, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers });
    // spec 4.1: total_steps = epochs * total_groups * mean_puzzle_examples / global_batch_size
    this.totalSteps = Math.floor((o.epochs * m.total_groups * m.mean_puzzle_examples) / o.globalBatchSize);
    this.totalIters = o.epochs / o.evalInterval;
    manualSeed(o.seed);
    this.model = new HRM(this.config, { device: o.device });
    this.head = new ACTLossHead(this.model);
    this.adam = new AdamATan2(this.model.parameters(), { lr: o.lr, weightDecay: o.weightDecay, betas: [o.beta1, o.beta2] });
    if (this.model.inner.puzzleEmb) {
      this.sparse = new SparseEmbeddingSignSGD(this.model.inner.puzzleEmb, { lr: o.puzzleEmbLr, weightDecay: o.puzzleEmbWeightDecay });
    }
  }

  /** Asks the loop to stop after the current step, saving a checkpoint. */
  requestStop(): void {
    this.stopRequested = true;
  }

  get checkpointDir(): string {
    return path.join(this.options.outputDir, 'checkpoints');
  }

  get metricsFile(): string {
    return path.join(this.options.outputDir, 'metrics.jsonl');
  }

  private optimizers(): Record<string, AdamATan2 | SparseEmbeddingSignSGD> {
    return this.sparse ? { adam: this.adam, sparse: this.sparse } : { adam: this.adam };
  }

  private save(pos: Position, carry: HRMCarry | undefined): string {
    const file = path.join(this.checkpointDir, `step_${String(pos.step).padStart(8, '0')}.safetensors`);
    const tensors: Record<string, Tensor> = {};
    if (carry) {
      Object.assign(tensors, {
        'carry.z_H': carry.inner.zH,
        'carry.z_L': carry.inner.zL,
        'carry.steps': carry.steps,
        'carry.halted': carry.halted,
        'carry.inputs': carry.currentData.inputs,
        'carry.labels': carry.currentData.labels,
        'carry.puzzle_identifiers': carry.currentData.puzzleIdentifiers,
      });
    }
    saveCheckpoint(file, {
      model: this.model,
      optimizers: this.optimizers(),
      step: pos.step,
      tensors,
      extra: { position: pos, config: this.config, options: { ...this.options, onProgress: undefined } },
    });
    // Keep the newest few; older ones go only after the new one is complete.
    const all = this.listCheckpoints();
    for (const old of all.slice(this.options.keepCheckpoints)) fs.rmSync(old, { force: true });
    this.options.onProgress?.({ kind: 'checkpoint', step: pos.step, totalSteps: this.totalSteps, message: file });
    return file;
  }

  /** Checkpoint files, newest first. */
  listCheckpoints(): string[] {
    if (!fs.existsSync(this.checkpointDir)) return [];
    return fs
      .readdirSync(this.checkpointDir)
      .filter((f) => /^step_\d+\.safetensors$/.test(f))
      .sort()
      .reverse()
      .map((f) => path.join(this.checkpointDir, f));
  }

  // Loads the newest checkpoint that is complete; a damaged one is skipped with a warning.
  private restore(): { pos: Position; carry?: HRMCarry } | undefined {
    for (const file of this.listCheckpoints()) {
      try {
        const info = loadCheckpoint(file, { model: this.model, optimizers: this.optimizers() });
        const pos = info.extra.position as Position;
        const t = info.tensors;
        if (this.options.device && this.options.device !== 'cpu') {
          for (const k of Object.keys(t)) {
            const moved = t[k].to(this.options.device);
            t[k].dispose();
            t[k] = moved;
          }
        }
        const carry: HRMCarry | undefined = t['carry.z_H']
          ? {
              inner: { zH: t['carry.z_H'], zL: t['carry.z_L'] },
              steps: t['carry.steps'],
              halted: t['carry.halted'],
              currentData: { inputs: t['carry.inputs'], labels: t['carry.labels'], puzzleIdentifiers: t['carry.puzzle_identifiers'] },
            }
          : undefined;
        this.options.onProgress?.({ kind: 'resume', step: pos.step, totalSteps: this.totalSteps, message: file });
        return { pos, carry };
      } catch (e) {
        this.options.onProgress?.({ kind: 'resume', step: 0, totalSteps: this.totalSteps, message: `skipping ${file}: ${(e as Error).message}` });
      }
    }
    return undefined;
  }

  private appendMetrics(record: Record<string, unknown>): void {
    fs.appendFileSync(this.metricsFile, JSON.stringify(record) + '\n');
  }

  // Keeps only complete records up to `step` (a resumed run rewrites what came after).
  private truncateMetrics(step: number): void {
    if (!fs.existsSync(this.metricsFile)) return;
    const keep: string[] = [];
    for (const line of fs.readFileSync(this.metricsFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const r = JSON.parse(line) as { step: number };
        if (r.step <= step) keep.push(line);
      } catch {
        // a line cut by a crash
      }
    }
    writeFileAtomic(this.metricsFile, [keep.map((l) => l + '\n').join('')]);
  }

  /** Runs (or continues) training. */
  async run(): Promise<TrainResult> {
    const o = this.options;
    fs.mkdirSync(o.outputDir, { recursive: true });
    let pos: Position = { step: 0, iter: 0, batchInIter: 0 };
    let carry: HRMCarry | undefined;
    if (o.resume) {
      const r = this.restore();
      if (r) {
        pos = r.pos;
        carry = r.carry;
      }
    }
    this.truncateMetrics(pos.step);
    const onSignal = () => this.requestStop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let stepsThisRun = 0;
    let lastEval: EvalResult | undefined;
    let lastCheckpoint: string | undefined;
    try {
      for (let iter = pos.iter; iter < this.totalIters; iter++) {
        this.train.iteration = iter; // the pass's order comes from seed + iteration
        let b = 0;
        for (const batch of this.train.batches()) {
          if (iter === pos.iter && b < pos.batchInIter) {
            b++;
            continue; // consumed before the interruption
          }
          b++;
          pos = { step: pos.step + 1, iter, batchInIter: b };
          if (pos.step > this.totalSteps) continue; // spec 4.1: the loader is drained
          const metrics = this.trainStep(batch, pos.step, carry, (c) => (carry = c));
          this.appendMetrics({ kind: 'train', step: pos.step, ...metrics });
          o.onProgress?.({ kind: 'step', step: pos.step, totalSteps: this.totalSteps, metrics });
          stepsThisRun++;
          if (o.checkpointEvery && pos.step % o.checkpointEvery === 0) lastCheckpoint = this.save(pos, carry);
          if (o.stopAfterSteps !== undefined && stepsThisRun >= o.stopAfterSteps) this.stopRequested = true;
          // Let signal handlers run between steps.
          await new Promise((r) => setImmediate(r));
          if (this.stopRequested) {
            lastCheckpoint = this.save(pos, carry);
            o.onProgress?.({ kind: 'stop', step: pos.step, totalSteps: this.totalSteps, message: lastCheckpoint });
            return { step: pos.step, totalSteps: this.totalSteps, interrupted: true, lastEval, checkpoint: lastCheckpoint };
          }
        }
        pos = { step: pos.step, iter: iter + 1, batchInIter: 0 };
        lastEval = this.evaluate(pos.step);
        lastCheckpoint = this.save(pos, carry);
        writeReport(o.outputDir);
      }
      return { step: pos.step, totalSteps: this.totalSteps, interrupted: false, lastEval, checkpoint: lastCheckpoint };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  /** One optimizer step = one ACT segment for every row (spec 4.1). */
  private trainStep(batch: import('../data/format').PuzzleBatch, step: number, carry: HRMCarry | undefined, setCarry: (c: HRMCarry) => void): Record<string, number> {
    const o = this.options;
    const B = o.globalBatchSize;
    const lr = cosineScheduleWithWarmupLr(step, o.lr, o.lrWarmupSteps, this.totalSteps, o.lrMinRatio);
    const lrPe = cosineScheduleWithWarmupLr(step, o.puzzleEmbLr, o.lrWarmupSteps, this.totalSteps, o.lrMinRatio);
    const { metrics, newCarry } = scope(() => {
      const t = batchToTensors(batch, o.device);
      const current = carry ?? this.model.initialCarry(t);
      const r = this.head.forward(current, t);
      r.loss.div(B).backward();
      if (this.sparse) this.sparse.lr = lrPe;
      this.adam.lr = lr;
      this.sparse?.step();
      this.adam.step();
      this.sparse?.zeroGrad();
      this.adam.zeroGrad();
      // spec 3.4 post-processing: losses / global batch size, the rest / max(count, 1)
      const raw = Object.fromEntries(Object.entries(r.metrics).map(([k, v]) => [k, Number((v as Tensor).item())]));
      const count = Math.max(1, raw.count);
      const out: Record<string, number> = { lr };
      for (const [k, v] of Object.entries(raw)) out[k] = k === 'count' ? v : k.endsWith('loss') ? v / B : v / count;
      if (!carry) disposeCarry(current);
      return { metrics: out, newCarry: r.carry };
    });
    if (carry) disposeCarry(carry);
    setCarry(newCarry);
    return metrics;
  }

  /** Evaluates on the test split (when there is one) and logs it. */
  evaluate(step: number): EvalResult | undefined {
    const testDir = path.join(this.options.dataPath, 'test');
    if (!fs.existsSync(path.join(testDir, 'dataset.json'))) return undefined;
    const data = new PuzzleDataset({ dir: testDir, mode: 'test', batchSize: this.options.globalBatchSize });
    try {
      const r = evaluate(this.model, data, { maxExamples: this.options.evalMaxExamples, device: this.options.device });
      for (const [set, m] of Object.entries(r.sets)) {
        this.appendMetrics({ kind: 'eval', step, set, ...m, exact_accuracy_at_step: r.exactAccuracyAtStep[set] });
        this.options.onProgress?.({ kind: 'eval', step, totalSteps: this.totalSteps, metrics: m, message: set });
      }
      return r;
    } finally {
      data.close();
    }
  }

  dispose(): void {
    this.model.dispose();
    this.adam.dispose();
    this.sparse?.dispose();
    this.train.close();
  }
}

