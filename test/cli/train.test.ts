/** `hrm train` (src/cli/train.ts, presets.ts): a tiny run, --resume, Ctrl-C, and bad input, run as a user would. */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TINY_ARCH, hrm, run, scratchFolder, sudokuDataArgs, tinyTrainArgs, trainTinySudoku } from './helpers';

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
  expect(u.stderr).toMatch(/--task must be sudoku, maze or arc, got 'chess'/);
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
  expect(tpu.stderr).toMatch(/--device must be 'cpu', 'cuda' or 'cuda:N'; got "tpu"/);
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

test('an empty train split is an error; a dataset without a test split trains with the warning that evaluation is skipped', () => {
  const dir = scratch();
  const csv = path.join(dir, 'empty.csv');
  fs.writeFileSync(csv, 'source,question,answer,rating\n');
  const empty = path.join(dir, 'empty-data');
  expect(run('data', 'sudoku', '--input', csv, '--size', '4', '--output-dir', empty).status).toBe(0);
  const e = tinyTrain(empty);
  expect(e.status).toBe(2);
  expect(e.stderr).toMatch(/empty-data.train is empty \(0 puzzles\): there is nothing to train on/);
  noStack(e);
  const withTest = path.join(dir, 'with-test');
  expect(run(...sudokuDataArgs(withTest, 32, 8)).status).toBe(0);
  const trainOnly = path.join(dir, 'train-only');
  fs.mkdirSync(trainOnly);
  fs.cpSync(path.join(withTest, 'train'), path.join(trainOnly, 'train'), { recursive: true });
  const t = tinyTrain(trainOnly);
  expect(t.status).toBe(0);
  expect(t.stderr).toContain(`evaluation is skipped: ${trainOnly} has no test split`);
  expect(t.stderr).toMatch(/finished at step 4\/4/);
});

test('hrm train --help lists every setting and model setting', () => {
  const help = run('train', '--help').stdout;
  for (const k of ['globalBatchSize', 'evalInterval', 'lrWarmupSteps', 'checkpointEvery', 'arch.hiddenSize', 'arch.haltMaxSteps', 'arch.evalHalting']) expect(help).toContain(k);
  expect(help).not.toMatch(/arch\.seqLen|onProgress/);
});
