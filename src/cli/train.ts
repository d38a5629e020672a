/**
 * `hrm train`: a preset, a config file and key=value overrides -> the Trainer, with progress.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { Trainer } from '../train/trainer';
import { ProcessGroup, initProcessGroup } from '../distributed';
import { withTrainingReport } from '../report/training';
import { trainingProgress } from '../train/progress';
import { Device, checkDevice } from '../tensor/dtype';
import { CUSTOM_TASK_FILE, readMetadata } from '../data/format';
import { isCustomDataset } from '../data/custom/vocabulary';
import { newestCheckpoint } from '../train/run-folder';
import { cuda } from '../runtime';
import { writeFileAtomic } from '../util/atomic';
import { hrmError, invalidArgument } from '../util/errors';
import { formatTime } from '../util/progress';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, readSettingsFile, requireSplit } from './common';
import { DEFAULT_MODEL_KIND } from '../models/kinds';
import { PRESETS, PresetOptions, Task } from '../train/presets';
import { applyOverrides, mergeTrainConfig, settingName, settingsHelp } from './presets';

const TRAIN_HELP = `hrm train --task sudoku|maze|arc|custom --data DIR [--preset cpu|full] [--config file.json|yaml] [--output DIR]
          [--resume] [--device cpu|cuda] [--threads N] [key=value ...]
  Trains an HRM (model=hrm, the only kind so far) with the reference's loop. Presets: 'full' is the reference configuration for the
  task (a CUDA GPU; bf16), 'cpu' a small model that trains in minutes. A config file (our keys or
  the reference's cfg_pretrain.yaml / all_config.yaml keys, arch: {...} included; or a run's
  config.json) and key=value overrides (lr=3e-4 arch.hiddenSize=128 arch.H_cycles=3) apply on top,
  in that order; an unknown key or a value of the wrong kind is an error.
  Ctrl-C saves a checkpoint; --resume continues exactly where the last checkpoint left off (a
  finished run says so and exits). Without --resume, an --output folder that already holds a run
  is refused; --resume refuses (and changes nothing) when the newest checkpoint has another model
  config or does not load.
  ema=0.999 keeps an exponential moving average of the weights (TRM's recipe): evaluations use
  it and checkpoints hold it as their model (what hrm eval/solve/viz load); training resumes
  from the trained weights saved beside it. keepBest=exact_accuracy (the default when the data
  has a test split; also accuracy, q_halt_accuracy, lm_loss, q_halt_loss, steps; false for none)
  keeps the checkpoint of the best evaluation as checkpoints/best.safetensors, which rotation
  never removes: give --best to hrm eval/solve/viz to use it.
  Data-parallel: hrm launch --nproc-per-node N -- hrm train ... (WORLD_SIZE > 1 joins the group):
  each rank trains its slice of every global batch (globalBatchSize must divide by N) and
  evaluates its slice of the test split, the metrics summed over the ranks; rank 0 writes the
  run folder. Gloo on the CPU; with --device cuda, NCCL, rank r on cuda:LOCAL_RANK.
${settingsHelp()}`;

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

/** A config file's settings ({@link readSettingsFile}); a run's config.json must be for the same task and preset. */
function loadConfigFile(file: string, task: Task, preset: string): Record<string, unknown> {
  // A run's config.json (as train() writes it) also records the task, the preset and the model it
  // built: {kind, ...its config}; the kind is the `model` setting, the config came from the rest.
  const { task: fileTask, preset: filePreset, ...settings } = readSettingsFile(file);
  if (fileTask !== undefined && fileTask !== task) throw invalidArgument(`--config: ${file} is for task '${fileTask}', but --task is '${task}'`);
  if (filePreset !== undefined && filePreset !== preset) throw invalidArgument(`--config: ${file} is for preset '${filePreset}', but --preset is '${preset}'`);
  const built = settings.model;
  if (fileTask !== undefined && built !== null && typeof built === 'object' && !Array.isArray(built)) settings.model = (built as { kind?: unknown }).kind ?? DEFAULT_MODEL_KIND;
  return settings;
}

/** `--epochs 1` where `epochs=1` was meant: the hint for an unknown option that is a setting. */
function settingAsFlag(flag: string, value: string | boolean): string | undefined {
  const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const name = settingName(camel) ?? settingName(flag);
  if (!name) return undefined;
  return `--${flag} is a setting, not an option: write it as ${name}=${typeof value === 'string' ? value : '...'} (settings are key=value words)`;
}

/** Checks the training split: an error when it is empty or no batch would fill; a warning when there is no test split. */
function checkData(dataPath: string, config: PresetOptions): void {
  const train = path.join(dataPath, 'train');
  const m = readMetadata(train);
  const examples = m.total_groups * m.mean_puzzle_examples;
  if (!(examples > 0)) throw invalidArgument(`hrm train: ${train} is empty (${m.total_groups} puzzles): there is nothing to train on`);
  const evalInterval = config.evalInterval ?? config.epochs;
  const perPass = Math.floor(evalInterval * examples);
  if (config.globalBatchSize > perPass) {
    throw invalidArgument(
      `hrm train: globalBatchSize=${config.globalBatchSize} is more than the ${perPass} examples of one pass over ${train} (evalInterval ${evalInterval} x ${examples} examples): no batch would fill, so nothing would train; use globalBatchSize <= ${perPass}`,
    );
  }
  // A test/ without its dataset.json (an interrupted build) is the Trainer's error, not a warning.
  if (!fs.existsSync(path.join(dataPath, 'test'))) process.stderr.write(`hrm train: warning: evaluation is skipped: ${dataPath} has no test split\n`);
}

/** A custom task's dataset (its custom.json) trains with --task custom, and only it does. */
function checkCustomTask(task: Task, dataPath: string): void {
  const custom = isCustomDataset(dataPath);
  if (task === 'custom' && !custom) throw invalidArgument(`hrm train --task custom: ${dataPath} is not a custom dataset (it has no ${CUSTOM_TASK_FILE}): build it with 'hrm data custom', or pass the --task it was built for`);
  if (task !== 'custom' && custom) throw invalidArgument(`hrm train --task ${task}: ${dataPath} is a custom dataset (built by 'hrm data custom'): pass --task custom`);
}

/** Preset, then config file, then overrides; then the options that say where and how to run. */
function trainRequest(args: ParsedArgs): TrainRequest {
  const o = new Options(args.options);
  const task = o.requireString('task') as Task;
  if (!Object.hasOwn(PRESETS, task)) throw invalidArgument(`--task must be sudoku, maze, arc or custom, got '${task}'`);
  const preset = o.string('preset', 'cpu') as 'cpu' | 'full';
  if (!Object.hasOwn(PRESETS[task], preset)) throw invalidArgument(`--preset must be cpu or full, got '${preset}'`);
  const configFile = o.string('config');
  const dataOption = o.string('data');
  const outputOption = o.string('output');
  const deviceOption = o.string('device');
  const resume = o.flag('resume');
  const threads = o.int('threads', undefined, { min: 1 });
  o.rejectUnknown('train', settingAsFlag);
  rejectExtraWords('hrm train', args, true);
  let config: PresetOptions = PRESETS[task][preset];
  if (configFile) config = mergeTrainConfig(config, loadConfigFile(configFile, task, preset), configFile);
  config = applyOverrides(config, args.overrides);
  const dataPath = dataOption ?? config.dataPath;
  if (!dataPath) throw invalidArgument(`hrm train: --data DIR is required (build one with 'hrm data ${task} ...')`);
  requireSplit('hrm train', dataPath, 'train', `build the dataset with 'hrm data ${task} ...'`);
  checkCustomTask(task, dataPath);
  const outputDir = outputOption ?? (config as { outputDir?: string }).outputDir ?? path.join('runs', `${task}-${preset}`);
  const device = deviceOption !== undefined ? checkDevice(deviceOption, '--device') : (config.device ?? 'cpu');
  if (device !== 'cpu' && !cuda.isAvailable()) {
    throw hrmError('CUDA_UNAVAILABLE', `hrm train: device '${device}' requested but CUDA is not available here (see 'hrm doctor'); use --device cpu, or the cpu preset`);
  }
  checkData(dataPath, config);
  return { task, preset, config, dataPath, outputDir, device, resume: resume || config.resume === true, threads: threads ?? config.threads };
}

async function train(args: ParsedArgs): Promise<number> {
  const { task, preset, config, dataPath, outputDir, device, resume, threads } = trainRequest(args);
  // Under hrm launch (torchrun's WORLD_SIZE > 1) every rank joins the group and trains its slice:
  // over Gloo on the CPU; over NCCL on CUDA, each rank on its own device (cuda:LOCAL_RANK).
  const group = Number(process.env.WORLD_SIZE ?? '1') > 1 ? await initProcessGroup({ backend: device === 'cpu' ? 'gloo' : 'nccl' }) : undefined;
  try {
    return await trainIn(group, { task, preset, config, dataPath, outputDir, device: group?.backend === 'nccl' ? group.device : device, resume, threads });
  } finally {
    await group?.destroy();
  }
}

/** The run of {@link train}, in `group` when data-parallel (rank 0 alone writes and reports). */
async function trainIn(group: ProcessGroup | undefined, { task, preset, config, dataPath, outputDir, device, resume, threads }: TrainRequest): Promise<number> {
  // bf16 is the reference's GPU setting; on the CPU float32 is faster and as exact.
  const cpuDtype = device === 'cpu' && config.arch?.forwardDtype === 'bfloat16' ? { forwardDtype: 'float32' as const } : {};
  const say = (text: string) => {
    if ((group?.rank ?? 0) === 0) process.stderr.write(text);
  };
  const report = withTrainingReport(outputDir, trainingProgress());
  const trainer: Trainer = new Trainer({
    ...config,
    arch: { ...(config.arch ?? {}), ...cpuDtype },
    dataPath,
    outputDir,
    device,
    resume,
    threads,
    processGroup: group,
    onProgress: (e) => {
      // 'start' comes once the run folder is checked: a refused --resume leaves every file as it was.
      if (e.kind === 'start') writeFileAtomic(path.join(outputDir, 'config.json'), JSON.stringify({ task, preset, ...config, dataPath, device, model: { kind: trainer.options.model, ...trainer.config } }, null, 2));
      report(e);
    },
  });
  const ranks = group ? ` on ${group.worldSize} ranks` : '';
  say(`hrm train: ${task} (${preset} preset), ${trainer.model.parameterCount().toLocaleString()} parameters, ${trainer.totalSteps} steps of batch ${trainer.config.batchSize}${ranks}, output ${outputDir}\n`);
  const started = Date.now();
  let r;
  try {
    r = await trainer.run();
  } finally {
    trainer.dispose();
  }
  if (r.checkpoint === undefined && !r.interrupted) {
    // Resumed from the checkpoint after the last pass: no step, evaluation or checkpoint was left to do.
    say(`hrm train: the run in ${outputDir} is finished at step ${r.step}/${r.totalSteps} (${newestCheckpoint(outputDir) ?? 'no checkpoint'}); nothing to train\n`);
    return 0;
  }
  const seconds = (Date.now() - started) / 1000;
  say(`\n${r.interrupted ? 'stopped' : 'finished'} at step ${r.step}/${r.totalSteps} in ${formatTime(seconds)}; checkpoint ${r.checkpoint}; report ${path.join(outputDir, 'report.html')}\n`);
  return 0;
}

/** `hrm train`: trains an HRM on a built dataset (see its help). */
export const trainCommand: Command = { help: TRAIN_HELP, run: train };
