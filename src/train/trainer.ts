/**
 * The training loop of the reference (hrm-spec 4.1), the only one in the project:
 * - the ACT carry persists across batches: one optimizer step is one segment for every row, and
 *   a row keeps working on its example over consecutive steps until it halts;
 * - two optimizers (AdamATan2 for the model, SignSGD for the puzzle embeddings) on the same
 *   warmup + cosine schedule; loss / globalBatchSize is backpropagated;
 * - the loader makes `evalInterval` epochs per pass; after each pass: evaluation, checkpoint;
 * - checkpoints also on SIGINT/SIGTERM (or requestStop()), and `resume` continues exactly: model,
 *   optimizers, step, RNG, the carry and the position in the data are all restored, so on the CPU
 *   the loss curve after a resume is bitwise the one without the interruption;
 * - what a run folder holds is never lost by mistake: a run that does not resume refuses a folder
 *   that already holds a run, and a resume refuses (before writing anything) when its newest
 *   checkpoint has another model config or does not load, rather than restarting at step 0.
 * - with `ema`, an exponential moving average of the weights (spec 8, {@link WeightEMA}) is what
 *   evaluations run on and what a checkpoint's model holds (so `hrm eval` / `hrm solve` use it);
 *   the trained weights go with it, and a resume continues training them;
 * - with `keepBest`, the checkpoint after the best evaluation so far is kept as the run's best
 *   (never rotated away), so a late collapse does not cost the run;
 * - the model and its loss head come from the model factory (models/kinds.ts) by `model`.
 * The run's files (checkpoints, metrics.jsonl) are {@link RunFolder}'s; a report (SVG curves in
 * an HTML page) goes next to them.
 *
 * Data-parallel (a `processGroup`, as pretrain.py does it): each rank trains on its slice of every
 * global batch (the loader's rank / world size), starts from rank 0's weights, backpropagates its
 * loss / globalBatchSize and takes the same optimizer step after the gradients are summed over the
 * ranks (the puzzle embeddings' rows all-gathered); the step's metric sums are summed too, with a
 * stop flag, so every rank stops at the same step. Each rank evaluates its slice of every test
 * batch and the counts are summed (every rank gets the whole split's metrics, those of a single
 * process); rank 0 alone writes the run's files. A checkpoint holds the carry of the whole global batch
 * (every rank's rows, gathered), so it has the layout of a single-process one; a resume loads it
 * on every rank, each taking its rows.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { manualSeed } from '../tensor/creation';
import { Device } from '../tensor/dtype';
import { scope } from '../tensor/scope';
import { Tensor } from '../tensor/tensor';
import { setNumThreads } from '../runtime';
import { ErrorCode, describeValue, hasErrorCode, hrmError, invalidArgument } from '../util/errors';
import { loadCheckpoint, readCheckpointInfo } from '../checkpoint/state-file';
import { HRMConfig } from '../models/hrm/config';
import { HRMCarry, disposeCarry } from '../models/hrm/carry';
import { ACTLoss, ACTModel, DEFAULT_MODEL_KIND, ModelConfig, ModelKind, buildLossHead, buildModel, checkModelKind, modelConfig } from '../models/kinds';
import { metricValues, normalizeMetrics } from '../models/hrm/metrics';
import { AdamATan2 } from '../optim/adam';
import { SparseEmbeddingSignSGD } from '../optim/sparse';
import { cosineScheduleWithWarmupLr } from '../optim/schedule';
import { METADATA_FILE, PuzzleBatch, PuzzleDataset, batchToTensors, invalidDataset, isDatasetSplit } from '../data/format';
import { evaluate, countEvaluation, EvalOptions, EvalResult } from '../eval/evaluate';
import { METRICS_FILE, MetricsRecord, RunFolder, carryCheckpointTensors, carryFromCheckpointTensors, takeTrainedWeights, trainedWeightsCheckpointTensors } from './run-folder';
import { WeightEMA, checkEmaRate } from './ema';
import { checkPath } from '../util/path';
import { ProcessGroup } from '../distributed';
import { allGatherConcat } from '../distributed/collectives';
import { fromTypedArray } from '../tensor/creation';
import { GradientBuckets, allReduceEvaluation, broadcastParameters, sparseEmbeddingStep } from './data-parallel';
import { carryFromTensors, carryTensors } from '../models/hrm/carry';

/** The model config keys where a checkpoint's config and this run's differ, as 'key: old in the checkpoint, new now'. */
function configDifferences(saved: unknown, now: ModelConfig): string[] {
  if (!saved || typeof saved !== 'object') return []; // an older checkpoint without its config: the load checks the shapes
  const old = saved as Record<string, unknown>;
  const cur = now as unknown as Record<string, unknown>;
  const show = (v: unknown) => (v === undefined ? 'unset' : JSON.stringify(v));
  // A key the checkpoint lacks came after it was written; only keys both name are compared.
  return Object.keys(cur)
    .filter((k) => k in old && JSON.stringify(old[k]) !== JSON.stringify(cur[k]))
    .map((k) => `${k}: ${show(old[k])} in the checkpoint, ${show(cur[k])} now`);
}

/** A checkpoint's record of the best evaluation, when it is one for `metric`; else none (the comparison starts afresh). */
function savedBest(saved: unknown, metric: BestMetric | false): BestEvaluation | undefined {
  const b = saved as Partial<BestEvaluation> | null | undefined;
  if (metric === false || !b || typeof b !== 'object' || b.metric !== metric) return undefined;
  return typeof b.value === 'number' && Number.isInteger(b.step) ? { metric, value: b.value, step: b.step! } : undefined;
}

/** Settings of a training run (the reference's cfg_pretrain keys, camelCase). */
export interface TrainOptions {
  /** dataset root with train/ (and test/) in the reference format */
  dataPath: string;
  /** where checkpoints, metrics.jsonl and the report go */
  outputDir: string;
  /** the model to train (default 'hrm'); checkpoints record it, so eval and solve rebuild the same kind */
  model?: ModelKind;
  /** model settings; batchSize, seqLen, vocabSize, numPuzzleIdentifiers come from the data */
  arch?: Partial<HRMConfig>;
  /** rows per optimizer step */
  globalBatchSize: number;
  /** passes over the training groups */
  epochs: number;
  /** epochs per loader pass; evaluation and a checkpoint follow each pass (default: epochs) */
  evalInterval?: number;
  /** peak learning rate of AdamATan2 */
  lr: number;
  /** the cosine decays to lr * lrMinRatio (default 1: constant after warmup) */
  lrMinRatio?: number;
  /** linear warmup steps (default 0) */
  lrWarmupSteps?: number;
  /** AdamATan2 decoupled weight decay (default 0.1) */
  weightDecay?: number;
  /** Adam beta1 (default 0.9) */
  beta1?: number;
  /** Adam beta2 (default 0.95) */
  beta2?: number;
  /** SignSGD learning rate of the puzzle embeddings (default: lr) */
  puzzleEmbLr?: number;
  /** SignSGD weight decay of the puzzle embeddings (default: weightDecay) */
  puzzleEmbWeightDecay?: number;
  /** seed of the initialisation and the data order (default 0) */
  seed?: number;
  /** evaluate on at most this many test examples (default: all) */
  evalMaxExamples?: number;
  /**
   * continue from the newest checkpoint in outputDir (refused when it has another model config or
   * does not load); without it, an outputDir that already holds a run is refused
   */
  resume?: boolean;
  /** checkpoints kept (newest first); default 3 */
  keepCheckpoints?: number;
  /**
   * an exponential moving average of the weights at this rate, in [0, 1) (TRM: 0.999): after each
   * optimizer step shadow <- (1 - ema) * param + ema * shadow; evaluations use it and checkpoints
   * hold it as their model (the trained weights beside it, for resuming). Default: off
   */
  ema?: number;
  /**
   * the evaluation metric whose best value keeps its checkpoint as checkpoints/best.safetensors
   * (never rotated away): one of {@link BEST_METRICS}; false for none. Default: 'exact_accuracy'
   * when the data has a test split
   */
  keepBest?: BestMetric | false;
  /** where the model runs (default cpu) */
  device?: Device;
  /** CPU threads for libtorch */
  threads?: number;
  /** stop (with a checkpoint) after this many optimizer steps in this run; for tests */
  stopAfterSteps?: number;
  /** checkpoint every N steps as well as after each evaluation (default: only at evaluations) */
  checkpointEvery?: number;
  /** called at the start (once the run folder is checked), after each step, evaluation, checkpoint, resume and stop; data-parallel, on rank 0 only */
  onProgress?: (e: TrainProgress) => void;
  /**
   * train data-parallel in this group (from initProcessGroup): every rank constructs its Trainer
   * with the same options and runs it; rank 0 writes the run's files. globalBatchSize must divide
   * by the world size
   */
  processGroup?: ProcessGroup;
}

/** Every key of {@link TrainOptions}, at run time (the compiler checks that the list misses none and adds none). */
export const TRAIN_OPTION_KEYS = Object.keys({
  dataPath: true, outputDir: true, arch: true, globalBatchSize: true, epochs: true, evalInterval: true, lr: true, lrMinRatio: true,
  lrWarmupSteps: true, weightDecay: true, beta1: true, beta2: true, puzzleEmbLr: true, puzzleEmbWeightDecay: true, seed: true,
  evalMaxExamples: true, resume: true, keepCheckpoints: true, device: true, threads: true, stopAfterSteps: true, checkpointEvery: true,
  onProgress: true, model: true, ema: true, keepBest: true, processGroup: true,
} satisfies Record<keyof TrainOptions, true>) as (keyof TrainOptions)[];

/** An event of a training run, for progress displays. */
export interface TrainProgress {
  /** what happened; 'start' comes once the run folder is checked (and a checkpoint resumed), before the run writes anything */
  kind: 'start' | 'step' | 'eval' | 'checkpoint' | 'best' | 'resume' | 'stop';
  /** the optimizer step it happened at */
  step: number;
  /** the run's total optimizer steps */
  totalSteps: number;
  /** the step's (or evaluation's) normalised metrics */
  metrics?: Record<string, number>;
  /** a checkpoint path, an evaluated set's name, the new best (metric, value, path), or why a checkpoint was skipped */
  message?: string;
}

/** How a run ended. */
export interface TrainResult {
  /** the last optimizer step run */
  step: number;
  /** the run's total optimizer steps */
  totalSteps: number;
  /** stopped early (requestStop, a signal, or stopAfterSteps) */
  interrupted: boolean;
  /** the last evaluation, if any */
  lastEval?: EvalResult;
  /** the last checkpoint written */
  checkpoint?: string;
  /** the run's best checkpoint (with keepBest), if an evaluation made one */
  bestCheckpoint?: string;
}

/**
 * The evaluation metrics `keepBest` can select by, and which way is better: the accuracies
 * higher, the losses and the mean ACT steps lower.
 */
export const BEST_METRICS = {
  /** puzzles solved exactly: higher is better */
  exact_accuracy: 'max',
  /** tokens right: higher is better */
  accuracy: 'max',
  /** halting decisions right: higher is better */
  q_halt_accuracy: 'max',
  /** token loss: lower is better */
  lm_loss: 'min',
  /** halting loss: lower is better */
  q_halt_loss: 'min',
  /** mean ACT steps: lower is better */
  steps: 'min',
} as const;

/** A metric `keepBest` can select by. */
export type BestMetric = keyof typeof BEST_METRICS;

/** The run's best evaluation so far, as checkpoints record it (extra.best). */
export interface BestEvaluation {
  /** the metric compared */
  metric: BestMetric;
  /** its value (over every test set, weighted by their example counts) */
  value: number;
  /** the step of that evaluation */
  step: number;
}

/** How long the ranks wait for each other at the end of an evaluation (a day: uneven shares are work, not a hang). */
const EVAL_WAIT_MS = 86_400_000;

/** Where a run stands: the step, and the position in the data (so a resume continues exactly). */
interface Position {
  step: number;
  /** loader passes completed */
  iter: number;
  /** batches of the current pass already consumed */
  batchInIter: number;
}

/** The training loop: build it from {@link TrainOptions}, then `await run()`; `dispose()` when done. */
export class Trainer {
  /** the options with their defaults filled in */
  readonly options: Required<Omit<TrainOptions, 'arch' | 'evalMaxExamples' | 'device' | 'threads' | 'stopAfterSteps' | 'checkpointEvery' | 'onProgress' | 'ema' | 'processGroup'>> &
    Pick<TrainOptions, 'arch' | 'evalMaxExamples' | 'device' | 'threads' | 'stopAfterSteps' | 'checkpointEvery' | 'onProgress' | 'ema' | 'processGroup'>;
  /** the model's config (sizes from the data) */
  readonly config: ModelConfig;
  /** the model being trained */
  readonly model: ACTModel;
  /** the model with its loss */
  readonly head: ACTLoss;
  /** the moving average of the weights (with the `ema` option) */
  readonly ema?: WeightEMA;
  /** the optimizer of the model's parameters */
  readonly adam: AdamATan2;
  /** the optimizer of the puzzle embeddings (when the model has them) */
  readonly sparse?: SparseEmbeddingSignSGD;
  /** optimizer steps of the whole run (spec 4.1) */
  readonly totalSteps: number;
  /** loader passes of the whole run (epochs / evalInterval) */
  readonly totalIters: number;
  /** the run's folder: checkpoints and metrics */
  readonly runFolder: RunFolder;
  /** this process's rank (0 without a process group) */
  readonly rank: number;
  /** the number of data-parallel ranks (1 without a process group) */
  readonly worldSize: number;
  private readonly group?: ProcessGroup;
  /** data-parallel: the gradients' flat buffers (made at the first step) */
  private buckets?: GradientBuckets;
  private readonly train: PuzzleDataset;
  private stopRequested = false;
  private best?: BestEvaluation;

  /** Opens the training data, builds the model and optimizers (nothing is written yet). */
  constructor(opts: TrainOptions) {
    checkPath(opts?.dataPath, 'Trainer: options.dataPath');
    checkPath(opts?.outputDir, 'Trainer: options.outputDir');
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
      model: DEFAULT_MODEL_KIND,
      keepBest: false,
      ...opts,
    };
    const o = this.options;
    checkModelKind(o.model, 'Trainer: options.model');
    if (o.ema !== undefined) checkEmaRate(o.ema, 'Trainer: options.ema');
    if (o.keepBest !== false && !Object.hasOwn(BEST_METRICS, o.keepBest)) {
      throw invalidArgument(`Trainer: options.keepBest must be false or one of ${Object.keys(BEST_METRICS).map((k) => `'${k}'`).join(', ')}, got ${describeValue(o.keepBest)}`);
    }
    if (!(o.epochs > 0) || !(o.evalInterval > 0) || o.epochs % o.evalInterval !== 0) {
      throw invalidArgument(`epochs (${o.epochs}) must be a positive multiple of evalInterval (${o.evalInterval})`);
    }
    if (o.processGroup !== undefined && !(o.processGroup instanceof ProcessGroup)) {
      throw invalidArgument(`Trainer: options.processGroup must be a ProcessGroup (from initProcessGroup), got ${describeValue(o.processGroup)}`);
    }
    this.group = o.processGroup;
    this.rank = this.group?.rank ?? 0;
    this.worldSize = this.group?.worldSize ?? 1;
    if (!Number.isInteger(o.globalBatchSize) || o.globalBatchSize < 1 || o.globalBatchSize % this.worldSize !== 0) {
      throw invalidArgument(`Trainer: options.globalBatchSize must be a positive integer divisible by the world size (${this.worldSize} ranks), got ${describeValue(o.globalBatchSize)}`);
    }
    if (o.threads) setNumThreads(o.threads);
    this.runFolder = new RunFolder(o.outputDir);
    const testDir = path.join(o.dataPath, 'test');
    if (fs.existsSync(testDir) && !isDatasetSplit(testDir)) {
      throw invalidDataset(`${testDir} has no ${METADATA_FILE}: an unfinished or damaged build, and its evaluations would be skipped; build the dataset again`);
    }
    if (opts.keepBest === undefined) this.options.keepBest = isDatasetSplit(testDir) ? 'exact_accuracy' : false;
    else if (o.keepBest !== false && !isDatasetSplit(testDir)) {
      throw invalidArgument(`Trainer: options.keepBest '${o.keepBest}' needs evaluations, but ${o.dataPath} has no test split; leave keepBest unset or false`);
    }
    this.train = new PuzzleDataset({ dir: path.join(o.dataPath, 'train'), mode: 'train', batchSize: o.globalBatchSize, epochsPerIter: o.evalInterval, seed: o.seed, rank: this.rank, worldSize: this.worldSize });
    const m = this.train.metadata;
    this.config = modelConfig(o.model, { ...(o.arch ?? {}), batchSize: o.globalBatchSize, seqLen: m.seq_len, vocabSize: m.vocab_size, numPuzzleIdentifiers: m.num_puzzle_identifiers });
    // spec 4.1: total_steps = epochs * total_groups * mean_puzzle_examples / global_batch_size
    this.totalSteps = Math.floor((o.epochs * m.total_groups * m.mean_puzzle_examples) / o.globalBatchSize);
    this.totalIters = o.epochs / o.evalInterval;
    manualSeed(o.seed);
    // The config (saved in checkpoints) is the global batch's; the model runs on this rank's slice.
    const local = this.worldSize === 1 ? this.config : { ...this.config, batchSize: o.globalBatchSize / this.worldSize };
    const model = buildModel(o.model, local, { device: o.device });
    this.model = model;
    this.head = buildLossHead(o.model, model);
    // After the model, so that its initialisation draws are the same with and without EMA.
    if (o.ema !== undefined) this.ema = new WeightEMA(this.model, o.ema);
    this.adam = new AdamATan2(this.model.parameters(), { lr: o.lr, weightDecay: o.weightDecay, betas: [o.beta1, o.beta2] });
    if (this.model.inner.puzzleEmb) {
      this.sparse = new SparseEmbeddingSignSGD(this.model.inner.puzzleEmb, { lr: o.puzzleEmbLr, weightDecay: o.puzzleEmbWeightDecay });
    }
  }

  /** Reports `e` to onProgress; in a data-parallel run, rank 0 alone reports (it alone writes). */
  private progress(e: TrainProgress): void {
    if (this.rank === 0) this.options.onProgress?.(e);
  }

  /** Appends a metrics record; rank 0 alone writes. */
  private appendMetrics(record: MetricsRecord): void {
    if (this.rank === 0) this.runFolder.appendMetrics(record);
  }

  /** Whether any rank passes `flag` true (a sum over the ranks; every rank must call it). */
  private async anyRank(group: ProcessGroup, flag: boolean): Promise<boolean> {
    const t = fromTypedArray(new Float32Array([flag ? 1 : 0]), [1], { device: group.device });
    try {
      await group.allReduce(t, { op: 'sum' });
      return Number(t.item()) > 0;
    } finally {
      t.dispose();
    }
  }

  /**
   * Saves the checkpoint of `pos` and returns its path. Data-parallel, every rank calls it: the
   * carry of every rank's rows is gathered into the global batch's, and rank 0 alone writes it
   * (the others return undefined).
   */
  private async checkpoint(pos: Position, carry: HRMCarry | undefined): Promise<string | undefined> {
    const group = this.group;
    if (!group) return this.save(pos, carry);
    let gathered: HRMCarry | undefined;
    if (carry) {
      const parts: Record<string, Tensor> = {};
      try {
        for (const [k, t] of Object.entries(carryTensors(carry))) {
          // Gloo gathers numbers, not booleans: the halted flags travel as int32.
          const sent = t.dtype === 'bool' ? t.to('int32') : t;
          const all = await allGatherConcat(group, sent);
          if (sent !== t) sent.dispose();
          parts[k] = t.dtype === 'bool' ? all.to('bool') : all;
          if (parts[k] !== all) all.dispose();
        }
      } catch (e) {
        for (const t of Object.values(parts)) t.dispose();
        throw e;
      }
      gathered = carryFromTensors(parts);
    }
    try {
      return this.rank === 0 ? this.save(pos, gathered) : undefined;
    } finally {
      if (gathered) disposeCarry(gathered);
    }
  }

  /** This rank's rows of a checkpoint's carry (the global batch's): rows [rank * Bl, (rank + 1) * Bl). Takes ownership of `carry`. */
  private localCarry(carry: HRMCarry | undefined): HRMCarry | undefined {
    if (!carry || this.worldSize === 1) return carry;
    const Bl = this.options.globalBatchSize / this.worldSize;
    const mine: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(carryTensors(carry))) mine[k] = scope(() => t.narrow(0, this.rank * Bl, Bl).contiguous());
    disposeCarry(carry);
    return carryFromTensors(mine);
  }

  /** Asks the loop to stop after the current step, saving a checkpoint. */
  requestStop(): void {
    this.stopRequested = true;
  }

  /** <outputDir>/checkpoints */
  get checkpointDir(): string {
    return this.runFolder.checkpointDir;
  }

  /** <outputDir>/metrics.jsonl */
  get metricsFile(): string {
    return this.runFolder.metricsFile;
  }

  /** Checkpoint files, newest first. */
  listCheckpoints(): string[] {
    return this.runFolder.listCheckpoints();
  }

  private optimizers(): Record<string, AdamATan2 | SparseEmbeddingSignSGD> {
    return this.sparse ? { adam: this.adam, sparse: this.sparse } : { adam: this.adam };
  }

  /**
   * Saves the checkpoint of `pos`. With EMA its model is the average (what eval and solve load)
   * and the trained weights go beside it as extra tensors: while swapped, the shadow holds them.
   */
  private save(pos: Position, carry: HRMCarry | undefined): string {
    const write = (trained: Record<string, Tensor>) =>
      this.runFolder.saveCheckpoint(
        {
          model: this.model,
          optimizers: this.optimizers(),
          step: pos.step,
          tensors: { ...carryCheckpointTensors(carry), ...trainedWeightsCheckpointTensors(trained) },
          extra: { position: pos, model: this.options.model, config: this.config, ema: this.options.ema ?? null, best: this.best ?? null, options: { ...this.options, onProgress: undefined, processGroup: undefined } },
        },
        this.options.keepCheckpoints,
      );
    const ema = this.ema;
    const file = ema ? ema.withAverage(() => write(ema.state())) : write({});
    this.progress({ kind: 'checkpoint', step: pos.step, totalSteps: this.totalSteps, message: file });
    return file;
  }

  /**
   * Where the run starts, checked before anything is written: a fresh run needs a folder without
   * a run; a resume loads the newest checkpoint, refusing one of another model config or one that
   * does not load (its error says which, and that nothing was changed).
   */
  private startingPoint(): { pos: Position; carry?: HRMCarry } | undefined {
    const o = this.options;
    const checkpoints = this.runFolder.listCheckpoints();
    if (!o.resume) {
      const records = this.runFolder.readMetrics().length;
      if (checkpoints.length || records) {
        const what = checkpoints.length ? `${checkpoints.length} checkpoint(s), the newest ${path.basename(checkpoints[0])}` : `${records} records in ${METRICS_FILE}`;
        throw invalidArgument(`${o.outputDir} already holds a run (${what}); resume it (resume: true, hrm train --resume) or train into another output folder`);
      }
      return undefined;
    }
    const progress = (step: number, message: string) => this.progress({ kind: 'resume', step, totalSteps: this.totalSteps, message });
    if (!checkpoints.length) {
      progress(0, `no checkpoint in ${this.checkpointDir}: starting at step 0`);
      return undefined;
    }
    const file = checkpoints[0];
    const older = checkpoints[1] ? ` to resume from ${path.basename(checkpoints[1])}` : '';
    const refuse = (code: ErrorCode, why: string, hint: string) => hrmError(code, `cannot resume ${o.outputDir} from ${file}: ${why}. Nothing was changed; ${hint}`);
    const unloadable = (e: unknown) =>
      refuse(hasErrorCode(e) ? e.code : 'CORRUPT_FILE', `it does not load (${(e as Error).message})`, `move it out of ${this.checkpointDir}${older}, or train into another output folder`);
    let saved: unknown;
    let savedKind: unknown;
    try {
      ({ config: saved, model: savedKind } = readCheckpointInfo(file).extra);
    } catch (e) {
      throw unloadable(e);
    }
    // A checkpoint that names no kind is an HRM's (it predates the kinds).
    if ((savedKind ?? DEFAULT_MODEL_KIND) !== o.model) {
      throw refuse('INVALID_ARGUMENT', `it holds a model of kind ${JSON.stringify(savedKind)}, this run trains '${o.model}'`, `resume with model=${String(savedKind)}, or train into another output folder`);
    }
    const diffs = configDifferences(saved, this.config);
    if (diffs.length) {
      throw refuse('INVALID_ARGUMENT', `its model config differs from this run's (${diffs.join('; ')})`, `resume with the checkpoint's settings, or train into another output folder`);
    }
    let restored: { pos: Position; carry?: HRMCarry };
    try {
      const info = loadCheckpoint(file, { model: this.model, optimizers: this.optimizers() });
      const trained = takeTrainedWeights(info.tensors);
      try {
        this.restoreTrainedWeights(trained);
      } finally {
        for (const t of Object.values(trained ?? {})) t.dispose();
      }
      this.best = savedBest(info.extra.best, o.keepBest);
      restored = { pos: info.extra.position as Position, carry: carryFromCheckpointTensors(info.tensors, o.device) };
    } catch (e) {
      throw unloadable(e);
    }
    progress(restored.pos.step, file);
    return restored;
  }

  /**
   * After a checkpoint's model is loaded: an EMA run's checkpoint holds the average as its model
   * and the trained weights beside it, so the average goes to the shadow and training continues
   * from the trained weights. Without EMA now, the trained weights are kept and the average
   * dropped; with EMA now but not then, the average starts at the checkpoint's weights.
   */
  private restoreTrainedWeights(trained: Record<string, Tensor> | undefined): void {
    if (this.ema && trained) {
      this.ema.restore(trained);
    } else if (this.ema) {
      this.ema.reset();
    } else if (trained) {
      this.model.loadStateDict(trained, { strict: false });
    }
  }

  /** Runs (or continues) training. */
  async run(): Promise<TrainResult> {
    const o = this.options;
    const group = this.group;
    let start: { pos: Position; carry?: HRMCarry } | undefined;
    if (!group) start = this.startingPoint();
    else {
      // Every rank checks the folder and loads rank 0's checkpoint; all start, or none does.
      let refused: unknown;
      try {
        start = this.startingPoint();
      } catch (e) {
        refused = e;
      }
      const anyRefused = await this.anyRank(group, refused !== undefined);
      if (refused !== undefined) throw refused;
      if (anyRefused) {
        if (start?.carry) disposeCarry(start.carry);
        throw hrmError('DISTRIBUTED_ERROR', `Trainer (rank ${this.rank}): another rank could not start the run (its error says why); nothing was changed`);
      }
      if (start) start.carry = this.localCarry(start.carry);
      // A fresh start takes rank 0's initialisation (a resume loaded the same checkpoint everywhere).
      await broadcastParameters(group, this.model);
      if (!start) this.ema?.reset();
    }
    let pos: Position = start?.pos ?? { step: 0, iter: 0, batchInIter: 0 };
    let carry: HRMCarry | undefined = start?.carry;
    let removed: string[] = [];
    if (this.rank === 0) {
      fs.mkdirSync(o.outputDir, { recursive: true });
      removed = this.runFolder.removeStaleTemporaries();
      // A checkpoint at the start of a pass (batchInIter 0) was saved after the evaluation of its step.
      this.runFolder.truncateMetrics(pos.step, pos.batchInIter === 0);
    }
    this.progress({ kind: 'start', step: pos.step, totalSteps: this.totalSteps, message: removed.length ? `removed ${removed.length} stale temporary file(s): ${removed.join(', ')}` : undefined });
    const onSignal = () => this.requestStop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let stepsThisRun = 0;
    let lastEval: EvalResult | undefined;
    let lastCheckpoint: string | undefined;
    let bestCheckpoint: string | undefined;
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
          const lastOfThisRun = o.stopAfterSteps !== undefined && stepsThisRun + 1 >= o.stopAfterSteps;
          const setCarry = (c: HRMCarry) => (carry = c);
          let agreedStop = false;
          let metrics: Record<string, number>;
          if (group) ({ metrics, stop: agreedStop } = await this.trainStepDistributed(group, batch, pos.step, carry, setCarry, this.stopRequested || lastOfThisRun));
          else metrics = this.trainStep(batch, pos.step, carry, setCarry);
          this.appendMetrics({ kind: 'train', step: pos.step, ...metrics });
          this.progress({ kind: 'step', step: pos.step, totalSteps: this.totalSteps, metrics });
          stepsThisRun++;
          if (o.checkpointEvery && pos.step % o.checkpointEvery === 0) lastCheckpoint = await this.checkpoint(pos, carry);
          if (lastOfThisRun) this.stopRequested = true;
          // Let signal handlers run between steps.
          await new Promise((r) => setImmediate(r));
          // Data-parallel, the ranks stop where they agreed to (a signal seen now counts at the next step).
          if (group ? agreedStop : this.stopRequested) {
            lastCheckpoint = await this.checkpoint(pos, carry);
            this.progress({ kind: 'stop', step: pos.step, totalSteps: this.totalSteps, message: lastCheckpoint });
            return { step: pos.step, totalSteps: this.totalSteps, interrupted: true, lastEval, checkpoint: lastCheckpoint, bestCheckpoint };
          }
        }
        pos = { step: pos.step, iter: iter + 1, batchInIter: 0 };
        lastEval = group ? await this.evaluateDataParallel(group, pos.step) : this.evaluate(pos.step);
        const improved = lastEval !== undefined && this.recordEvaluation(pos.step, lastEval);
        lastCheckpoint = await this.checkpoint(pos, carry);
        if (improved && lastCheckpoint) {
          bestCheckpoint = this.runFolder.keepAsBest(lastCheckpoint);
          const b = this.best!;
          this.progress({ kind: 'best', step: pos.step, totalSteps: this.totalSteps, message: `${b.metric} ${b.value} at step ${b.step}: ${bestCheckpoint}` });
        }
      }
      return { step: pos.step, totalSteps: this.totalSteps, interrupted: false, lastEval, checkpoint: lastCheckpoint, bestCheckpoint };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // The carry is saved with the last checkpoint; the run's own copy ends here.
      if (carry) disposeCarry(carry);
    }
  }

  /** One optimizer step = one ACT segment for every row (spec 4.1). */
  private trainStep(batch: PuzzleBatch, step: number, carry: HRMCarry | undefined, setCarry: (c: HRMCarry) => void): Record<string, number> {
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
      this.ema?.update();
      // spec 3.4 post-processing: losses / global batch size, the rest / max(count, 1)
      const out: Record<string, number> = { lr, ...normalizeMetrics(metricValues(r.metrics), { lossDivisor: B }) };
      if (!carry) disposeCarry(current);
      return { metrics: out, newCarry: r.carry };
    });
    if (carry) disposeCarry(carry);
    setCarry(newCarry);
    return metrics;
  }

  /**
   * The data-parallel step: forward and backward in their scope (the new carry and the
   * parameters' gradients leave it), then the collectives: the gradients summed, the same
   * optimizer steps on every rank, the puzzle embeddings' rows gathered, and the metric sums
   * summed with `stopHere`, so every rank learns whether any wants to stop after this step.
   */
  private async trainStepDistributed(
    group: ProcessGroup,
    batch: PuzzleBatch,
    step: number,
    carry: HRMCarry | undefined,
    setCarry: (c: HRMCarry) => void,
    stopHere: boolean,
  ): Promise<{ metrics: Record<string, number>; stop: boolean }> {
    const o = this.options;
    const B = o.globalBatchSize;
    const lr = cosineScheduleWithWarmupLr(step, o.lr, o.lrWarmupSteps, this.totalSteps, o.lrMinRatio);
    const lrPe = cosineScheduleWithWarmupLr(step, o.puzzleEmbLr, o.lrWarmupSteps, this.totalSteps, o.lrMinRatio);
    // The gradients are views into a few flat buffers that backward fills and the all-reduce sums in place.
    const buckets = (this.buckets ??= new GradientBuckets(this.model));
    buckets.prepare();
    const { sums, newCarry } = scope(() => {
      const t = batchToTensors(batch, o.device);
      const current = carry ?? this.model.initialCarry(t);
      const r = this.head.forward(current, t);
      r.loss.div(B).backward();
      const values = metricValues(r.metrics);
      if (!carry) disposeCarry(current);
      return { sums: values, newCarry: r.carry };
    });
    if (carry) disposeCarry(carry);
    setCarry(newCarry);
    await buckets.allReduce(group);
    this.adam.lr = lr;
    this.adam.step();
    // (no zeroGrad: the next step's prepare() zeroes the buckets the gradients live in)
    if (this.sparse) {
      this.sparse.lr = lrPe;
      await sparseEmbeddingStep(group, this.sparse);
    }
    this.ema?.update();
    // spec 3.4: the metric sums of the whole global batch, then normalised as one process does.
    const keys = Object.keys(sums);
    const totals = fromTypedArray(new Float64Array([...keys.map((k) => sums[k]), stopHere ? 1 : 0]), [keys.length + 1], { device: group.device });
    try {
      await group.allReduce(totals, { op: 'sum' });
      const v = totals.toTypedArray() as Float64Array;
      const reduced = Object.fromEntries(keys.map((k, i) => [k, v[i]]));
      return { metrics: { lr, ...normalizeMetrics(reduced, { lossDivisor: B }) }, stop: v[keys.length] > 0 };
    } finally {
      totals.dispose();
    }
  }

  /**
   * Evaluates on the test split (when there is one) and logs it. Single-process only: with a
   * processGroup the evaluation is a collective of every rank, which run() makes after each pass.
   */
  evaluate(step: number): EvalResult | undefined {
    if (this.group) throw invalidArgument(`Trainer.evaluate(): this Trainer is data-parallel (rank ${this.rank} of ${this.worldSize}); its evaluation is a collective of every rank and runs inside run(), after each pass`);
    const data = this.openTestSplit();
    if (!data) return undefined;
    try {
      // spec 8: with EMA, evaluations run on the average.
      const run = () => evaluate(this.model, data, this.evalOptions());
      return this.logEvaluation(step, this.ema ? this.ema.withAverage(run) : run());
    } finally {
      data.close();
    }
  }

  /**
   * The data-parallel evaluation (every rank calls it): each rank evaluates its slice of every
   * test batch, the counts are summed over the ranks (as the reference reduces its metrics), and
   * every rank gets the whole split's result; rank 0 logs it.
   */
  private async evaluateDataParallel(group: ProcessGroup, step: number): Promise<EvalResult | undefined> {
    const data = this.openTestSplit();
    if (!data) return undefined;
    const started = Date.now();
    try {
      const run = () => countEvaluation(this.model, data, this.evalOptions());
      const counts = this.ema ? this.ema.withAverage(run) : run();
      // The slowest rank's share of the split may take long: that is work, not a hang.
      return this.logEvaluation(step, await allReduceEvaluation(group, counts, { started, timeoutMs: EVAL_WAIT_MS }));
    } finally {
      data.close();
    }
  }

  /** The test split's loader, this rank's slice of each global batch; undefined when there is no test split. */
  private openTestSplit(): PuzzleDataset | undefined {
    const testDir = path.join(this.options.dataPath, 'test');
    if (!isDatasetSplit(testDir)) return undefined;
    return new PuzzleDataset({ dir: testDir, mode: 'test', batchSize: this.options.globalBatchSize, rank: this.rank, worldSize: this.worldSize });
  }

  private evalOptions(): EvalOptions {
    return { maxExamples: this.options.evalMaxExamples, device: this.options.device };
  }

  /** Appends each set's metrics to the run's metrics (rank 0) and reports them. */
  private logEvaluation(step: number, r: EvalResult): EvalResult {
    for (const [set, m] of Object.entries(r.sets)) {
      this.appendMetrics({ kind: 'eval', step, set, ...m, exact_accuracy_at_step: r.exactAccuracyAtStep[set], halted_at_step: r.haltedAtStep[set] });
      this.progress({ kind: 'eval', step, totalSteps: this.totalSteps, metrics: m, message: set });
    }
    return r;
  }

  /**
   * With keepBest: whether this evaluation's metric (over every set, weighted by their example
   * counts) beats the best so far (a tie keeps the earlier one); if so it becomes the best.
   */
  private recordEvaluation(step: number, r: EvalResult): boolean {
    const metric = this.options.keepBest;
    if (metric === false) return false;
    const sets = Object.values(r.sets);
    const examples = sets.reduce((n, m) => n + (m.count ?? 0), 0);
    if (!sets.length || !(examples > 0)) return false;
    const value = sets.reduce((v, m) => v + (m[metric] ?? 0) * (m.count ?? 0), 0) / examples;
    if (!Number.isFinite(value)) return false;
    const better = BEST_METRICS[metric] === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    if (this.best && !better(value, this.best.value)) return false;
    this.best = { metric, value, step };
    return true;
  }

  /** Frees the model, the average, the optimizers' state and the data files. */
  dispose(): void {
    this.buckets?.dispose();
    this.model.dispose();
    this.ema?.dispose();
    this.adam.dispose();
    this.sparse?.dispose();
    this.train.close();
  }
}

