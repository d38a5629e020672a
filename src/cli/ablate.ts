/**
 * `hrm ablate`: the ablation harness (analysis/ablation.ts) from the command line: a task's CPU
 * preset (with key=value overrides) as the shared budget, the variants and seeds to run, a table.
 * @module
 */
import * as path from 'path';
import { ABLATION_VARIANTS, AblationBase, formatAblationTable, runAblation } from '../analysis/ablation';
import { PRESETS, Task } from '../train/presets';
import { trainingProgress } from '../train/progress';
import { writeFileAtomic } from '../util/atomic';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, requireSplit } from './common';
import { applyOverrides } from './presets';

const ABLATE_HELP = `hrm ablate --task sudoku|maze|arc|custom --data DIR [--variants ${ABLATION_VARIANTS.map((v) => v.name).join(',')}]
           [--seeds 3 | --seeds 0,1,2] [--output DIR] [--threads N] [key=value ...]
  Trains every variant with every seed on the same data, with the same budget (the task's cpu
  preset with the key=value overrides: epochs=4 globalBatchSize=64 ...), evaluates each on the
  held-out split with every row running its haltMaxSteps, and prints held-out exact accuracy
  (mean, spread and range over the seeds), parameters and training time. Variants:
${ABLATION_VARIANTS.map((v) => `    ${v.name.padEnd(18)} ${v.description}`).join('\n')}
  Each run has its folder in --output (default runs/ablate-<task>); a finished run is not trained
  again, so running the same command after an interruption continues it. Writes ablation.json and
  ablation.md there.`;

async function ablate(args: ParsedArgs): Promise<number> {
  const o = new Options(args.options);
  const task = o.requireString('task') as Task;
  if (!Object.hasOwn(PRESETS, task)) throw invalidArgument(`--task must be one of ${Object.keys(PRESETS).join(', ')}, got '${task}'`);
  const dataPath = o.requireString('data');
  const variants = o.list('variants');
  const seedsOption = o.string('seeds', '3')!;
  const outputDir = o.string('output') ?? path.join('runs', `ablate-${task}`);
  const threads = o.int('threads', undefined, { min: 1 });
  o.rejectUnknown('ablate');
  rejectExtraWords('hrm ablate', args, true);
  const seeds = /^\d+$/.test(seedsOption) ? Array.from({ length: Number(seedsOption) }, (_, i) => i) : seedsOption.split(',').map((s) => Number(s.trim()));
  if (!seeds.length || !seeds.every((s) => Number.isInteger(s) && s >= 0)) throw invalidArgument(`--seeds must be a count (3) or a list of integers >= 0 (0,1,2), got '${seedsOption}'`);
  requireSplit('hrm ablate', dataPath, 'test', 'every variant is scored on the held-out split');
  const { dataPath: _presetData, seed: _seed, resume: _resume, ...preset } = applyOverrides(PRESETS[task].cpu, args.overrides);
  const base: AblationBase = { ...preset, ...(threads ? { threads } : {}) };
  const progress = trainingProgress();
  const result = await runAblation({
    dataPath, outputDir, base, variants: variants.length ? variants : undefined, seeds,
    onProgress: (e) => (e.kind === 'step' || e.kind === 'eval' ? progress(e) : undefined),
    onRun: (e) => {
      if (e.kind === 'start') process.stderr.write(`\nhrm ablate: ${e.variant}, seed ${e.seed}\n`);
      else process.stderr.write(`hrm ablate: ${e.variant}, seed ${e.seed}: held-out exact ${(100 * e.result!.exactAccuracy).toFixed(1)}%${e.kind === 'skipped' ? ' (done earlier)' : `, ${e.result!.seconds.toFixed(0)} s`}\n`);
    },
  });
  const table = formatAblationTable(result.summary);
  writeFileAtomic(path.join(outputDir, 'ablation.json'), JSON.stringify({ task, dataPath, base, seeds, ...result }, null, 2) + '\n');
  writeFileAtomic(path.join(outputDir, 'ablation.md'), `${table}\n`);
  console.log(table);
  return 0;
}

/** `hrm ablate`: the same data, budget and seeds for HRM and its ablations (see its help). */
export const ablateCommand: Command = { help: ABLATE_HELP, run: ablate };
