/**
 * The Trainer data-parallel (2 ranks as child processes on 127.0.0.1): it ends with the parameters
 * and metrics of one process over the same global batches, a resumed 2-rank run continues
 * exactly, and `hrm launch ... hrm train` writes one run folder (rank 0's) with each step once,
 * also when two launchers run as two nodes (--nnodes 2).
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildTinySudokuData } from '../helpers/hrm';
import { tmpDir } from '../helpers/reference';
import { glooAvailable, runRanks, RankOutcome } from '../helpers/distributed';
import { hrm, sudokuDataArgs, tinyTrainArgs } from '../cli/helpers';
import { freePort } from '../../src/util/net';

const withGloo = glooAvailable() ? describe : describe.skip;
const FIXTURE = path.join(__dirname, 'fixtures', 'dp-trainer.js');

type State = Record<string, number[]>;
/** The largest |a - b| of a tensor relative to the largest |b| of that tensor, over every tensor. */
const maxRelDiff = (a: State, b: State) =>
  Math.max(...Object.keys(b).map((k) => Math.max(...b[k].map((v, i) => Math.abs(a[k][i] - v))) / Math.max(...b[k].map(Math.abs), 1e-30)));
const records = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

let data: string;
let out: string;

beforeAll(() => {
  data = tmpDir('dp-trainer-data-');
  out = tmpDir('dp-trainer-out-');
  buildTinySudokuData(data, { train: 96, test: 20 });
});
afterAll(() => {
  for (const d of [data, out]) fs.rmSync(d, { recursive: true, force: true });
});

// 96 puzzles, batch 16, 4 epochs = 24 steps, evaluated after each 2 epochs; no exploration draws.
const options = (outputDir: string, extra: Record<string, unknown> = {}) => ({
  dataPath: path.join(data, 'ds'),
  outputDir,
  globalBatchSize: 16,
  epochs: 4,
  evalInterval: 2,
  lr: 3e-3,
  lrWarmupSteps: 4,
  puzzleEmbLr: 1e-2,
  seed: 5,
  threads: 1,
  arch: { hiddenSize: 32, numHeads: 2, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 3, puzzleEmbNdim: 32, expansion: 2, haltExplorationProb: 0 },
  ...extra,
});

async function train(worldSize: number, opts: object, env: Record<string, string> = {}): Promise<RankOutcome[]> {
  const ranks = await runRanks('', worldSize, { env, timeoutMs: 50_000, command: () => [process.execPath, [FIXTURE, JSON.stringify(opts)]] });
  for (const r of ranks) expect([r.rank, r.status, r.result?.message]).toEqual([r.rank, 0, undefined]);
  return ranks;
}

withGloo('the Trainer on 2 ranks', () => {
  let twoRanks: RankOutcome[];

  test('ends with the parameters and metrics of 1 process over the same global batches', async () => {
    const [plain] = await train(1, options(path.join(out, 'plain')), { DP_PLAIN: '1' });
    twoRanks = await train(2, options(path.join(out, 'dp')));
    const [r0, r1] = twoRanks.map((r) => r.result);
    expect(r0.result).toEqual({ step: 24, interrupted: false, checkpoint: expect.stringContaining('step_00000024') });
    expect(r1.result.checkpoint).toBeUndefined(); // rank 1 wrote nothing
    expect(maxRelDiff(r1.params, r0.params)).toBe(0);
    // the collectives, the gathered carries and the last carry leave no tensor behind
    expect([plain.result, r0, r1].map((r) => [r.leftover, r.freedByGc])).toEqual([[0, 0], [0, 0], [0, 0]]);
    expect(maxRelDiff(r0.params, plain.result.params)).toBeLessThan(1e-5);
    // every rank evaluated its slice of the 20 test puzzles and got the whole split's metrics
    expect(r1.lastEval).toEqual(r0.lastEval);
    expect(r0.lastEval.examples).toBe(20);
    expect(r1.evaluateError).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('Trainer.evaluate(): this Trainer is data-parallel (rank 1 of 2); its evaluation is a collective of every rank') });
    for (const [k, v] of Object.entries(plain.result.lastEval.sets.all)) expect([k, Math.abs(r0.lastEval.sets.all[k] - (v as number)) <= 1e-4 * Math.max(1, Math.abs(v as number))]).toEqual([k, true]);
    // each step logged once, with the whole global batch's metrics
    const [dp, one] = [records(path.join(out, 'dp')), records(path.join(out, 'plain'))];
    expect(dp.map((r) => [r.kind, r.step])).toEqual(one.map((r) => [r.kind, r.step]));
    for (const [a, b] of dp.map((r, i) => [r, one[i]])) {
      for (const k of Object.keys(b)) if (typeof b[k] === 'number') expect([k, Math.abs(a[k] - b[k]) <= 1e-4 * Math.max(1, Math.abs(b[k]))]).toEqual([k, true]);
    }
    expect(fs.readdirSync(path.join(out, 'dp', 'checkpoints')).sort()).toEqual(fs.readdirSync(path.join(out, 'plain', 'checkpoints')).sort());
  }, 120_000);

  test('interrupted after 10 steps and resumed, it continues exactly: the parameters and metrics of the uninterrupted run', async () => {
    const dir = path.join(out, 'resumed');
    const stopped = await train(2, options(dir, { stopAfterSteps: 10 }));
    expect(stopped.map((r) => r.result.result.step)).toEqual([10, 10]);
    expect(stopped[0].result.result).toMatchObject({ interrupted: true, checkpoint: expect.stringContaining('step_00000010') });
    const resumed = await train(2, options(dir, { resume: true }));
    expect(resumed[0].result.params).toEqual(twoRanks[0].result.params);
    expect(resumed[1].result.params).toEqual(twoRanks[1].result.params);
    expect(records(dir)).toEqual(records(path.join(out, 'dp')));
  }, 120_000);

  test('the global batch size must divide by the world size', async () => {
    const ranks = await runRanks('', 2, { timeoutMs: 50_000, command: () => [process.execPath, [FIXTURE, JSON.stringify(options(path.join(out, 'odd'), { globalBatchSize: 15 }))]] });
    for (const r of ranks) expect([r.status, r.result?.code, r.result?.message]).toEqual([1, 'INVALID_ARGUMENT', expect.stringContaining('globalBatchSize must be a positive integer divisible by the world size (2 ranks), got number 15')]);
    expect(fs.existsSync(path.join(out, 'odd'))).toBe(false);
  }, 60_000);
});

withGloo('hrm launch --nproc-per-node 2 -- hrm train', () => {
  test('exits 0 with one run folder, each step logged once', () => {
    const ds = path.join(out, 'cli-data');
    expect(spawnSync(process.execPath, [hrm, ...sudokuDataArgs(ds)], { encoding: 'utf8' }).status).toBe(0);
    const run = path.join(out, 'cli-run');
    const r = spawnSync(process.execPath, [hrm, 'launch', '--nproc-per-node', '2', '--', process.execPath, hrm, ...tinyTrainArgs(ds, run)], {
      encoding: 'utf8',
      timeout: 50_000,
    });
    expect([r.status, r.stderr]).toEqual([0, expect.stringContaining('[rank 0] hrm train: sudoku (cpu preset)')]);
    expect(r.stderr).toContain('on 2 ranks');
    expect(r.stderr).not.toContain('[rank 1] hrm train:');
    // the files of a single-process run of the same settings, no more
    const single = path.join(out, 'cli-single');
    expect(spawnSync(process.execPath, [hrm, ...tinyTrainArgs(ds, single)], { encoding: 'utf8', timeout: 50_000 }).status).toBe(0);
    expect(fs.readdirSync(run).sort()).toEqual(fs.readdirSync(single).sort());
    expect(fs.readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(fs.readdirSync(path.join(single, 'checkpoints')).sort());
    const steps = records(run).filter((x) => x.kind === 'train').map((x) => x.step);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  }, 60_000);
});

withGloo('hrm launch --nnodes 2: two launchers as two nodes', () => {
  test('node 0 and node 1 (one process each) train as one 2-rank group: the run of one 2-process launcher', async () => {
    const ds = path.join(out, 'cli-data'); // built by the test above
    const run = path.join(out, 'cli-nodes');
    const port = String(await freePort());
    const node = (rank: number) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const args = ['launch', '--nproc-per-node', '1', '--nnodes', '2', '--node-rank', String(rank), '--master-addr', '127.0.0.1', '--master-port', port, '--', process.execPath, hrm, ...tinyTrainArgs(ds, run)];
        const child = spawn(process.execPath, [hrm, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
        child.on('close', (status) => (clearTimeout(timer), resolve({ status, stderr })));
      });
    const [n0, n1] = await Promise.all([node(0), node(1)]);
    expect([n0.status, n1.status]).toEqual([0, 0]);
    expect(n0.stderr).toContain('[rank 0] hrm train: sudoku (cpu preset)');
    expect(n0.stderr).toContain('on 2 ranks');
    expect(n1.stderr).not.toContain('hrm train:'); // node 1 runs rank 1, which writes and reports nothing
    // the same files and metrics as the single launcher with 2 processes (test above)
    expect(fs.readdirSync(path.join(run, 'checkpoints')).sort()).toEqual(fs.readdirSync(path.join(out, 'cli-run', 'checkpoints')).sort());
    const numbers = (dir: string) => records(dir).map((r) => Object.fromEntries(Object.entries(r).filter(([k, v]) => typeof v === 'number' && k !== 'time')));
    expect(numbers(run)).toEqual(numbers(path.join(out, 'cli-run')));
  }, 60_000);
});

withGloo('Ctrl-C under hrm launch', () => {
  test('every rank stops at the same step and rank 0 writes one checkpoint of it', async () => {
    const ds = path.join(out, 'cli-data'); // built by the test above
    const run = path.join(out, 'cli-sigint');
    const args = [...tinyTrainArgs(ds, run), 'epochs=40', 'evalInterval=40'];
    const child = spawn(process.execPath, [hrm, 'launch', '--nproc-per-node', '2', '--', process.execPath, hrm, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const trained = () => (fs.existsSync(path.join(run, 'metrics.jsonl')) ? records(run).filter((x) => x.kind === 'train').length : 0);
    const t0 = Date.now();
    while (trained() < 3 && Date.now() - t0 < 40_000) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    const steps = records(run).map((x) => x.step);
    const last = steps[steps.length - 1];
    expect(last).toBeLessThan(240);
    expect(steps).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(fs.readdirSync(path.join(run, 'checkpoints'))).toEqual([`step_${String(last).padStart(8, '0')}.safetensors`]);
    expect(stderr).toContain(`[rank 0] stopped at step ${last}/240`);
    expect(stderr).not.toMatch(/DISTRIBUTED_ERROR|Error:/);
  }, 60_000);
});
