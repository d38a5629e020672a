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
