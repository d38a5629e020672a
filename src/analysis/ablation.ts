/**
 * The ablation harness: the same data, step budget and seeds for several training recipes, each
 * trained by the one Trainer and evaluated on the same held-out split with the reference's
 * protocol (every row for its haltMaxSteps), so the recipes differ only in what they name:
 * - `hrm`: the base recipe (HRM, 1-step gradient, deep supervision with Q-learning halting);
 * - `hrm-full-backprop`: HRM with gradient through every update of the last high-level cycle;
 * - `hrm-ds1`: HRM with one supervision step per example (haltMaxSteps 1), the deep-supervision ablation;
 * - `direct`: the same parameters run once (one L and one H update, one step): "direct
 *   prediction", a plain Transformer of the same parameter count;
 * - `trm`: the Tiny Recursive Model (models/trm/) at the same width, its halting head trained on
 *   correctness only.
 * Each run writes its run folder under the output folder and, when done, a `result.json`; a run
 * whose result is there is not trained again, so an interrupted ablation continues where it stopped.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { Trainer, TrainOptions } from '../train/trainer';
import { writeFileAtomic } from '../util/atomic';
import { checkArray, checkObject, invalidArgument } from '../util/errors';
import { didYouMean } from '../util/suggest';

/** The training options every variant starts from: everything but the data and output folders. */
export type AblationBase = Omit<TrainOptions, 'dataPath' | 'outputDir' | 'resume' | 'onProgress' | 'seed'>;

/** One recipe of an ablation: a name, what it is, and how it changes the base options. */
export interface AblationVariant {
  /** the name in tables and folder names */
  name: string;
  /** one line on what it is */
  description: string;
  /** the base options changed for this recipe (the same data, budget and seed stay) */
  apply(base: AblationBase): AblationBase;
}

const withArch = (base: AblationBase, arch: NonNullable<AblationBase['arch']>): AblationBase => ({ ...base, arch: { ...(base.arch ?? {}), ...arch } });

/** The recipes the harness knows, in table order. */
export const ABLATION_VARIANTS: readonly AblationVariant[] = [
  { name: 'hrm', description: 'HRM: 1-step gradient, deep supervision, Q-learning halting (the base recipe)', apply: (b) => b },
  { name: 'hrm-full-backprop', description: 'HRM with gradient through every update of the last high-level cycle', apply: (b) => withArch(b, { backprop: 'last-cycle' }) },
  { name: 'hrm-ds1', description: 'HRM with one supervision step per example (haltMaxSteps 1)', apply: (b) => withArch(b, { haltMaxSteps: 1 }) },
  { name: 'direct', description: 'the same parameters run once: one L and one H update, one step (direct prediction)', apply: (b) => withArch(b, { hCycles: 1, lCycles: 1, haltMaxSteps: 1 }) },
  {
    name: 'trm',
    description: 'TRM at the same width: one 2-layer network, T = 3 recursions of n = 2 latent updates, backprop through the last',
    apply: (b) => {
      // TRM has one network (no H depth) and always backpropagates through its last recursion.
      const { hLayers: _h, backprop: _b, ...arch } = { ...(b.arch ?? {}) };
      return { ...b, model: 'trm', arch: { ...arch, lLayers: 2, hCycles: 3, lCycles: 2 } };
    },
  },
];

/** The variants named in `names` (all when undefined), with an error naming an unknown one. */
export function ablationVariants(names?: readonly string[]): AblationVariant[] {
  if (names === undefined) return [...ABLATION_VARIANTS];
  if (!Array.isArray(names) || names.length === 0) throw invalidArgument(`ablation variants must be a non-empty list of names (${ABLATION_VARIANTS.map((v) => v.name).join(', ')}), got ${JSON.stringify(names)}`);
  return names.map((n) => {
    const v = ABLATION_VARIANTS.find((x) => x.name === n);
    if (!v) throw invalidArgument(`unknown ablation variant '${n}'${didYouMean(String(n), ABLATION_VARIANTS.map((x) => x.name))}; known: ${ABLATION_VARIANTS.map((x) => x.name).join(', ')}`);
    return v;
  });
}

/** How {@link runAblation} runs. */
export interface AblationOptions {
  /** dataset root with train/ and test/ */
  dataPath: string;
  /** one run folder per variant and seed goes here (`<variant>-seed<k>`) */
  outputDir: string;
  /** the options every variant starts from (the budget: epochs, batch size, lr schedule) */
  base: AblationBase;
  /** variant names (default: all of {@link ABLATION_VARIANTS}) */
  variants?: readonly string[];
  /** the seeds (initialisation and data order); default [0, 1, 2] */
  seeds?: readonly number[];
  /** called when a run starts and ends (and when one is found already done) */
  onRun?: (e: { variant: string; seed: number; kind: 'start' | 'done' | 'skipped'; result?: AblationRun }) => void;
  /** passed to each run's Trainer (per-step progress) */
  onProgress?: TrainOptions['onProgress'];
}

/** One finished run of an ablation. */
export interface AblationRun {
  /** the variant's name */
  variant: string;
  /** its seed */
  seed: number;
  /** held-out exact accuracy (fraction of puzzles with every token right) */
  exactAccuracy: number;
  /** held-out token accuracy */
  accuracy: number;
  /** trainable parameters of the model (the puzzle-embedding table excluded) */
  parameters: number;
  /** optimizer steps trained */
  steps: number;
  /** training wall time, evaluation included */
  seconds: number;
}

/** Mean, sample standard deviation, min and max over a variant's seeds. */
export interface AblationSummary {
  /** the variant's name */
  variant: string;
  /** what it is */
  description: string;
  /** the runs summarised */
  runs: number;
  /** exact accuracy: mean over seeds */
  exactMean: number;
  /** exact accuracy: sample standard deviation over seeds (0 for one run) */
  exactStd: number;
  /** exact accuracy: lowest seed */
  exactMin: number;
  /** exact accuracy: highest seed */
  exactMax: number;
  /** token accuracy: mean over seeds */
  accuracyMean: number;
  /** training seconds: mean over seeds */
  secondsMean: number;
  /** trainable parameters */
  parameters: number;
  /** optimizer steps per run */
  steps: number;
}

/** What {@link runAblation} found. */
export interface AblationResult {
  /** every run, in the order run */
  runs: AblationRun[];
  /** one line per variant, in the variants' order */
  summary: AblationSummary[];
}

const RESULT_FILE = 'result.json';

/** The held-out metrics of the first evaluated set (the 'all' set when there is one). */
function heldOut(r: Awaited<ReturnType<Trainer['run']>>, folder: string): { exact: number; accuracy: number } {
  const sets = r.lastEval?.sets ?? {};
  const m = sets.all ?? Object.values(sets)[0];
  if (!m) throw invalidArgument(`ablation: the run in ${folder} made no held-out evaluation: the dataset needs a test split`);
  return { exact: m.exact_accuracy, accuracy: m.accuracy };
}

/** Trains every variant with every seed (skipping runs already done), and summarises them. */
export async function runAblation(opts: AblationOptions): Promise<AblationResult> {
  if (!opts || typeof opts !== 'object') throw invalidArgument(`runAblation: expected options {dataPath, outputDir, base}, got ${JSON.stringify(opts)}`);
  const variants = ablationVariants(opts.variants);
  const seeds = opts.seeds ?? [0, 1, 2];
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s) && s >= 0)) throw invalidArgument(`ablation seeds must be a non-empty list of integers >= 0, got ${JSON.stringify(seeds)}`);
  if (!opts.base || typeof opts.base !== 'object') throw invalidArgument(`runAblation: options.base must be training options (epochs, globalBatchSize, lr, arch, ...), got ${JSON.stringify(opts.base)}`);
  const runs: AblationRun[] = [];
  // Seed-major order: a machine slowing down part-way affects every variant alike.
  for (const seed of seeds) {
    for (const v of variants) {
      const folder = path.join(opts.outputDir, `${v.name}-seed${seed}`);
      const resultFile = path.join(folder, RESULT_FILE);
      if (fs.existsSync(resultFile)) {
        const done = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as AblationRun;
        runs.push(done);
        opts.onRun?.({ variant: v.name, seed, kind: 'skipped', result: done });
        continue;
      }
      opts.onRun?.({ variant: v.name, seed, kind: 'start' });
      // An unfinished run of an earlier attempt is continued from its newest checkpoint.
      const resume = fs.existsSync(folder);
      const trainer = new Trainer({ ...v.apply(opts.base), seed, dataPath: opts.dataPath, outputDir: folder, resume, onProgress: opts.onProgress });
      const started = Date.now();
      try {
        const r = await trainer.run();
        if (r.interrupted) throw invalidArgument(`ablation: the run ${v.name} seed ${seed} was interrupted at step ${r.step}; run the ablation again to continue it`);
        const m = heldOut(r, folder);
        const run: AblationRun = {
          variant: v.name, seed, exactAccuracy: m.exact, accuracy: m.accuracy,
          parameters: trainer.model.parameterCount(), steps: r.step, seconds: (Date.now() - started) / 1000,
        };
        writeFileAtomic(resultFile, JSON.stringify(run, null, 2) + '\n');
        runs.push(run);
        opts.onRun?.({ variant: v.name, seed, kind: 'done', result: run });
      } finally {
        trainer.dispose();
      }
    }
  }
  return { runs, summary: summarizeAblation(runs, variants) };
}

/** Per variant: mean, spread and range of held-out exact accuracy over its seeds, and the mean time. */
export function summarizeAblation(runs: readonly AblationRun[], variants: readonly AblationVariant[] = ABLATION_VARIANTS): AblationSummary[] {
  checkArray(runs, 'summarizeAblation(): runs', 'a list of runs (AblationResult.runs)').forEach((r, i) => checkObject(r, `summarizeAblation(): runs[${i}]`, 'a run {variant, seed, exactAccuracy, ...}'));
  checkArray(variants, 'summarizeAblation(): variants', 'a list of variants (ABLATION_VARIANTS)').forEach((v, i) => checkObject(v, `summarizeAblation(): variants[${i}]`, 'a variant {name, description, apply}'));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return variants
    .map((v) => ({ v, rs: runs.filter((r) => r.variant === v.name) }))
    .filter(({ rs }) => rs.length > 0)
    .map(({ v, rs }) => {
      const ex = rs.map((r) => r.exactAccuracy);
      const m = mean(ex);
      const std = ex.length > 1 ? Math.sqrt(ex.reduce((a, x) => a + (x - m) ** 2, 0) / (ex.length - 1)) : 0;
      return {
        variant: v.name, description: v.description, runs: rs.length, exactMean: m, exactStd: std,
        exactMin: Math.min(...ex), exactMax: Math.max(...ex), accuracyMean: mean(rs.map((r) => r.accuracy)),
        secondsMean: mean(rs.map((r) => r.seconds)), parameters: rs[0].parameters, steps: rs[0].steps,
      };
    });
}

/** The summary as a Markdown table (held-out exact accuracy in %, mean ± sample std over seeds). */
export function formatAblationTable(summary: readonly AblationSummary[]): string {
  checkArray(summary, 'formatAblationTable(): summary', 'a list of summaries (AblationResult.summary)').forEach((x, i) => checkObject(x, `formatAblationTable(): summary[${i}]`, 'a summary (from summarizeAblation())'));
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    '| variant | parameters | steps | held-out exact % (mean ± std) | min-max | token acc % | train s (mean) | seeds |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...summary.map((s) => `| ${s.variant} | ${s.parameters.toLocaleString('en-US')} | ${s.steps} | ${pct(s.exactMean)} ± ${pct(s.exactStd)} | ${pct(s.exactMin)}-${pct(s.exactMax)} | ${pct(s.accuracyMean)} | ${s.secondsMean.toFixed(0)} | ${s.runs} |`),
  ];
  return lines.join('\n');
}
