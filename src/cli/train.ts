/**
 * `hrm train`: a preset, a config file and key=value overrides -> the Trainer, with progress.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { Trainer } from '../train/trainer';
import { withTrainingReport } from '../report/training';
import { trainingProgress } from '../train/progress';
import { Device } from '../tensor/dtype';
import { cuda } from '../runtime';
import { writeFileAtomic } from '../util/atomic';
import { hrmError, invalidArgument } from '../util/errors';
import { formatTime } from '../util/progress';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, requireSplit } from './common';
import { PRESETS, PresetOptions, Task } from '../train/presets';
import { applyOverrides, mergeTrainConfig } from './presets';

const TRAIN_HELP = `hrm train --task sudoku|maze|arc --data DIR [--preset cpu|full] [--config file.json|yaml] [--output DIR]
          [--resume] [--device cpu|cuda] [--threads N] [key=value ...]
  Trains an HRM with the reference's loop. Presets: 'full' is the reference configuration for the
  task (a CUDA GPU; bf16), 'cpu' a small model that trains in minutes. A config file (our keys or
  the reference's cfg_pretrain.yaml keys, arch: {...} included) and key=value overrides
  (lr=3e-4 arch.hiddenSize=128 arch.H_cycles=3) apply on top, in that order.
  Ctrl-C saves a checkpoint; --resume continues exactly where the last checkpoint left off.`;

/** A training run as the command line describes it. */
interface TrainRequest {
  task: Task;
  preset: 'cpu' | 'full';
  config: PresetOptions;
  dataPath: string;
  outputDir: string;
  device: Device;
  resume: boolean;
  threads?: number;
}

function loadConfigFile(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  if (!parsed || typeof parsed !== 'object') throw invalidArgument(`${file}: expected an object of settings`);
  return parsed as Record<string, unknown>;
}

/** Preset, then config file, then overrides; then the options that say where and how to run. */
function trainRequest(args: ParsedArgs): TrainRequest {
  const o = new Options(args.options);
  const task = o.requireString('task') as Task;
  if (!PRESETS[task]) throw invalidArgument(`--task must be sudoku, maze or arc, got '${task}'`);
  const preset = o.string('preset', 'cpu') as 'cpu' | 'full';
  if (!PRESETS[task][preset]) throw invalidArgument(`--preset must be cpu or full, got '${preset}'`);
  let config: PresetOptions = PRESETS[task][preset];
  const configFile = o.string('config');
  if (configFile) config = mergeTrainConfig(config, loadConfigFile(configFile));
  config = applyOverrides(config, args.overrides);
  const dataPath = o.string('data') ?? config.dataPath;
  if (!dataPath) throw invalidArgument(`hrm train: --data DIR is required (build one with 'hrm data ${task} ...')`);
  requireSplit('hrm train', dataPath, 'train', `build the dataset with 'hrm data ${task} ...'`);
  const outputDir = o.string('output') ?? (config as { outputDir?: string }).outputDir ?? path.join('runs', `${task}-${preset}`);
  const device = (o.string('device') ?? config.device ?? 'cpu') as Device;
  if (device !== 'cpu' && !cuda.isAvailable()) {
    throw hrmError('CUDA_UNAVAILABLE', `hrm train: device '${device}' requested but CUDA is not available here (see 'hrm doctor'); use --device cpu, or the cpu preset`);
  }
  const request = { task, preset, config, dataPath, outputDir, device, resume: o.flag('resume'), threads: o.int('threads') };
  o.rejectUnknown('train');
  rejectExtraWords('hrm train', args, true);
  return request;
}

async function train(args: ParsedArgs): Promise<number> {
  const { task, preset, config, dataPath, outputDir, device, resume, threads } = trainRequest(args);
  // bf16 is the reference's GPU setting; on the CPU float32 is faster and as exact.
  const cpuDtype = device === 'cpu' && config.arch?.forwardDtype === 'bfloat16' ? { forwardDtype: 'float32' as const } : {};
  const trainer = new Trainer({
    ...config,
    arch: { ...(config.arch ?? {}), ...cpuDtype },
    dataPath,
    outputDir,
    device,
    resume,
    threads,
    onProgress: withTrainingReport(outputDir, trainingProgress()),
  });
  process.stderr.write(
    `hrm train: ${task} (${preset} preset), ${trainer.model.parameterCount().toLocaleString()} parameters, ${trainer.totalSteps} steps of batch ${trainer.config.batchSize}, output ${outputDir}\n`,
  );
  writeFileAtomic(path.join(outputDir, 'config.json'), JSON.stringify({ task, preset, ...config, dataPath, device, model: trainer.config }, null, 2));
  const started = Date.now();
  const r = await trainer.run();
  trainer.dispose();
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`\n${r.interrupted ? 'stopped' : 'finished'} at step ${r.step}/${r.totalSteps} in ${formatTime(seconds)}; checkpoint ${r.checkpoint}; report ${path.join(outputDir, 'report.html')}\n`);
  return 0;
}

/** `hrm train`: trains an HRM on a built dataset (see its help). */
export const trainCommand: Command = { help: TRAIN_HELP, run: train };
