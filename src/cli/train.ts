/**
 * `hrm train`, `hrm eval`, `hrm solve`.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { Trainer } from '../train/trainer';
import { evaluate } from '../eval/evaluate';
import { loadModel, solveTokens } from '../eval/solve';
import { ArcVoter } from '../eval/arc-vote';
import { PuzzleDataset } from '../data/format';
import { readIdentifiers } from '../data/format';
import { decodeSudoku, encodeSudoku, formatSudoku, parseSudoku } from '../data/sudoku';
import { decodeMaze, encodeMaze } from '../data/maze';
import { decodeArcGrid, encodeArcGrid, readArcTask } from '../data/arc';
import { Device } from '../tensor/dtype';
import { cuda } from '../runtime';
import { ProgressBar, formatTime } from '../util/progress';
import { ArgError, Options } from './args';
import { PRESETS, PresetOptions, Task, applyOverrides, mergeTrainConfig } from './presets';

export const TRAIN_HELP = `hrm train --task sudoku|maze|arc --data DIR [--preset cpu|full] [--config file.json|yaml] [--output DIR]
          [--resume] [--device cpu|cuda] [--threads N] [key=value ...]
  Trains an HRM with the reference's loop. Presets: 'full' is the reference configuration for the
  task (a CUDA GPU; bf16), 'cpu' a small model that trains in minutes. A config file (our keys or
  the reference's cfg_pretrain.yaml keys, arch: {...} included) and key=value overrides
  (lr=3e-4 arch.hiddenSize=128 arch.H_cycles=3) apply on top, in that order.
  Ctrl-C saves a checkpoint; --resume continues exactly where the last checkpoint left off.`;

export const EVAL_HELP = `hrm eval --checkpoint FILE|RUN_DIR --data DIR [--halt-max-steps N] [--adaptive] [--scaling 1,2,4,8,16] [--max-examples N]
  Evaluates on DIR/test: exact and token accuracy, halting statistics, accuracy against steps;
  ARC datasets also get pass@1/pass@2 with inverse augmentation and voting. --scaling evaluates
  with each halt limit in turn (inference-time scaling).`;

export const SOLVE_HELP = `hrm solve --checkpoint FILE|RUN_DIR (--sudoku PUZZLE | --maze FILE | --arc TASK.json --data DIR) [--steps N] [--no-adaptive]
  Solves one puzzle and prints the answer, the steps used, the halting confidence and how the
  prediction changed step by step.`;

function loadConfigFile(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  if (!parsed || typeof parsed !== 'object') throw new ArgError(`${file}: expected an object of settings`);
  return parsed as Record<string, unknown>;
}

export async function trainCommand(o: Options, positional: string[], overrides: [string, string][]): Promise<number> {
  const task = o.requireString('task') as Task;
  if (!PRESETS[task]) throw new ArgError(`--task must be sudoku, maze or arc, got '${task}'`);
  const preset = o.string('preset', 'cpu') as 'cpu' | 'full';
  if (!PRESETS[task][preset]) throw new ArgError(`--preset must be cpu or full, got '${preset}'`);
  let cfg: PresetOptions = PRESETS[task][preset];
  const configFile = o.string('config');
  if (configFile) cfg = mergeTrainConfig(cfg, loadConfigFile(configFile));
  cfg = applyOverrides(cfg, overrides);
  const dataPath = o.string('data') ?? cfg.dataPath;
  if (!dataPath) throw new ArgError(`hrm train: --data DIR is required (build one with 'hrm data ${task} ...')`);
  if (!fs.existsSync(path.join(dataPath, 'train', 'dataset.json'))) throw new ArgError(`hrm train: ${dataPath}/train/dataset.json not found (build the dataset with 'hrm data ${task} ...')`);
  const outputDir = o.string('output') ?? (cfg as { outputDir?: string }).outputDir ?? path.join('runs', `${task}-${preset}`);
  const device = (o.string('device') ?? cfg.device ?? 'cpu') as Device;
  if (device !== 'cpu' && !cuda.isAvailable()) {
    throw new ArgError(`hrm train: device '${device}' requested but CUDA is not available here (see 'hrm doctor'); use --device cpu, or the cpu preset`);
  }
  const resume = o.flag('resume');
  const threads = o.int('threads');
  o.rejectUnknown('train');
  void positional;
  let bar: ProgressBar | undefined;
  let lastMetrics = '';
  const trainer = new Trainer({
    ...cfg,
    arch: { ...(cfg.arch ?? {}), ...(device === 'cpu' && cfg.arch?.forwardDtype === 'bfloat16' ? { forwardDtype: 'float32' } : {}) },
    dataPath,
    outputDir,
    device,
    resume,
    threads,
    onProgress: (e) => {
      if (e.kind === 'step' && e.metrics) {
        bar ??= new ProgressBar('train', e.totalSteps);
        const m = e.metrics;
        lastMetrics = `loss ${m.lm_loss.toFixed(3)} acc ${(m.accuracy * 100).toFixed(1)}% exact ${(m.exact_accuracy * 100).toFixed(1)}% steps ${m.steps.toFixed(2)}`;
        bar.update(e.step, lastMetrics);
      } else if (e.kind === 'eval' && e.metrics) {
        const m = e.metrics;
        process.stderr.write(`\neval @ step ${e.step} [${e.message}]: exact ${(m.exact_accuracy * 100).toFixed(2)}%, token ${(m.accuracy * 100).toFixed(2)}%, steps ${m.steps.toFixed(2)}\n`);
      } else if (e.kind === 'resume' || e.kind === 'stop') {
        process.stderr.write(`\n${e.kind}: ${e.message}\n`);
      }
    },
  });
  process.stderr.write(
    `hrm train: ${task} (${preset} preset), ${trainer.model.parameterCount().toLocaleString()} parameters, ${trainer.totalSteps} steps of batch ${trainer.config.batchSize}, output ${outputDir}\n`,
  );
  fs.mkdirSync(outputDir, { recursive: true });
  fs.writeFileSync(path.join(outputDir, 'config.json'), JSON.stringify({ task, preset, ...cfg, dataPath, device, model: trainer.config }, null, 2));
  const started = Date.now();
  const r = await trainer.run();
  trainer.dispose();
  process.stderr.write(`\n${r.interrupted ? 'stopped' : 'finished'} at step ${r.step}/${r.totalSteps} in ${formatTime((Date.now() - started) / 1000)}; checkpoint ${r.checkpoint}; report ${path.join(outputDir, 'report.html')}\n`);
  return 0;
}

/** A checkpoint file, or the newest checkpoint of a run folder (or of its checkpoints/ folder). */
export function resolveCheckpoint(p: string): string {
  if (!fs.existsSync(p)) throw new ArgError(`--checkpoint: ${p} does not exist`);
  if (!fs.statSync(p).isDirectory()) return p;
  const dir = fs.existsSync(path.join(p, 'checkpoints')) ? path.join(p, 'checkpoints') : p;
  const files = fs.readdirSync(dir).filter((f) => /^step_\d+\.safetensors$/.test(f)).sort();
  if (!files.length) throw new ArgError(`--checkpoint: no step_*.safetensors checkpoint in ${dir}`);
  return path.join(dir, files[files.length - 1]);
}

export function evalCommand(o: Options): number {
  const checkpoint = resolveCheckpoint(o.requireString('checkpoint'));
  const dataRoot = o.requireString('data');
  const scaling = o.list('scaling').map(Number);
  const haltMaxSteps = o.int('halt-max-steps');
  const adaptive = o.flag('adaptive');
  const maxExamples = o.int('max-examples');
  const device = (o.string('device') ?? 'cpu') as Device;
  o.rejectUnknown('eval');
  const model = loadModel(checkpoint, { device });
  const limits = scaling.length ? scaling : [haltMaxSteps ?? model.config.haltMaxSteps];
  const testDir = path.join(dataRoot, 'test');
  const isArc = fs.existsSync(path.join(dataRoot, 'augmentations.json'));
  for (const limit of limits) {
    const data = new PuzzleDataset({ dir: testDir, mode: 'test', batchSize: model.config.batchSize });
    const voter = isArc ? new ArcVoter(dataRoot) : undefined;
    const total = Math.min(maxExamples ?? Infinity, [...data.split.sets.values()].reduce((n, s) => n + s.inputs.rows, 0));
    const bar = new ProgressBar(`eval (${limit} steps${adaptive ? ', adaptive' : ''})`, total);
    const r = evaluate(model, data, {
      haltMaxSteps: limit,
      adaptive,
      maxExamples,
      device,
      onProgress: (d) => bar.update(d),
      onPredictions: voter
        ? (p) => voter.addBatch({ puzzleIdentifiers: p.batch.puzzleIdentifiers, inputs: p.batch.inputs, predictions: p.predictions, qHaltLogits: p.qHaltLogits })
        : undefined,
    });
    data.close();
    for (const [set, m] of Object.entries(r.sets)) {
      console.log(`[${set}] halt limit ${limit}${adaptive ? ' (adaptive)' : ''}: exact accuracy ${(m.exact_accuracy * 100).toFixed(2)}%, token accuracy ${(m.accuracy * 100).toFixed(2)}%, mean steps ${m.steps.toFixed(2)}, q_halt accuracy ${(m.q_halt_accuracy * 100).toFixed(1)}% over ${m.count} examples`);
      console.log(`  exact accuracy if stopped after step k: ${r.exactAccuracyAtStep[set].map((v, i) => `${i + 1}:${(v * 100).toFixed(1)}%`).join(' ')}`);
      console.log(`  rows halted at step k: ${r.haltedAtStep[set].map((v, i) => `${i + 1}:${v}`).join(' ')}`);
    }
    if (voter) {
      const s = voter.score();
      console.log(`  ARC (${s.tasks} tasks): pass@1 ${(s.passAtK[1] * 100).toFixed(2)}%, pass@2 ${(s.passAtK[2] * 100).toFixed(2)}% (partial credit: ${(s.passAtKPartial[2] * 100).toFixed(2)}%)`);
    }
  }
  model.dispose();
  return 0;
}

export function solveCommand(o: Options): number {
  const checkpoint = resolveCheckpoint(o.requireString('checkpoint'));
  const sudoku = o.string('sudoku');
  const mazeFile = o.string('maze');
  const arcFile = o.string('arc');
  const dataRoot = o.string('data');
  const maxSteps = o.int('steps');
  const adaptive = o.flag('adaptive', true);
  o.rejectUnknown('solve');
  if ([sudoku, mazeFile, arcFile].filter((x) => x !== undefined).length !== 1) throw new ArgError('hrm solve: give exactly one of --sudoku, --maze, --arc');
  const model = loadModel(checkpoint);
  let tokens: Uint8Array;
  let identifier = 0;
  let show: (t: Int32Array) => string;
  if (sudoku !== undefined) {
    const grid = parseSudoku(sudoku);
    tokens = encodeSudoku(grid);
    const n = Math.round(Math.sqrt(grid.length));
    show = (t) => formatSudoku(decodeSudoku(Array.from(t))).match(new RegExp(`.{${n}}`, 'g'))!.join('\n');
    console.log(`puzzle:\n${formatSudoku(grid).match(new RegExp(`.{${n}}`, 'g'))!.join('\n')}`);
  } else if (mazeFile !== undefined) {
    const text = fs.readFileSync(mazeFile, 'utf8').replace(/\r/g, '');
    const grid = text.includes('\n') ? text.split('\n').filter((l) => l.length).join('') : text.trim();
    tokens = encodeMaze(grid);
    const n = Math.round(Math.sqrt(grid.length));
    show = (t) => decodeMaze(Array.from(t)).match(new RegExp(`.{${n}}`, 'g'))!.join('\n');
  } else {
    if (!dataRoot) throw new ArgError('hrm solve --arc needs --data DIR (the ARC dataset the model was trained on, for the task identifier)');
    const task = readArcTask(arcFile!);
    const ids = readIdentifiers(dataRoot) ?? [];
    identifier = ids.indexOf(task.name);
    if (identifier < 0) throw new ArgError(`task ${task.name} is not in ${dataRoot}/identifiers.json: the model has no puzzle embedding for it`);
    tokens = encodeArcGrid(task.test[0].input);
    show = (t) => decodeArcGrid(Array.from(t)).map((r) => r.join('')).join('\n');
  }
  if (tokens.length !== model.config.seqLen) throw new ArgError(`the puzzle has ${tokens.length} tokens, the checkpoint's model takes ${model.config.seqLen}`);
  const r = solveTokens(model, tokens, { puzzleIdentifier: identifier, maxSteps, adaptive });
  r.perStep.forEach((s, i) => {
    const changed = i === 0 ? s.prediction.length : s.prediction.reduce((n, v, j) => n + (v !== r.perStep[i - 1].prediction[j] ? 1 : 0), 0);
    console.log(`step ${i + 1}: halt probability ${s.haltProbability.toFixed(3)}, ${changed} cells changed`);
  });
  console.log(`answer after ${r.steps} step(s), halting confidence ${r.haltConfidence.toFixed(3)}:\n${show(r.prediction)}`);
  model.dispose();
  return 0;
}
