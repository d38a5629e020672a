/**
 * Learning benchmark: does the SDK learn as well and as fast as PyTorch? The demo task (4x4 Sudoku)
 * trained from scratch on the CPU, once with the SDK's Trainer and once with the Python PyTorch HRM
 * of the parity tests, on the very same dataset folder, with the same configuration and threads.
 *
 *   npx tsc -p tsconfig.build.json
 *   node dist/bench/learning.js [--threads N] [--json out.json] [--python PATH]
 *                               [--epochs 32] [--eval-interval 8] [--clues 10] [--keep]
 *                               [--seed 0] [--skip-python]
 *
 * Task and configuration (examples/demo.ts): 3000 training and 300 held-out 4x4 puzzles with a
 * unique solution and 10 givens each (generated exactly like the demo's `puzzles()`), HRM with
 * hidden 64, 4 heads, expansion 4, 2+2 layers, 2x2 cycles, haltMaxSteps 4, no puzzle embedding,
 * float32; batch 64; AdamATan2 lr 2e-3 with 50 linear warmup steps then constant, weight decay 0.1,
 * betas (0.9, 0.95); 32 epochs = 1500 optimizer steps (one ACT segment per row per step, the carry
 * persists across steps). The held-out exact accuracy (every cell right, haltMaxSteps segments,
 * a fresh carry per batch) is measured before training and after every evalInterval epochs.
 *
 * SDK side: `Trainer` (src/train/trainer.ts) as the demo uses it, evalInterval 8 (so it evaluates
 * at steps 375, 750, 1125, 1500; the pass boundaries change only which shuffles feed the batches).
 * It also writes a checkpoint and the HTML report after each pass, as in real use (counted in
 * its wall time; the evaluations are timed separately).
 *
 * PyTorch side: bench/learning_ref.py, which builds test/reference/hrm_ref.py's model
 * (`build_model`), and trains it with the reference's AdamATan2 and lr_schedule in run_job's call
 * sequence (loss head, backward of loss / B, optimizer step, grads set to None), with the same
 * loader semantics (per pass: one permutation per epoch with numpy, concatenated, cut into batches
 * of 64, the partial batch at the end of the pass dropped), the same persistent carry, the same
 * evaluation steps and the same evaluation procedure. Its initialisation and batch order come from
 * its own random streams, so its curve is expected to be similar, not identical.
 *
 * Reported: a markdown table of the train lm_loss (the per-step loss head's lm_loss / batch size,
 * averaged over the 50 steps ending at each listed step) and the held-out exact accuracy of both
 * sides, the wall times, and with --json every step's loss and every evaluation.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ht from '../src';
import { exitWithUsage, parseFlags } from './flags';
import { benchFile, loadAverage, log, machineInfo, mdTable, resolvePython, runMain, torchVersionOfSdk, writeJsonReport } from './harness';
import { Rng } from '../src/data/random';
import { buildSudokuDataset, generateSudoku, writeSudokuCsv } from '../src/data/sudoku';
import { toReferenceConfig } from '../src/models/hrm/config';
import { Trainer } from '../src/train/trainer';

const REF_SCRIPT = benchFile('learning_ref.py');

const TRAIN = 3000;
const TEST = 300;
const BATCH = 64;
const LR = 2e-3;
const WARMUP = 50;
const WD = 0.1;
const BETAS: [number, number] = [0.9, 0.95];
const LOG_EVERY = 50;
const ARCH = { hiddenSize: 64, numHeads: 4, expansion: 4, hLayers: 2, lLayers: 2, hCycles: 2, lCycles: 2, haltMaxSteps: 4, puzzleEmbNdim: 0 };

interface Options {
  threads: number;
  json?: string;
  python: string;
  epochs: number;
  evalInterval: number;
  clues: number;
  keep: boolean;
  skipPython: boolean;
  /** seeds the model initialisation, the batch order and the exploration draws (each side its own streams) */
  seed: number;
}

function usage(): never {
  return exitWithUsage(
    'usage: node dist/bench/learning.js [--threads N] [--json out.json] [--python PATH] [--epochs 32] [--eval-interval 8] [--clues 10] [--seed 0] [--keep] [--skip-python]',
  );
}

function parseArgs(argv: string[]): Options {
  const o: Omit<Options, 'python'> & { python?: string } = { threads: 2, epochs: 32, evalInterval: 8, clues: 10, keep: false, skipPython: false, seed: 0 };
  parseFlags(
    argv,
    {
      '--threads': (v) => (o.threads = v.positiveInteger()),
      '--json': (v) => (o.json = v.string()),
      '--python': (v) => (o.python = v.string()),
      '--epochs': (v) => (o.epochs = v.positiveInteger()),
      '--eval-interval': (v) => (o.evalInterval = v.positiveInteger()),
      '--clues': (v) => (o.clues = v.positiveInteger()),
      '--seed': (v) => {
        o.seed = Number(v.string());
        if (!Number.isInteger(o.seed) || o.seed < 0) usage();
      },
      '--keep': () => (o.keep = true),
      '--skip-python': () => (o.skipPython = true),
    },
    usage,
  );
  if (o.epochs % o.evalInterval !== 0) {
    console.error(`--epochs (${o.epochs}) must be a multiple of --eval-interval (${o.evalInterval})`);
    usage();
  }
  if (o.clues > 16) usage();
  return { ...o, python: resolvePython(o.python) };
}

// ------------------------------------------------------------------------------ data (as examples/demo.ts)

/** A unique-solution 4x4 puzzle with exactly `clues` givens (a minimal puzzle plus extra givens). */
function puzzles(n: number, seed: number, clues: number) {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const g = generateSudoku({ box: { rows: 2, cols: 2 }, seed: seed * 1_000_003 + i });
    const q = Uint8Array.from(g.puzzle);
    const blanks = rng.shuffle([...q.keys()].filter((k) => q[k] === 0));
    for (const k of blanks.slice(0, Math.max(0, clues - (16 - blanks.length)))) q[k] = g.solution[k];
    return { source: 'generated-4x4', question: q, answer: g.solution, rating: g.rating };
  });
}

// ------------------------------------------------------------------------------ results

/** One side's run, in the same shape as bench/learning_ref.py's JSON. */
interface SideResult {
  steps: number;
  /** lm_loss / batch size of every step (index 0 = step 1) */
  lm_loss: number[];
  /** total loss (lm + 0.5 (q_halt + q_continue)) / batch size of every step */
  loss: number[];
  /** every LOG_EVERY steps: the step's lm_loss and its mean over the LOG_EVERY steps ending there */
  curve: { step: number; lm_loss: number; lm_loss_mean: number; train_exact: number }[];
  evals: { step: number; exact_accuracy: number; accuracy: number; count: number; seconds: number; elapsed_s: number }[];
  /** wall time of the whole training run (evaluations included), of the evaluations, of the rest */
  wall_s: number;
  eval_s: number;
  train_s: number;
  num_params: number;
  threads: number;
  [k: string]: unknown;
}

function curveOf(lm: number[], trainExact: number[]): SideResult['curve'] {
  const out: SideResult['curve'] = [];
  for (let s = LOG_EVERY; s <= lm.length; s += LOG_EVERY) {
    const w = lm.slice(s - LOG_EVERY, s);
    const e = trainExact.slice(s - LOG_EVERY, s).filter((x) => Number.isFinite(x));
    out.push({
      step: s,
      lm_loss: lm[s - 1],
      lm_loss_mean: w.reduce((a, b) => a + b, 0) / w.length,
      train_exact: e.length ? e.reduce((a, b) => a + b, 0) / e.length : NaN,
    });
  }
  return out;
}

// ------------------------------------------------------------------------------ the SDK side

async function runSdk(opts: Options, dataDir: string, runDir: string): Promise<SideResult & { config: ht.HRMConfig }> {
  const lm: number[] = [];
  const loss: number[] = [];
  const trainExact: number[] = [];
  const evals: SideResult['evals'] = [];
  let started = 0;
  let lastLog = Date.now();
  const trainer = new Trainer({
    dataPath: dataDir,
    outputDir: runDir,
    arch: ARCH,
    globalBatchSize: BATCH,
    epochs: opts.epochs,
    evalInterval: opts.evalInterval,
    lr: LR,
    lrWarmupSteps: WARMUP,
    weightDecay: WD,
    beta1: BETAS[0],
    beta2: BETAS[1],
    seed: opts.seed,
    threads: opts.threads,
    onProgress: (e) => {
      if (e.kind !== 'step' || !e.metrics) return;
      const m = e.metrics;
      lm.push(m.lm_loss);
      loss.push(m.lm_loss + 0.5 * (m.q_halt_loss + (m.q_continue_loss ?? 0)));
      trainExact.push(m.count > 0 ? m.exact_accuracy : NaN);
      if (Date.now() - lastLog > 15000 || e.step === e.totalSteps) {
        lastLog = Date.now();
        log(`  SDK step ${e.step}/${e.totalSteps}: lm_loss ${m.lm_loss.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      }
    },
  });
  // The evaluations, timed (the Trainer calls this.evaluate after each pass).
  const evaluate = trainer.evaluate.bind(trainer);
  trainer.evaluate = (step: number) => {
    const t0 = Date.now();
    const r = evaluate(step);
    const seconds = (Date.now() - t0) / 1000;
    const all = r?.sets.all;
    if (all) {
      evals.push({ step, exact_accuracy: all.exact_accuracy, accuracy: all.accuracy, count: all.count, seconds, elapsed_s: started ? (Date.now() - started) / 1000 : 0 });
      log(`  SDK held-out @ step ${step}: exact ${(all.exact_accuracy * 100).toFixed(1)}%, token ${(all.accuracy * 100).toFixed(1)}% (${seconds.toFixed(1)} s)`);
    }
    return r;
  };
  const numParams = trainer.model.parameterCount();
  log(`SDK: ${numParams.toLocaleString()} parameters, ${trainer.totalSteps} steps, ${ht.getNumThreads()} threads`);
  fs.mkdirSync(runDir, { recursive: true });
  trainer.evaluate(0); // before training (eval mode draws no random numbers: training is unaffected)
  started = Date.now();
  const result = await trainer.run();
  const wall = (Date.now() - started) / 1000;
  const evalS = evals.filter((e) => e.step > 0).reduce((a, e) => a + e.seconds, 0);
  const config = trainer.config as ht.HRMConfig; // this benchmark trains HRMs
  trainer.dispose();
  if (result.interrupted) throw new Error('the SDK run was interrupted');
  return {
    steps: result.step,
    lm_loss: lm,
    loss,
    curve: curveOf(lm, trainExact),
    evals,
    wall_s: wall,
    eval_s: evalS,
    train_s: wall - evalS,
    num_params: numParams,
    threads: ht.getNumThreads(),
    config,
  };
}

// ------------------------------------------------------------------------------ the PyTorch side

function runPython(opts: Options, dataDir: string, config: ht.HRMConfig, evalSteps: number[]): SideResult & Record<string, unknown> {
  const req = {
    data: dataDir,
    config: toReferenceConfig(config),
    batch_size: BATCH,
    epochs: opts.epochs,
    eval_interval: opts.evalInterval,
    eval_steps: evalSteps,
    lr: LR,
    warmup_steps: WARMUP,
    lr_min_ratio: 1.0,
    weight_decay: WD,
    betas: BETAS,
    seed: opts.seed,
    threads: opts.threads,
    log_every: LOG_EVERY,
  };
  const r = spawnSync(opts.python, [REF_SCRIPT, JSON.stringify(req)], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 256 << 20, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`bench/learning_ref.py exited with ${r.status ?? r.signal}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as SideResult & Record<string, unknown>;
}

// ------------------------------------------------------------------------------ main

const pct = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : `${(x * 100).toFixed(1)}%`);
const num4 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(4));

function table(sdk: SideResult, py?: SideResult): string {
  const steps = new Set<number>();
  for (const c of sdk.curve) steps.add(c.step);
  for (const e of sdk.evals) steps.add(e.step);
  for (const c of py?.curve ?? []) steps.add(c.step);
  for (const e of py?.evals ?? []) steps.add(e.step);
  const bold = (x: string) => (x ? `**${x}**` : x);
  const rows = [...steps]
    .sort((a, b) => a - b)
    .map((s) => {
      const c1 = sdk.curve.find((c) => c.step === s);
      const c2 = py?.curve.find((c) => c.step === s);
      const e1 = sdk.evals.find((e) => e.step === s);
      const e2 = py?.evals.find((e) => e.step === s);
      return [String(s), num4(c1?.lm_loss_mean), num4(c2?.lm_loss_mean), bold(pct(e1?.exact_accuracy)), bold(pct(e2?.exact_accuracy))];
    });
  return mdTable(['step', 'SDK train lm_loss', 'PyTorch train lm_loss', 'SDK held-out exact', 'PyTorch held-out exact'], rows, {
    pad: false,
    align: ['right', 'right', 'right', 'right', 'right'],
  });
}

function timesTable(sdk: SideResult, py?: SideResult): string {
  const row = (name: string, r?: SideResult) =>
    r
      ? [
          name,
          String(r.steps),
          `${r.wall_s.toFixed(1)} s`,
          `${r.train_s.toFixed(1)} s`,
          `${((r.train_s / r.steps) * 1000).toFixed(1)} ms`,
          `${r.eval_s.toFixed(1)} s`,
          pct(r.evals[r.evals.length - 1]?.exact_accuracy),
        ]
      : [name, '(not run)', '', '', '', '', ''];
  return mdTable(
    ['side', 'steps', 'wall time (training + evaluations)', 'training', 'per step', 'evaluations', 'final held-out exact'],
    [row('SDK (hrm-torch)', sdk), row('PyTorch (hrm_ref.py)', py)],
    { pad: false },
  );
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const loadBefore = loadAverage();
  ht.setNumThreads(opts.threads);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrm-learning-'));
  const dataDir = path.join(tmp, 'data');
  try {
    // Data, exactly like the demo.
    const train = puzzles(TRAIN, 1, opts.clues);
    const test = puzzles(TEST, 2, opts.clues);
    writeSudokuCsv(path.join(tmp, 'source', 'train.csv'), train);
    writeSudokuCsv(path.join(tmp, 'source', 'test.csv'), test);
    buildSudokuDataset({ inputs: [path.join(tmp, 'source', 'train.csv')], testInputs: [path.join(tmp, 'source', 'test.csv')], outputDir: dataDir });
    log(`data: ${TRAIN} training and ${TEST} held-out 4x4 puzzles with ${opts.clues} givens each (${dataDir})`);

    const sdk = await runSdk(opts, dataDir, path.join(tmp, 'run'));
    log(`SDK: ${sdk.wall_s.toFixed(1)} s`);
    let py: (SideResult & Record<string, unknown>) | undefined;
    if (!opts.skipPython) {
      log(`PyTorch: ${opts.python} ${path.relative(process.cwd(), REF_SCRIPT)}`);
      py = runPython(opts, dataDir, sdk.config, sdk.evals.map((e) => e.step));
      log(`PyTorch: ${py.wall_s.toFixed(1)} s`);
    }

    const host = machineInfo();
    const meta = {
      date: new Date().toISOString(),
      machine: host.machine,
      os: host.os,
      loadAvgBefore: loadBefore,
      loadAvgAfter: loadAverage(),
      node: process.version,
      torchSdk: torchVersionOfSdk(),
      torchPython: (py?.torch as string | undefined) ?? null,
      numpy: (py?.numpy as string | undefined) ?? null,
      python: (py?.python as string | undefined) ?? null,
      threads: { requested: opts.threads, sdk: sdk.threads, pytorch: py?.threads ?? null },
      task: {
        train: TRAIN, test: TEST, clues: opts.clues, batch: BATCH, epochs: opts.epochs, evalInterval: opts.evalInterval,
        lr: LR, warmupSteps: WARMUP, weightDecay: WD, betas: BETAS, seed: opts.seed, arch: ARCH,
      },
      wallSeconds: (Date.now() - t0) / 1000,
    };

    const out: string[] = [];
    out.push('## hrm-torch learning benchmark: 4x4 Sudoku from scratch, SDK vs PyTorch');
    out.push('');
    out.push(`- date: ${meta.date}`);
    out.push(`- machine: ${meta.machine} (${meta.os}); load average ${meta.loadAvgBefore.join(' ')} before, ${meta.loadAvgAfter.join(' ')} after`);
    out.push(`- node ${meta.node}; python ${meta.python ?? '-'}; numpy ${meta.numpy ?? '-'}`);
    out.push(`- torch: SDK ${meta.torchSdk}, PyTorch ${meta.torchPython ?? '-'}`);
    out.push(`- intra-op threads: ${opts.threads} requested; SDK ${sdk.threads}, PyTorch ${py?.threads ?? '-'}`);
    out.push(
      `- task: ${TRAIN} training / ${TEST} held-out puzzles, ${opts.clues} givens; HRM hidden 64, 4 heads, 2+2 layers, 2x2 cycles, haltMaxSteps 4, ` +
        `no puzzle embedding, float32 (${sdk.num_params.toLocaleString()} parameters${py ? `; PyTorch ${Number(py.num_params).toLocaleString()}` : ''}); ` +
        `batch ${BATCH}, AdamATan2 lr ${LR} (warmup ${WARMUP}, then constant), wd ${WD}, betas (${BETAS.join(', ')}); ${opts.epochs} epochs = ${sdk.steps} steps; seed ${opts.seed}`,
    );
    out.push('');
    out.push(table(sdk, py));
    out.push('');
    out.push(
      `Train lm_loss: the loss head's lm_loss / batch size, mean of the ${LOG_EVERY} steps ending at the step. Held-out exact: share of the ${TEST} ` +
        'held-out puzzles with every cell right after haltMaxSteps segments (a fresh carry per batch); step 0 = before training.',
    );
    out.push('');
    out.push(timesTable(sdk, py));
    console.log(out.join('\n'));

    if (opts.json) writeJsonReport(opts.json, { meta, sdk: { ...sdk, config: toReferenceConfig(sdk.config) }, pytorch: py ?? null }, 1);
  } finally {
    if (opts.keep) log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

runMain(main);
