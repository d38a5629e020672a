/** `hrm eval` (src/cli/eval.ts): fixed and scaled halting on a tiny sudoku run, ARC voting, and bad input, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { TINY_ARCH, buildTinyArcData, run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-eval-');

test('eval --scaling writes scaling.json and the plot into the run folder; its fixed points are plain evaluations', () => {
  const { checkpoint, data, out } = trainTinySudoku(scratch());
  const e = run('eval', '--checkpoint', checkpoint, '--data', data, '--scaling', '1,3');
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/fixed\s+limit\s+3: exact [\d.]+%, mean steps 3\.00/);
  const file = path.join(out, 'eval', 'scaling.json');
  expect(e.stdout).toContain(`scaling: ${file}`);
  const result = JSON.parse(fs.readFileSync(file, 'utf8')) as { limits: number[]; trainedMaxSteps: number; points: { maxSteps: number; halting: string; exactAccuracy: number; meanSteps: number }[] };
  expect(result.limits).toEqual([1, 3]);
  expect(result.points.map((p) => `${p.halting}@${p.maxSteps}`)).toEqual(['fixed@1', 'fixed@3', 'adaptive@1', 'adaptive@3']);
  for (const p of result.points.filter((q) => q.halting === 'adaptive')) expect(p.meanSteps).toBeLessThanOrEqual(p.maxSteps);
  expect(fs.readFileSync(path.join(out, 'eval', 'scaling.svg'), 'utf8')).toContain(`trained with ${result.trainedMaxSteps}`);
  // A fixed point is what a plain evaluation with that halt limit finds.
  const plain = run('eval', '--checkpoint', checkpoint, '--data', data, '--halt-max-steps', '3');
  const exact = Number(/halt limit 3: exact accuracy ([\d.]+)%/.exec(plain.stdout)![1]);
  expect(exact).toBeCloseTo(result.points[1].exactAccuracy * 100, 2);
  // The plain evaluation is written into the run folder too, and the run's index lists both.
  const evaluation = JSON.parse(fs.readFileSync(path.join(out, 'eval', 'eval.json'), 'utf8'));
  expect(evaluation.haltMaxSteps).toBe(3);
  expect(evaluation.exactAccuracyAtHalt.all).toBeCloseTo(result.points[1].exactAccuracy, 12);
  expect(fs.existsSync(path.join(out, 'eval', 'halting.svg'))).toBe(true);
  // --adaptive (continuous batching) is the adaptive point: every puzzle counted at its halting step.
  const adaptive = run('eval', '--checkpoint', checkpoint, '--data', data, '--halt-max-steps', '3', '--adaptive');
  expect(adaptive.status).toBe(0);
  expect(adaptive.stdout).toMatch(/halt limit 3 \(adaptive\): exact accuracy/);
  const a = JSON.parse(fs.readFileSync(path.join(out, 'eval', 'eval.json'), 'utf8'));
  expect(a.adaptive).toBe(true);
  expect(a.exactAccuracyAtHalt.all).toBeCloseTo(result.points[3].exactAccuracy, 12);
  expect(a.meanHaltStep.all).toBeCloseTo(result.points[3].meanSteps, 12);
  expect(a.sets.all.exact_accuracy).toBeCloseTo(a.exactAccuracyAtHalt.all, 12);
  expect(a.sets.all.steps).toBeCloseTo(a.meanHaltStep.all, 12);
  const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  for (const f of ['report.html', 'eval/eval.json', 'eval/scaling.json']) expect(index).toContain(`href="${f}"`);
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

test('ARC on a 10x10 canvas: train, evaluate with voting, solve one task', () => {
  const { data, build } = buildTinyArcData(scratch(), '--canvas', '10', '--overwrite');
  expect(build.status).toBe(0);
  const out = path.join(scratch(), 'arc10-run');
  const t = run('train', '--task', 'arc', '--data', data, '--output', out, '--threads', '1', ...TINY_ARCH, 'arch.haltMaxSteps=1', 'arch.puzzleEmbNdim=16', 'globalBatchSize=4', 'epochs=1');
  expect(t.status).toBe(0);
  const ckpt = path.join(out, 'checkpoints', fs.readdirSync(path.join(out, 'checkpoints')).sort().pop()!);
  const e = run('eval', '--checkpoint', ckpt, '--data', data);
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/ARC \(1 tasks\): pass@1 [\d.]+%, pass@2 [\d.]+%/); // 00576224, the one evaluation task that fits
  const task = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'arc', 'arc-agi-1', 'evaluation', '00576224.json');
  const s = run('solve', '--checkpoint', ckpt, '--arc', task, '--data', data, '--html', path.join(out, 'arc10.html'));
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/answer after \d+ step\(s\)/);
  expect(fs.readFileSync(path.join(out, 'arc10.html'), 'utf8')).toContain('<svg');
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

test('step limits are integers from 1 to 1024: --halt-max-steps 0 and --scaling abc are errors naming the flag, not crashes', () => {
  const { checkpoint, data } = trainTinySudoku(path.join(scratch(), 'limits'));
  const cases: [string[], RegExp][] = [
    [['--halt-max-steps', '0'], /--halt-max-steps must be an integer from 1 to 1024, got 0/],
    [['--halt-max-steps', '5000'], /--halt-max-steps must be an integer from 1 to 1024, got 5000/],
    [['--scaling', 'abc'], /--scaling must be step limits separated by commas, each an integer from 1 to 1024 \(e\.g\. 1,2,4,8,16\), got 'abc'/],
    [['--scaling', '1,2000'], /--scaling must be step limits .*got '1,2000'/],
    [['--max-examples', '0'], /--max-examples must be an integer >= 1, got 0/],
    [['--device', 'tpu'], /--device must be 'cpu', 'cuda' or 'cuda:N' \(N a device index\); got string "tpu"/],
    [['--halt-max-step', '3'], /unknown option\(s\) --halt-max-step \(did you mean --halt-max-steps\?\)/],
  ];
  for (const [extra, message] of cases) {
    const r = run('eval', '--checkpoint', checkpoint, '--data', data, ...extra);
    expect([extra.join(' '), r.status]).toEqual([extra.join(' '), 2]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/Cannot read properties|Invalid array length|\n\s+at /);
  }
});
