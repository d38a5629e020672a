/**
 * `hrm eval`: a checkpoint on a dataset's test split, at one or more halt limits (inference-time
 * scaling), with halting statistics and, for ARC, voting over the augmented versions.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { ARC_AUGMENTATIONS_FILE } from '../data/arc';
import { PuzzleDataset } from '../data/format';
import { ArcVoter } from '../eval/arc-vote';
import { EvalResult, evaluate } from '../eval/evaluate';
import { inferenceScaling } from '../eval/scaling';
import { writeEvaluation } from '../report/evaluation';
import { writeRunIndex } from '../report/run-index';
import { writeScaling } from '../report/scaling';
import { ACTModel } from '../models/kinds';
import { Device, checkDevice } from '../tensor/dtype';
import { MAX_HALT_STEPS } from '../models/hrm/config';
import { invalidArgument } from '../util/errors';
import { ProgressBar, formatPercent } from '../util/progress';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { CHECKPOINT_CHOICE_HELP, Command, dataSizesOf, openCheckpoint, requireSplit, resolveCheckpoint, runFolderOf } from './common';

const EVAL_HELP = `hrm eval --checkpoint FILE|RUN_DIR [--best] --data DIR [--halt-max-steps N] [--adaptive] [--scaling 1,2,4,8,16] [--max-examples N] [--output DIR]
          [--device cpu|cuda] [--config all_config.yaml]
  Evaluates on DIR/test: exact and token accuracy, halting statistics, accuracy against steps;
  every puzzle runs the step limit, or with --adaptive stops when its Q head says halt (with
  continuous batching: a puzzle that halts leaves the batch and the next one takes its place, so
  the metrics are every puzzle's at its halting step);
  ARC datasets also get pass@1/pass@2 with inverse augmentation and voting. --scaling measures
  inference-time scaling: exact accuracy at each step limit with fixed and with adaptive (Q-head)
  halting, written as scaling.json and scaling.svg into the run folder's eval/ (or --output).
  Step limits (--halt-max-steps, --scaling) are integers from 1 to ${MAX_HALT_STEPS}. A reference
  (torch.save) checkpoint takes its architecture from the all_config.yaml next to it (or --config)
  and its data sizes from DIR.
${CHECKPOINT_CHOICE_HELP}`;

/** How one evaluation pass runs. */
interface EvalRun {
  dataRoot: string;
  haltMaxSteps: number;
  adaptive: boolean;
  maxExamples?: number;
  device: Device;
}

/** Evaluates once at one halt limit and prints the metrics of every test set (and ARC's pass@K). */
function evaluateAt(model: ACTModel, run: EvalRun): EvalResult {
  const { dataRoot, haltMaxSteps, adaptive } = run;
  const data = new PuzzleDataset({ dir: path.join(dataRoot, 'test'), mode: 'test', batchSize: model.config.batchSize });
  const voter = fs.existsSync(path.join(dataRoot, ARC_AUGMENTATIONS_FILE)) ? new ArcVoter(dataRoot) : undefined;
  const what = `${haltMaxSteps} steps${adaptive ? ', adaptive' : ''}`;
  let bar: ProgressBar | undefined;
  let r: EvalResult;
  try {
    r = evaluate(model, data, {
      haltMaxSteps,
      continuous: adaptive,
      maxExamples: run.maxExamples,
      device: run.device,
      onProgress: (done, total) => (bar ??= new ProgressBar(`eval (${what})`, total)).update(done),
      onPredictions: voter
        ? (p) => voter.addBatch({ puzzleIdentifiers: p.batch.puzzleIdentifiers, inputs: p.batch.inputs, predictions: p.predictions, qHaltLogits: p.qHaltLogits })
        : undefined,
    });
  } finally {
    data.close();
  }
  for (const [set, m] of Object.entries(r.sets)) {
    console.log(
      `[${set}] halt limit ${haltMaxSteps}${adaptive ? ' (adaptive)' : ''}: exact accuracy ${formatPercent(m.exact_accuracy, 2)}, token accuracy ${formatPercent(m.accuracy, 2)}, mean steps ${m.steps.toFixed(2)}, q_halt accuracy ${formatPercent(m.q_halt_accuracy)} over ${m.count} examples`,
    );
    console.log(`  exact accuracy if stopped after step k: ${r.exactAccuracyAtStep[set].map((v, i) => `${i + 1}:${formatPercent(v)}`).join(' ')}`);
    console.log(`  rows halted at step k: ${r.haltedAtStep[set].map((v, i) => `${i + 1}:${v}`).join(' ')}`);
  }
  if (voter) {
    const s = voter.score();
    console.log(`  ARC (${s.tasks} tasks): pass@1 ${formatPercent(s.passAtK[1], 2)}, pass@2 ${formatPercent(s.passAtK[2], 2)} (partial credit: ${formatPercent(s.passAtKPartial[2], 2)})`);
  }
  return r;
}

function evalCheckpoint(args: ParsedArgs): number {
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const best = o.flag('best');
  const dataRoot = o.requireString('data');
  const scalingText = o.string('scaling');
  const scaling = o.list('scaling').map((w) => (/^\d+$/.test(w) ? Number(w) : NaN));
  if (scalingText !== undefined && (!scaling.length || !scaling.every((n) => Number.isInteger(n) && n >= 1 && n <= MAX_HALT_STEPS))) {
    throw invalidArgument(`--scaling must be step limits separated by commas, each an integer from 1 to ${MAX_HALT_STEPS} (e.g. 1,2,4,8,16), got '${scalingText}'`);
  }
  const haltMaxSteps = o.int('halt-max-steps', undefined, { min: 1, max: MAX_HALT_STEPS });
  const adaptive = o.flag('adaptive');
  const maxExamples = o.int('max-examples', undefined, { min: 1 });
  const device = checkDevice(o.string('device', 'cpu'), '--device');
  const output = o.string('output');
  const config = o.string('config');
  o.rejectUnknown('eval');
  rejectExtraWords('hrm eval', args);
  if (scalingText !== undefined && (haltMaxSteps !== undefined || adaptive)) throw invalidArgument('--scaling measures fixed and adaptive halting at its own limits; it takes no --halt-max-steps or --adaptive');
  const checkpoint = resolveCheckpoint(checkpointPath, { best });
  requireSplit('hrm eval', dataRoot, 'test', 'the dataset has no test split to evaluate on');
  const model = openCheckpoint(checkpoint, { device, config, sizes: () => dataSizesOf(dataRoot) });
  try {
    if (scaling.length) {
      const openData = () => new PuzzleDataset({ dir: path.join(dataRoot, 'test'), mode: 'test', batchSize: model.config.batchSize });
      const result = inferenceScaling(model, openData, {
        limits: scaling,
        maxExamples,
        device,
        onEvaluation: (halting, limit, r) => console.log(`evaluated: ${halting} halting, limit ${limit} (${r.examples} puzzles, ${r.seconds.toFixed(1)} s)`),
      });
      console.log(`inference-time scaling (trained with ${result.trainedMaxSteps} steps; exact accuracy, mean steps used):`);
      for (const p of result.points) console.log(`  [${p.set}] ${p.halting.padEnd(8)} limit ${String(p.maxSteps).padStart(3)}: exact ${formatPercent(p.exactAccuracy, 2)}, mean steps ${p.meanSteps.toFixed(2)}`);
      console.log(`scaling: ${writeScaling(output ?? path.join(runFolderOf(checkpoint), 'eval'), result)}`);
    } else {
      const limit = haltMaxSteps ?? model.config.haltMaxSteps;
      const r = evaluateAt(model, { dataRoot, haltMaxSteps: limit, adaptive, maxExamples, device });
      console.log(`evaluation: ${writeEvaluation(output ?? path.join(runFolderOf(checkpoint), 'eval'), { checkpoint, haltMaxSteps: limit, adaptive }, r)}`);
    }
    if (!output) console.log(`run index: ${writeRunIndex(runFolderOf(checkpoint))}`);
  } finally {
    model.dispose();
  }
  return 0;
}

/** `hrm eval`: evaluates a checkpoint (see its help). */
export const evalCommand: Command = { help: EVAL_HELP, run: evalCheckpoint };
