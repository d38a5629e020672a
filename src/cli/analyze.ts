/**
 * `hrm analyze pr`: the participation ratio of z_H and z_L over solving trajectories, for a
 * trained checkpoint and an untrained model of the same architecture (the HRM paper's Figure 8).
 * @module
 */
import * as path from 'path';
import { PuzzleDataset } from '../data/format';
import { PRAnalysis, participationRatioAnalysis } from '../analysis/participation-ratio';
import { AnyModel, buildModel, kindOf } from '../models/kinds';
import { lineChart } from '../report/charts';
import { writeRunIndex } from '../report/run-index';
import { manualSeed } from '../tensor/creation';
import { writeFileAtomic } from '../util/atomic';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { CHECKPOINT_CHOICE_HELP, Command, dataSizesOf, openCheckpoint, requireSplit, resolveCheckpoint, runFolderOf } from './common';

const ANALYZE_HELP = `hrm analyze pr --checkpoint FILE|RUN_DIR [--best] --data DIR [--puzzles 100] [--seed 0] [--output DIR] [--config all_config.yaml]
  The participation ratio (PR) of the high-level state z_H and the low-level state z_L over the
  trajectories of up to --puzzles test puzzles, as the number of puzzles grows (10, 20, 50, 100),
  for the checkpoint and for an untrained model of the same architecture (seeded). Writes pr.json
  and pr.svg into the run folder's analysis/ (or --output). A reference (torch.save) checkpoint
  takes its architecture from the all_config.yaml next to it (or --config).
${CHECKPOINT_CHOICE_HELP}`;

/** PR against the number of puzzles: trained and untrained, z_H and z_L. */
function prChart(trained: PRAnalysis, untrained: PRAnalysis): string {
  const series = (a: PRAnalysis, key: 'zH' | 'zL', name: string, dashed: boolean) => ({ name, points: a.points.map((p) => [p.puzzles, p[key]] as [number, number]), style: 'both' as const, dashed });
  return lineChart({
    title: `participation ratio of the hidden states (D = ${trained.dims})`,
    xLabel: 'puzzles whose trajectories are pooled',
    yLabel: 'participation ratio',
    series: [series(trained, 'zH', 'z_H, trained', false), series(trained, 'zL', 'z_L, trained', false), series(untrained, 'zH', 'z_H, untrained', true), series(untrained, 'zL', 'z_L, untrained', true)],
  });
}

async function analyze(args: ParsedArgs): Promise<number> {
  const [what] = args.positional;
  if (what !== 'pr') throw invalidArgument(`hrm analyze: expected 'pr', got ${what === undefined ? 'nothing' : `'${what}'`}\n\n${ANALYZE_HELP}`);
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const best = o.flag('best');
  const dataRoot = o.requireString('data');
  const puzzles = o.int('puzzles', 100, { min: 2 })!;
  const seed = o.int('seed', 0, { min: 0 })!;
  const output = o.string('output');
  const config = o.string('config');
  o.rejectUnknown('analyze pr');
  rejectExtraWords('hrm analyze', { ...args, positional: args.positional.slice(1) });
  const checkpoint = resolveCheckpoint(checkpointPath, { best });
  requireSplit('hrm analyze', dataRoot, 'test', 'the trajectories are collected on the test split');
  const counts = [10, 20, 50, 100, puzzles].filter((n) => n <= puzzles);
  const open = (batchSize: number) => new PuzzleDataset({ dir: path.join(dataRoot, 'test'), mode: 'test', batchSize });
  const trained = openCheckpoint(checkpoint, { config, sizes: () => dataSizesOf(dataRoot) });
  manualSeed(seed);
  const fresh = buildModel(kindOf(trained), trained.config as never);
  try {
    const run = (model: AnyModel) => {
      const data = open(model.config.batchSize);
      try {
        return participationRatioAnalysis(model, data, counts);
      } finally {
        data.close();
      }
    };
    const result = { checkpoint, untrainedSeed: seed, trained: run(trained), untrained: run(fresh) };
    for (const [name, a] of [['trained', result.trained], ['untrained', result.untrained]] as const) {
      for (const p of a.points) console.log(`${name.padEnd(9)} ${String(p.puzzles).padStart(4)} puzzles: PR(z_H) ${p.zH.toFixed(2)}, PR(z_L) ${p.zL.toFixed(2)}, ratio ${(p.zH / p.zL).toFixed(2)}`);
    }
    const dir = output ?? path.join(runFolderOf(checkpoint), 'analysis');
    writeFileAtomic(path.join(dir, 'pr.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileAtomic(path.join(dir, 'pr.svg'), prChart(result.trained, result.untrained));
    console.log(`participation ratio: ${path.join(dir, 'pr.json')} (pooling: ${result.trained.pooling})`);
    if (!output) console.log(`run index: ${writeRunIndex(runFolderOf(checkpoint))}`);
  } finally {
    trained.dispose();
    fresh.dispose();
  }
  return 0;
}

/** `hrm analyze`: analyses of a trained model (see its help). */
export const analyzeCommand: Command = { help: ANALYZE_HELP, run: analyze };
