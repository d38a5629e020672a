/** `hrm train` (src/cli/train.ts, presets.ts): a tiny run, --resume, Ctrl-C, refusals that keep a run folder as it was, and bad input, run as a user would. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { folderSnapshot } from '../helpers/files';
import { runKilled } from '../helpers/child';
import { TINY_ARCH, TinySudokuRun, hrm, run, scratchFolder, sudokuDataArgs, tinyTrainArgs, trainTinySudoku } from './helpers';
import { mergeTrainConfig } from '../../src/cli/presets';
import { readCheckpointInfo } from '../../src/checkpoint/state-file';

const scratch = scratchFolder('cli-train-');

test('train on generated 4x4 sudoku finishes, writes its report, and --resume picks up the last checkpoint', () => {
  const { data, out, train: t } = trainTinySudoku(scratch());
  expect(t.stderr).toMatch(/finished at step 12\/12/);
  expect(t.status).toBe(0);
  expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  const again = run(...tinyTrainArgs(data, out), '--resume');
  expect(again.stderr).toMatch(/resume: .*step_00000012/);
});

test('Ctrl-C (SIGINT) during training saves a checkpoint at the current step, and --resume continues', async () => {
  const dir = scratch();
  const data = path.join(dir, 'data-sig');
  expect(run(...sudokuDataArgs(data, 200, 8)).status).toBe(0);
  const out = path.join(dir, 'run-sig');
  const args = ['train', '--task', 'sudoku', '--data', data, '--output', out, '--threads', '1', ...TINY_ARCH, 'globalBatchSize=8', 'epochs=40'];
  const child = spawn(process.execPath, [hrm, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const metrics = path.join(out, 'metrics.jsonl');
  // wait until a few steps are logged, then interrupt
  for (let i = 0; i < 200 && !(fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').split('\n').length > 5); i++) await new Promise((r) => setTimeout(r, 50));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  expect(code).toBe(0);
  const m = /stopped at step (\d+)\/1000/.exec(stderr);
  expect(m).not.toBeNull();
  const step = Number(m![1]);
  expect(step).toBeLessThan(1000);
  expect(fs.existsSync(path.join(out, 'checkpoints', `step_${String(step).padStart(8, '0')}.safetensors`))).toBe(true);
  const again = run(...args, '--resume', 'stopAfterSteps=2');
  expect(again.stderr).toMatch(new RegExp(`resume: .*step_${String(step).padStart(8, '0')}`));
  expect(again.stderr).toMatch(new RegExp(`stopped at step ${step + 2}/1000`));
}, 120000);

test('bad input: an unknown task, a missing dataset; clear messages and exit codes', () => {
  const u = run('train', '--task', 'chess', '--data', scratch());
  expect(u.status).toBe(2);
  expect(u.stderr).toMatch(/--task must be sudoku, maze, arc or custom, got 'chess'/);
  const m = run('train', '--task', 'sudoku', '--data', path.join(scratch(), 'nope'));
  expect(m.stderr).toMatch(/dataset.json not found/);
});

/** The tiny run's command with `extra` words, on `data`, into a fresh output folder. */
const tinyTrain = (data: string, ...extra: string[]) => run(...tinyTrainArgs(data, path.join(scratch(), `run-${Math.random().toString(36).slice(2)}`)), ...extra);
const noStack = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/\n\s+at /);

describe('unknown keys, non-integers, wrong types and a JSON array as a config are errors (exit 2) naming the key and the nearest valid one', () => {
  let data = '';
  beforeAll(() => {
    data = path.join(scratch(), 'data-keys');
    expect(run(...sudokuDataArgs(data, 32, 8)).status).toBe(0);
  });
  const cases: [string, string[], RegExp][] = [
    ['an unknown override', ['learningRate=0.1'], /learningRate=0\.1: unknown setting 'learningRate' \(did you mean 'lr'\?\)/],
    ['a misspelt override', ['epoch=1'], /epoch=1: unknown setting 'epoch' \(did you mean 'epochs'\?\)/],
    ['a non-integer where an integer belongs', ['evalInterval=1.5'], /evalInterval=1\.5: evalInterval must be an integer >= 1, got 1\.5/],
    ['a wrong type', ['globalBatchSize=abc'], /globalBatchSize=abc: globalBatchSize must be an integer >= 1, got "abc"/],
    ['an unknown model setting', ['arch.hiddenSise=32'], /unknown model setting 'arch\.hiddenSise' \(did you mean 'arch\.hiddenSize'\?\)/],
    ['a model setting without arch.', ['hiddenSize=32'], /'hiddenSize' is a model setting: write it under arch \(arch\.hiddenSize=\.\.\.\)/],
    ['a size that comes from the data', ['arch.seqLen=81'], /arch\.seqLen cannot be set: it comes from the dataset's dataset\.json/],
    ['an EMA rate of 1', ['ema=1'], /ema=1: ema must be a number in \[0, 1\), got 1/],
    ['an unknown best metric', ['keepBest=exact'], /keepBest=exact: keepBest must be false or one of exact_accuracy, accuracy, q_halt_accuracy, lm_loss, q_halt_loss, steps, got "exact"/],
    ['an unknown model kind', ['model=gpt'], /model=gpt: model must be 'hrm' or 'trm' \(a model kind; its settings go under arch\), got "gpt"/],
    ['a flag where an override belongs', ['--epochs', '1'], /--epochs is a setting, not an option: write it as epochs=1/],
    ['a kebab-case flag for a setting', ['--global-batch-size', '8'], /--global-batch-size is a setting, not an option: write it as globalBatchSize=8/],
    ['a misspelt option', ['--thread', '1'], /unknown option\(s\) --thread \(did you mean --threads\?\)/],
  ];
  test.each(cases)('%s', (_what, extra, message) => {
    const r = tinyTrain(data, ...extra);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r);
  });

  test('config files: unknown keys (camelCase and snake_case, JSON and YAML), wrong types, an array, bad JSON', () => {
    const dir = scratch();
    const file = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const configs: [string, RegExp][] = [
      [file('unknown.json', '{"learningRate": 0.1}'), /unknown\.json: unknown setting 'learningRate' \(did you mean 'lr'\?\)/],
      [file('snake.yaml', 'eval_intervall: 1\n'), /snake\.yaml: unknown setting 'eval_intervall' \(did you mean 'eval_interval'\?\)/],
      [file('arch.yaml', 'arch:\n  hidden_sise: 32\n'), /arch\.yaml: unknown model setting 'arch\.hidden_sise' \(did you mean 'arch\.hidden_size'\?\)/],
      [file('type.yaml', 'global_batch_size: "x"\n'), /type\.yaml: global_batch_size must be an integer >= 1, got "x"/],
      [file('array.json', '[1, 2]'), /array\.json must hold an object of settings \(key: value\), got an array/],
      [file('broken.json', '{'), /--config: .*broken\.json is not valid JSON \(/],
      [path.join(dir, 'missing.yaml'), /--config: .*missing\.yaml is not a file/],
    ];
    for (const [config, message] of configs) {
      const r = tinyTrain(data, '--config', config);
      expect([config, r.status]).toEqual([config, 2]);
      expect(r.stderr).toMatch(message);
      noStack(r);
    }
    // The reference's own keys are accepted: a cfg_pretrain-style YAML with its arch (loss type included) trains.
    const reference = file(
      'reference.yaml',
      'project_name: null\nglobal_batch_size: 16\nepochs: 1\neval_interval: 1\nlr_warmup_steps: 2\narch:\n  name: hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1\n  loss: {name: losses@ACTLossHead, loss_type: softmax_cross_entropy}\n  H_cycles: 1\n',
    );
    const out = path.join(dir, 'run-reference-yaml');
    const ok = run(...tinyTrainArgs(data, out).filter((a) => !/^(epochs|evalInterval|globalBatchSize)=/.test(a)), '--config', reference);
    expect(ok.stderr).toMatch(/finished at step 2\/2/);
    const model = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).model;
    expect([model.lossType, model.hCycles, model.hiddenSize]).toEqual(['softmax_cross_entropy', 1, 16]);
  });
});

test('messages that name the argument: globalBatchSize larger than the data, --device tpu', () => {
  const data = path.join(scratch(), 'data-messages');
  expect(run(...sudokuDataArgs(data, 32, 8)).status).toBe(0);
  const big = tinyTrain(data, 'globalBatchSize=1e9');
  expect(big.status).toBe(2);
  expect(big.stderr).toMatch(/globalBatchSize=1000000000 is more than the 32 examples of one pass over .*train \(evalInterval 1 x 32 examples\): no batch would fill/);
  const tpu = tinyTrain(data, '--device', 'tpu');
  expect(tpu.status).toBe(2);
  expect(tpu.stderr).toMatch(/--device must be 'cpu', 'cuda' or 'cuda:N' \(N a device index\); got string "tpu"/);
  const device = tinyTrain(data, 'device=tpu');
  expect(device.stderr).toMatch(/device=tpu: device must be 'cpu', 'cuda' or 'cuda:N', got "tpu"/);
  for (const r of [big, tpu, device]) noStack(r);
});

test('resuming a finished run says it is finished at step N/N and exits 0 without training', () => {
  const { data, out } = trainTinySudoku(path.join(scratch(), 'finished'));
  const metrics = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8');
  const again = run(...tinyTrainArgs(data, out), '--resume');
  expect(again.status).toBe(0);
  expect(again.stderr).toMatch(/the run in .* is finished at step 12\/12 \(.*step_00000012\.safetensors\); nothing to train/);
  expect(again.stderr).not.toMatch(/undefined/);
  expect(fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')).toBe(metrics); // no step, no evaluation
});

test('an empty train split is an error (the build refuses it, and so does the loader); a dataset without a test split trains with the warning that evaluation is skipped', () => {
  const dir = scratch();
  const csv = path.join(dir, 'empty.csv');
  fs.writeFileSync(csv, 'source,question,answer,rating\n');
  const empty = path.join(dir, 'empty-data');
  const b = run('data', 'sudoku', '--input', csv, '--size', '4', '--output-dir', empty);
  expect(b.status).toBe(1);
  expect(b.stderr).toMatch(/the training CSV\(s\) .*empty\.csv hold no puzzles; a split needs at least one/);
  expect(fs.existsSync(empty)).toBe(false);
  const withTest = path.join(dir, 'with-test');
  expect(run(...sudokuDataArgs(withTest, 32, 8)).status).toBe(0);
  // A dataset.json that says its split is empty (another tool's) is refused by the loader.
  fs.cpSync(withTest, empty, { recursive: true });
  const meta = path.join(empty, 'train', 'dataset.json');
  fs.writeFileSync(meta, JSON.stringify({ ...JSON.parse(fs.readFileSync(meta, 'utf8')), total_groups: 0 }));
  const e = tinyTrain(empty);
  expect(e.status).toBe(1);
  expect(e.stderr).toMatch(/empty-data.train.dataset\.json: 'total_groups' is 0, expected a positive integer \(groups in the split\)/);
  noStack(e);
  const trainOnly = path.join(dir, 'train-only');
  fs.mkdirSync(trainOnly);
  fs.cpSync(path.join(withTest, 'train'), path.join(trainOnly, 'train'), { recursive: true });
  const t = tinyTrain(trainOnly);
  expect(t.status).toBe(0);
  expect(t.stderr).toContain(`evaluation is skipped: ${trainOnly} has no test split`);
  expect(t.stderr).toMatch(/finished at step 4\/4/);
});

test('ema=, keepBest= and model=: the checkpoints hold the average and record the kind, best.safetensors is kept, eval/solve/viz --best pick it and every command says which checkpoint it took', () => {
  const dir = scratch();
  const data = path.join(dir, 'data-ema');
  expect(run(...sudokuDataArgs(data)).status).toBe(0);
  const out = path.join(dir, 'run-ema');
  const t = run(...tinyTrainArgs(data, out), 'ema=0.9', 'keepBest=accuracy', 'model=hrm');
  expect(t.status).toBe(0);
  expect(t.stderr).toMatch(/best: accuracy 0\.\d+ at step 6: .*best\.safetensors/);
  const best = path.join(out, 'checkpoints', 'best.safetensors');
  const newest = path.join(out, 'checkpoints', 'step_00000012.safetensors');
  expect(readCheckpointInfo(newest).extra).toMatchObject({ model: 'hrm', ema: 0.9 });
  const bestInfo = readCheckpointInfo(best);
  expect((bestInfo.extra.best as { metric: string }).metric).toBe('accuracy');
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
  expect([config.model.kind, config.model.hiddenSize, config.ema, config.keepBest]).toEqual(['hrm', 16, 0.9, 'accuracy']);
  // Each command says which checkpoint of the run folder it took.
  const step = (bestInfo.extra.best as { step: number }).step;
  const chosen = new RegExp(`checkpoint: .*best\\.safetensors \\(the run's best: accuracy [\\d.]+% at step ${step}\\)`);
  const e = run('eval', '--checkpoint', out, '--best', '--data', data);
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(chosen);
  const n = run('eval', '--checkpoint', out, '--data', data);
  expect(n.stdout).toMatch(new RegExp(`checkpoint: .*step_00000012\\.safetensors \\(the newest; --best picks the run's best, accuracy [\\d.]+% at step ${step}\\)`));
  expect(run('solve', '--checkpoint', out, '--best', '--sudoku', '1000000000000000').stdout).toMatch(chosen);
  expect(run('viz', '--checkpoint', out, '--best', '--data', data, '--puzzles', '1', '--no-inner', '--output', path.join(dir, 'viz.html')).stdout).toMatch(chosen);
  // --best needs a run folder that has one.
  const file = run('eval', '--checkpoint', newest, '--best', '--data', data);
  expect([file.status, file.stderr]).toEqual([2, expect.stringMatching(/--best picks the best checkpoint of a run folder, but --checkpoint .*step_00000012\.safetensors is a file/)]);
  const plain = path.join(dir, 'run-plain');
  expect(run(...tinyTrainArgs(data, plain), 'keepBest=false', 'epochs=1').status).toBe(0);
  expect(fs.readdirSync(path.join(plain, 'checkpoints'))).toEqual(['step_00000006.safetensors']);
  const none = run('eval', '--checkpoint', plain, '--best', '--data', data);
  expect([none.status, none.stderr]).toEqual([2, expect.stringMatching(/--best: .*run-plain has no best checkpoint \(best\.safetensors is written by training runs that evaluate, with keepBest\); leave out --best/)]);
  // A run's config.json trains the same kind and settings again.
  const again = path.join(dir, 'run-again');
  expect(run('train', '--task', 'sudoku', '--config', path.join(out, 'config.json'), '--output', again, '--threads', '1', 'stopAfterSteps=1').status).toBe(0);
  expect(JSON.parse(fs.readFileSync(path.join(again, 'config.json'), 'utf8')).model.kind).toBe('hrm');
  expect(readCheckpointInfo(path.join(again, 'checkpoints', 'step_00000001.safetensors')).extra).toMatchObject({ model: 'hrm', ema: 0.9 });
});

test('model=trm trains a TRM (TRM settings under arch), and eval and solve rebuild it from the checkpoint', () => {
  const dir = scratch();
  const data = path.join(dir, 'data-trm');
  expect(run(...sudokuDataArgs(data)).status).toBe(0);
  const out = path.join(dir, 'run-trm');
  const t = run(...tinyTrainArgs(data, out), 'model=trm', 'arch.lLayers=2', 'arch.hCycles=3', 'arch.lCycles=2', 'epochs=1');
  expect([t.status, t.stderr]).toEqual([0, expect.stringMatching(/finished at step 6\/6/)]);
  const checkpoint = path.join(out, 'checkpoints', 'step_00000006.safetensors');
  expect(readCheckpointInfo(checkpoint).extra).toMatchObject({ model: 'trm', config: { lLayers: 2, hCycles: 3, lCycles: 2 } });
  expect(readCheckpointInfo(checkpoint).extra.config).not.toHaveProperty('hLayers');
  const e = run('eval', '--checkpoint', out, '--data', data);
  expect([e.status, e.stdout]).toEqual([0, expect.stringMatching(/exact/)]);
  const s = run('solve', '--checkpoint', out, '--sudoku', '1000000000000000', '--steps', '2', '--no-adaptive');
  expect([s.status, s.stdout]).toEqual([0, expect.stringMatching(/answer after 2 step\(s\)/)]);
  // A setting neither model has is named, with the nearest one.
  const bad = run(...tinyTrainArgs(data, path.join(dir, 'run-trm-bad')), 'model=trm', 'arch.mlpt=true');
  expect([bad.status, bad.stderr]).toEqual([2, expect.stringMatching(/unknown model setting 'arch\.mlpt' \(did you mean 'arch\.mlpT'\?\)/)]);
});

test("a TRM config's ema: true switches the average on at ema_rate (default 0.999), ema: false off", () => {
  expect(mergeTrainConfig({ globalBatchSize: 1, epochs: 1, lr: 1 }, { ema: true }).ema).toBe(0.999);
  expect(mergeTrainConfig({ globalBatchSize: 1, epochs: 1, lr: 1 }, { ema: true, ema_rate: 0.99 }).ema).toBe(0.99);
  expect(mergeTrainConfig({ globalBatchSize: 1, epochs: 1, lr: 1 }, { ema_rate: 0.99, ema: true }).ema).toBe(0.99);
  expect(mergeTrainConfig({ globalBatchSize: 1, epochs: 1, lr: 1, ema: 0.9 }, { ema: false, ema_rate: 0.99 }).ema).toBeUndefined();
});

test('hrm train --help lists every setting and model setting', () => {
  const help = run('train', '--help').stdout;
  for (const k of ['globalBatchSize', 'evalInterval', 'lrWarmupSteps', 'checkpointEvery', 'ema', 'keepBest', 'model', 'ema=0.999', '--best', 'arch.hiddenSize', 'arch.haltMaxSteps', 'arch.evalHalting']) expect(help).toContain(k);
  expect(help).not.toMatch(/arch\.seqLen|onProgress/);
});

describe('a run folder is never lost by mistake', () => {
  let tiny: TinySudokuRun;
  beforeAll(() => {
    tiny = trainTinySudoku(path.join(scratch(), 'kept'));
  });

  test('--resume with a different architecture is refused (exit 2) naming the keys that differ, old vs new, and no file is touched', () => {
    const before = folderSnapshot(tiny.out);
    const r = run(...tinyTrainArgs(tiny.data, tiny.out), 'arch.hiddenSize=32', 'arch.numHeads=4', '--resume');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /hrm: cannot resume .*run from .*step_00000012\.safetensors: its model config differs from this run's \(hiddenSize: 16 in the checkpoint, 32 now; numHeads: 2 in the checkpoint, 4 now\)\. Nothing was changed; resume with the checkpoint's settings, or train into another output folder/,
    );
    expect(r.stderr).not.toMatch(/finished at step|\n\s+at /);
    expect(folderSnapshot(tiny.out)).toEqual(before); // metrics.jsonl, config.json, report, checkpoints: as they were
  });

  test('--resume with a corrupt newest checkpoint is refused (exit 1), not restarted at step 0, and no file is touched', () => {
    const out = path.join(scratch(), 'corrupt');
    fs.cpSync(tiny.out, out, { recursive: true });
    const newest = path.join(out, 'checkpoints', 'step_00000012.safetensors');
    fs.writeFileSync(newest, fs.readFileSync(newest).subarray(0, 1000));
    const before = folderSnapshot(out);
    const r = run(...tinyTrainArgs(tiny.data, out), '--resume');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/hrm: cannot resume .*corrupt from .*step_00000012\.safetensors: it does not load \(corrupt or truncated file .*\)\. Nothing was changed; move it out of .*checkpoints to resume from step_00000006\.safetensors/);
    expect(folderSnapshot(out)).toEqual(before);
  });

  test('hrm train without --resume into a folder that holds a run is refused (exit 2); nothing is touched', () => {
    const before = folderSnapshot(tiny.out);
    const r = run(...tinyTrainArgs(tiny.data, tiny.out), 'epochs=1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/already holds a run \(2 checkpoint\(s\), the newest step_00000012\.safetensors\); resume it \(resume: true, hrm train --resume\) or train into another output folder/);
    expect(folderSnapshot(tiny.out)).toEqual(before);
  });

  test('a kill during a checkpoint write leaves a full-size temporary that the next run start removes (other files kept)', () => {
    const out = path.join(scratch(), 'killed-write');
    fs.cpSync(tiny.out, out, { recursive: true });
    const checkpoints = path.join(out, 'checkpoints');
    const size = fs.statSync(path.join(checkpoints, 'step_00000012.safetensors')).size;
    const { pid } = runKilled(`
      const { AtomicFile } = require(DIST + '/util/atomic.js');
      const f = new AtomicFile(${JSON.stringify(path.join(checkpoints, 'step_00000013.safetensors'))});
      f.write(Buffer.alloc(${size}));`);
    const temps = fs.readdirSync(checkpoints).filter((n) => n.endsWith('.tmp'));
    expect(temps).toEqual([expect.stringMatching(new RegExp(`^\\.step_00000013\\.safetensors\\.${pid}\\.\\d+\\.tmp$`))]);
    expect(fs.statSync(path.join(checkpoints, temps[0])).size).toBe(size);
    fs.writeFileSync(path.join(checkpoints, 'my-notes.tmp'), 'kept');
    const r = run(...tinyTrainArgs(tiny.data, out), 'epochs=3', '--resume', 'stopAfterSteps=1');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/stopped at step 13\/18/);
    expect(fs.readdirSync(checkpoints).sort()).toEqual(['best.safetensors', 'my-notes.tmp', 'step_00000006.safetensors', 'step_00000012.safetensors', 'step_00000013.safetensors']);
  });

  test("a dataset.json with mean_puzzle_examples: -1 is refused naming the file, field, value and what was expected (no 'finished at step 50/-50')", () => {
    const data = path.join(scratch(), 'bad-meta');
    fs.cpSync(tiny.data, data, { recursive: true });
    const meta = path.join(data, 'train', 'dataset.json');
    fs.writeFileSync(meta, JSON.stringify({ ...JSON.parse(fs.readFileSync(meta, 'utf8')), mean_puzzle_examples: -1 }));
    const r = run(...tinyTrainArgs(data, path.join(scratch(), 'bad-meta-run')));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/hrm: invalid dataset: .*bad-meta[/\\]train[/\\]dataset\.json: 'mean_puzzle_examples' is -1, expected a number >= 1 \(examples per puzzle, on average\)/);
    expect(r.stderr).not.toMatch(/finished at step/);
    expect(fs.existsSync(path.join(scratch(), 'bad-meta-run'))).toBe(false);
  });
});
