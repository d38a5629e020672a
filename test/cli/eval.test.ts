/** `hrm eval` (src/cli/eval.ts): fixed and scaled halting on a tiny sudoku run, ARC voting, and bad input, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { TINY_ARCH, buildTinyArcData, run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-eval-');

test('eval --scaling reports each halt limit and the accuracy after each step', () => {
  const { checkpoint, data } = trainTinySudoku(scratch());
  const e = run('eval', '--checkpoint', checkpoint, '--data', data, '--scaling', '1,3');
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/halt limit 1: exact accuracy [\d.]+%/);
  expect(e.stdout).toMatch(/halt limit 3: .*\n.*1:[\d.]+% 2:[\d.]+% 3:[\d.]+%/);
});

test('ARC: build, train a few steps, evaluate with voting', () => {
  const { data, build } = buildTinyArcData(scratch());
  expect(build.status).toBe(0);
  const out = path.join(scratch(), 'arc-run');
  const t = run('train', '--task', 'arc', '--data', data, '--output', out, '--threads', '1', ...TINY_ARCH, 'arch.haltMaxSteps=1', 'arch.puzzleEmbNdim=16', 'globalBatchSize=4', 'epochs=1', 'evalMaxExamples=8');
  expect(t.status).toBe(0);
  const ckpt = fs.readdirSync(path.join(out, 'checkpoints')).sort().pop()!;
  const e = run('eval', '--checkpoint', path.join(out, 'checkpoints', ckpt), '--data', data, '--max-examples', '12');
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/ARC \(3 tasks\): pass@1 [\d.]+%, pass@2 [\d.]+%/);
});

test('bad input: a stray override, a missing checkpoint; clear messages and exit codes', () => {
  const dir = scratch();
  const extra = run('eval', '--checkpoint', dir, '--data', dir, 'lr=1');
  expect(extra.status).toBe(2);
  expect(extra.stderr).toMatch(/hrm eval: unexpected lr=1/);
  const missing = run('eval', '--checkpoint', path.join(dir, 'nope.safetensors'), '--data', dir);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toMatch(/--checkpoint: .*nope.safetensors does not exist/);
});
