/** The ablation harness (src/analysis/ablation.ts) and `hrm ablate` (src/cli/ablate.ts) on a tiny Sudoku dataset. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { errorOf } from '../helpers/errors';
import { run, scratchFolder, sudokuDataArgs, TINY_ARCH } from '../cli/helpers';

const scratch = scratchFolder('ablation-');

const base: ht.AblationBase = {
  arch: { hiddenSize: 16, numHeads: 2, expansion: 2, hLayers: 1, lLayers: 1, hCycles: 2, lCycles: 2, haltMaxSteps: 2, puzzleEmbNdim: 0 },
  globalBatchSize: 16, epochs: 1, lr: 1e-3, threads: 1,
};

function tinyData(dir: string): string {
  const data = path.join(dir, 'data');
  const r = run(...sudokuDataArgs(data, 48, 16));
  if (r.status !== 0) throw new Error(`hrm data sudoku failed: ${r.stderr}`);
  return data;
}

test('each variant changes only what it names; direct prediction keeps the parameters', () => {
  const v = Object.fromEntries(ht.ablationVariants().map((x) => [x.name, x.apply(base)]));
  expect(v.hrm).toEqual(base);
  expect(v['hrm-full-backprop'].arch).toEqual({ ...base.arch, backprop: 'last-cycle' });
  expect(v['hrm-ds1'].arch).toEqual({ ...base.arch, haltMaxSteps: 1 });
  expect(v.direct.arch).toEqual({ ...base.arch, hCycles: 1, lCycles: 1, haltMaxSteps: 1 });
  const { hLayers: _h, ...rest } = base.arch!;
  expect(v.trm).toEqual({ ...base, model: 'trm', arch: { ...rest, lLayers: 2, hCycles: 3, lCycles: 2 } });
  for (const name of Object.keys(v)) expect({ ...v[name], arch: undefined, model: undefined }).toEqual({ ...base, arch: undefined });
  expect(errorOf(() => ht.ablationVariants(['hrm', 'trn'])).message).toMatch(/unknown ablation variant 'trn'/);
  expect(errorOf(() => ht.ablationVariants([])).message).toMatch(/non-empty list/);
});

test('runs every variant and seed on the same data, writes a result per run, and skips finished runs when run again', async () => {
  const dir = path.join(scratch(), 'api');
  const dataPath = tinyData(dir);
  const outputDir = path.join(dir, 'ablate');
  const events: string[] = [];
  const opts: ht.AblationOptions = { dataPath, outputDir, base, variants: ['hrm', 'trm'], seeds: [0, 1], onRun: (e) => events.push(`${e.kind} ${e.variant} ${e.seed}`) };
  const r = await ht.runAblation(opts);
  expect(events.filter((e) => e.startsWith('done'))).toEqual(['done hrm 0', 'done trm 0', 'done hrm 1', 'done trm 1']);
  expect(r.runs).toHaveLength(4);
  for (const x of r.runs) {
    expect(x.steps).toBe(3); // 48 training puzzles / batch 16, one epoch
    expect(x.exactAccuracy).toBeGreaterThanOrEqual(0);
    expect(x.exactAccuracy).toBeLessThanOrEqual(1);
    expect(fs.existsSync(path.join(outputDir, `${x.variant}-seed${x.seed}`, 'result.json'))).toBe(true);
  }
  // TRM's one network of 2 blocks against HRM's two modules of 1 block each: the same parameters here.
  expect(r.summary.map((s) => s.parameters)).toEqual([r.runs[0].parameters, r.runs[0].parameters]);
  // The TRM run really trained a TRM: its checkpoint says so, and it loads as one.
  const trmModel = ht.loadModel(path.join(outputDir, 'trm-seed0', 'checkpoints', 'step_00000003.safetensors'));
  expect(trmModel).toBeInstanceOf(ht.TRM);
  trmModel.dispose();
  // The two seeds really are different runs.
  const losses = (v: string, s: number) => fs.readFileSync(path.join(outputDir, `${v}-seed${s}`, 'metrics.jsonl'), 'utf8').split('\n')[0];
  expect(losses('hrm', 0)).not.toEqual(losses('hrm', 1));
  const again = await ht.runAblation({ ...opts, onRun: (e) => events.push(`${e.kind} ${e.variant} ${e.seed}`) });
  expect(events.slice(-4)).toEqual(['skipped hrm 0', 'skipped trm 0', 'skipped hrm 1', 'skipped trm 1']);
  expect(again.summary).toEqual(r.summary);
  const table = ht.formatAblationTable(r.summary);
  expect(table.split('\n')).toHaveLength(4);
  expect(table).toMatch(/\| hrm \| [\d,]+ \| 3 \| [\d.]+ ± [\d.]+ \|/);
});

test('summaries: mean, sample spread and range over seeds', () => {
  const runs: ht.AblationRun[] = [0.5, 0.7, 0.9].map((e, seed) => ({ variant: 'hrm', seed, exactAccuracy: e, accuracy: 0.9, parameters: 10, steps: 5, seconds: 2 }));
  const [s] = ht.summarizeAblation(runs);
  expect(s.exactMean).toBeCloseTo(0.7, 12);
  expect(s.exactStd).toBeCloseTo(0.2, 12);
  expect([s.exactMin, s.exactMax, s.runs]).toEqual([0.5, 0.9, 3]);
});

test('hrm ablate prints the table and writes ablation.json / ablation.md; bad arguments are named', () => {
  const dir = path.join(scratch(), 'cli');
  const data = tinyData(dir);
  const out = path.join(dir, 'ablate');
  const r = run('ablate', '--task', 'sudoku', '--data', data, '--output', out, '--variants', 'hrm-ds1', '--seeds', '1', ...TINY_ARCH, 'arch.haltMaxSteps=2', 'globalBatchSize=16', 'epochs=1', 'evalInterval=1');
  expect(r.stderr).toMatch(/hrm-ds1, seed 0: held-out exact/);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/\| hrm-ds1 \|/);
  const saved = JSON.parse(fs.readFileSync(path.join(out, 'ablation.json'), 'utf8'));
  expect(saved.runs).toHaveLength(1);
  expect(saved.base.arch.hiddenSize).toBe(16);
  expect(fs.readFileSync(path.join(out, 'ablation.md'), 'utf8')).toContain('| hrm-ds1 |');
  const bad = run('ablate', '--task', 'sudoku', '--data', data, '--variants', 'hmr');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/unknown ablation variant 'hmr' \(did you mean 'hrm'\?\)/);
  const seeds = run('ablate', '--task', 'sudoku', '--data', data, '--seeds', 'x');
  expect(seeds.status).toBe(2);
  expect(seeds.stderr).toMatch(/--seeds must be a count/);
});

test('bad arguments name the function, the argument and what was given', () => {
  expect(errorOf(() => ht.summarizeAblation(undefined as never)).message).toMatch(/summarizeAblation\(\): runs must be a list of runs \(AblationResult\.runs\), got undefined/);
  expect(errorOf(() => ht.summarizeAblation([], 3 as never)).message).toMatch(/summarizeAblation\(\): variants must be a list of variants/);
  expect(errorOf(() => ht.formatAblationTable([null] as never)).message).toMatch(/formatAblationTable\(\): summary\[0\] must be a summary/);
});
