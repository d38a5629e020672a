/**
 * Shared by the HRM and TRM parity tests: a small config, batches with ignored labels, the
 * TypeScript side of a parity run (segments of forward, loss head, backward and optimizer steps,
 * collecting the same named outputs test/reference/hrm_ref.py and trm_ref.py write), the run of
 * both sides and their comparison; a tiny config and a tiny generated Sudoku dataset for the
 * training and evaluation tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import * as ht from '../../src';
import { referencePython } from './reference';
import { buildSudokuDataset, generateSudoku, writeSudokuCsv } from '../../src/data/sudoku';

/** One parity job: a config, how many segments, train or eval mode, with or without optimizer steps. */
export interface Job {
  name: string;
  config: Partial<ht.HRMConfig> | Partial<ht.TRMConfig>;
  segments: number;
  train: boolean;
  optimize: boolean;
}

/** The base config of the parity jobs. */
export const base: Partial<ht.HRMConfig> = {
  batchSize: 4, seqLen: 16, vocabSize: 10, puzzleEmbNdim: 64, numPuzzleIdentifiers: 5, hCycles: 2, lCycles: 2,
  hLayers: 2, lLayers: 2, hiddenSize: 64, expansion: 4, numHeads: 2, haltMaxSteps: 3, haltExplorationProb: 0.5,
  posEncodings: 'rope', forwardDtype: 'float32', lossType: 'stablemax_cross_entropy',
};

/** Optimizer settings and the seed shared with the Python side. */
export const LR = 1e-3;
export const WD = 0.1;
export const PE_LR = 1e-2;
export const PE_WD = 0.1;
export const SEED = 123;

/** A batch with about 20% ignored labels; odd seeds also get one row that is entirely ignored. */
export function makeBatch(cfg: Pick<ht.HRMConfig, 'batchSize' | 'seqLen' | 'vocabSize'>, seed: number): ht.HRMBatch {
  ht.manualSeed(seed);
  const labels = ht.randint(0, cfg.vocabSize, [cfg.batchSize, cfg.seqLen], { dtype: 'int32' });
  // Some ignored positions, and one row that is entirely ignored in the second batch.
  const ignore = ht.rand([cfg.batchSize, cfg.seqLen]).lt(0.2);
  if (seed % 2 === 1) ignore.select(0, 1).fill_(true);
  return {
    inputs: ht.randint(0, cfg.vocabSize, [cfg.batchSize, cfg.seqLen], { dtype: 'int32' }),
    labels: labels.maskedFill(ignore, -100),
    puzzleIdentifiers: ht.tensor([0, 3, 3, 1], { dtype: 'int32' }),
  };
}

/** Runs the segments in TypeScript (an HRM or a TRM, each with its loss head), collecting the same named outputs the Python job writes. */
export function runTs(model: ht.HRM | ht.TRM, batches: ht.HRMBatch[], job: Job): Map<string, ht.Tensor> {
  const out = new Map<string, ht.Tensor>();
  const keep = (k: string, t: ht.Tensor) => out.set(k, t.detach().clone().keep());
  const head = model instanceof ht.TRM ? new ht.TRMLossHead(model) : new ht.ACTLossHead(model);
  model.train(job.train);
  const adam = new ht.AdamATan2(model.parameters(), { lr: LR, weightDecay: WD, betas: [0.9, 0.95] });
  const sparse = model.inner.puzzleEmb ? new ht.SparseEmbeddingSignSGD(model.inner.puzzleEmb, { lr: PE_LR, weightDecay: PE_WD }) : undefined;
  ht.manualSeed(SEED);
  let carry = ht.scope(() => model.initialCarry(batches[0]));
  for (let k = 0; k < job.segments; k++) {
    const next = ht.scope(() => {
      const r = head.forward(carry, batches[k % batches.length]);
      const p = `s${k}.`;
      keep(p + 'logits', r.outputs.logits);
      keep(p + 'q_halt_logits', r.outputs.qHaltLogits);
      keep(p + 'q_continue_logits', r.outputs.qContinueLogits);
      if (r.outputs.targetQContinue) keep(p + 'target_q_continue', r.outputs.targetQContinue);
      keep(p + 'loss', r.loss);
      for (const [name, v] of Object.entries(r.metrics)) keep(`${p}metric.${name}`, v as ht.Tensor);
      // carry.z_H, carry.z_L, carry.steps, ...: the carry's names are the reference's
      for (const [name, t] of Object.entries(ht.hrm.carryTensors(r.carry))) keep(`${p}carry.${name}`, t);
      if (job.optimize) {
        r.loss.div(model.config.batchSize).backward();
        for (const [name, prm] of model.inner.namedParameters()) {
          const g = prm.grad;
          if (g) keep(`${p}grad.${name}`, g);
        }
        if (model.inner.puzzleEmb) {
          const g = model.inner.puzzleEmb.localWeights.grad;
          if (g) keep(`${p}grad.puzzle_emb.local_weights`, g);
        }
        sparse?.step();
        adam.step();
        sparse?.zeroGrad();
        adam.zeroGrad();
        for (const [name, prm] of model.inner.namedParameters()) keep(`${p}param.${name}`, prm);
        if (model.inner.puzzleEmb) keep(`${p}param.puzzle_emb.weights`, model.inner.puzzleEmb.weights);
      }
      return r.carry;
    });
    ht.hrm.disposeCarry(carry);
    carry = next;
  }
  ht.hrm.disposeCarry(carry);
  adam.dispose();
  sparse?.dispose();
  return out;
}

/** max |a - e| / max |e| (or the absolute difference where e is all zero). */
export function relErr(a: ht.Tensor, e: ht.Tensor): number {
  return ht.scope(() => {
    const diff = Number(a.to('float64').sub(e.to('float64')).abs().max().item());
    const scale = Number(e.to('float64').abs().max().item());
    return scale === 0 ? diff : diff / scale;
  });
}

/** A tiny HRM config (2 rows of 8 tokens, width 16) for quick structural tests. */
export const TINY: Partial<ht.HRMConfig> = {
  batchSize: 2, seqLen: 8, vocabSize: 6, puzzleEmbNdim: 16, numPuzzleIdentifiers: 3, hCycles: 1, lCycles: 2,
  hLayers: 1, lLayers: 1, hiddenSize: 16, expansion: 2, numHeads: 2, haltMaxSteps: 2,
};

/**
 * Builds a tiny 4x4 Sudoku dataset under `dir`/ds (reference format) from generated puzzles:
 * `train` training and `test` test puzzles; with `blanks`, each question keeps only its first
 * `blanks` blank cells (the rest filled from the solution: an easy task). Returns the dataset root.
 */
export function buildTinySudokuData(dir: string, counts: { train: number; test: number; blanks?: number }): string {
  const rows = (n: number, offset: number) =>
    Array.from({ length: n }, (_, i) => {
      const g = generateSudoku({ box: { rows: 2, cols: 2 }, seed: offset + i });
      let blank = 0;
      const question = counts.blanks === undefined ? g.puzzle : g.puzzle.map((v, j) => (v !== 0 || blank++ < counts.blanks! ? v : g.solution[j]));
      return { source: 'generated', question, answer: g.solution, rating: g.rating };
    });
  writeSudokuCsv(path.join(dir, 'train.csv'), rows(counts.train, 0));
  writeSudokuCsv(path.join(dir, 'test.csv'), rows(counts.test, 1000));
  const root = path.join(dir, 'ds');
  buildSudokuDataset({ inputs: [path.join(dir, 'train.csv')], testInputs: [path.join(dir, 'test.csv')], outputDir: root, numAug: 1, seed: 0 });
  return root;
}

/**
 * `n` training steps (ACT loss head, backward, the sparse and the dense optimizer) on one
 * random batch (seed 5) with labels in [minLabel, vocabSize); returns each step's loss.
 */
export function trainSteps(model: ht.HRM, opt: ht.AdamATan2, sparse: ht.SparseEmbeddingSignSGD | undefined, n: number, minLabel = 0): number[] {
  const c = model.config;
  const head = new ht.ACTLossHead(model);
  const losses: number[] = [];
  ht.manualSeed(5);
  const batch = {
    inputs: ht.randint(0, c.vocabSize, [c.batchSize, c.seqLen], { dtype: 'int32' }),
    labels: ht.randint(minLabel, c.vocabSize, [c.batchSize, c.seqLen], { dtype: 'int32' }),
    puzzleIdentifiers: ht.tensor(Array.from({ length: c.batchSize }, (_, i) => (2 * i) % c.numPuzzleIdentifiers), { dtype: 'int32' }),
  };
  let carry = model.initialCarry(batch);
  for (let i = 0; i < n; i++) {
    const next = ht.scope(() => {
      const r = head.forward(carry, batch);
      r.loss.div(c.batchSize).backward();
      sparse?.step();
      opt.step();
      sparse?.zeroGrad();
      opt.zeroGrad();
      losses.push(Number(r.loss.item()));
      return r.carry;
    });
    ht.hrm.disposeCarry(carry);
    carry = next;
  }
  ht.hrm.disposeCarry(carry);
  for (const t of Object.values(batch)) t.dispose();
  return losses;
}

/** What {@link referenceParity} gives back: both sides' outputs by name, and the Python's parameter count. */
export interface ParityRun {
  ours: Map<string, ht.Tensor>;
  theirs: Record<string, ht.Tensor>;
  numParams: number;
}

/**
 * Writes the model's weights and the batches, runs `script` (hrm_ref.py or trm_ref.py) on the
 * job, runs the same segments in TypeScript, and returns both sides' outputs (the caller disposes them).
 */
export function referenceParity(model: ht.HRM | ht.TRM, referenceConfig: object, batches: ht.HRMBatch[], job: Job, script: string, dir: string): ParityRun {
  const weights = path.join(dir, 'w.safetensors');
  ht.saveSafetensors(weights, Object.fromEntries(model.inner.stateDict()));
  const batchFiles = batches.map((b, i) => {
    const f = path.join(dir, `b${i}.safetensors`);
    ht.saveSafetensors(f, { inputs: b.inputs, labels: b.labels, puzzle_identifiers: b.puzzleIdentifiers });
    return f;
  });
  const output = path.join(dir, 'out.safetensors');
  const jobFile = path.join(dir, 'job.json');
  fs.writeFileSync(
    jobFile,
    JSON.stringify({
      config: referenceConfig, weights, batches: batchFiles, segments: job.segments, train: job.train, seed: SEED,
      optimize: job.optimize, lr: LR, weight_decay: WD, betas: [0.9, 0.95], puzzle_emb_lr: PE_LR, puzzle_emb_weight_decay: PE_WD,
      threads: 1, output,
    }),
  );
  const r = spawnSync(referencePython()!, [path.join(__dirname, '..', 'reference', script), jobFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr}`);
  const numParams = (JSON.parse(r.stdout.trim().split('\n').pop()!) as { num_params: number }).num_params;
  const ours = runTs(model, batches, job);
  return { ours, theirs: ht.loadSafetensors(output).tensors, numParams };
}

/** The outputs present on one side only, or differing by more than `tolerance(key)` in relative error (empty when all agree). */
export function parityFailures(run: ParityRun, tolerance: (key: string) => number): string[] {
  const failures: string[] = [];
  for (const k of new Set([...run.ours.keys(), ...Object.keys(run.theirs)])) {
    const a = run.ours.get(k);
    const e = run.theirs[k];
    if (!a || !e) {
      failures.push(`${k}: ${a ? 'missing in PyTorch' : 'missing in TypeScript'}`);
      continue;
    }
    if (JSON.stringify(a.shape) !== JSON.stringify(e.shape)) {
      failures.push(`${k}: shape [${a.shape}] vs [${e.shape}]`);
      continue;
    }
    const err = relErr(a, e);
    const tol = tolerance(k);
    if (!(err <= tol)) failures.push(`${k}: relative error ${err.toExponential(2)} > ${tol}`);
  }
  return failures;
}
