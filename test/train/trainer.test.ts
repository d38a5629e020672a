/** The Trainer end to end on a tiny generated task: learning, exact resume, safe checkpoints that record the model. */
import { withTrainingReport } from '../../src/report/training';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Trainer, TrainOptions } from '../../src/train/trainer';
import { loadModel } from '../../src/eval/solve';
import { tmpDir } from '../helpers/reference';
import { buildTinySudokuData } from '../helpers/hrm';

let data: string;

beforeAll(() => {
  data = tmpDir('trainer-data-');
  buildTinySudokuData(data, { train: 96, test: 20 });
});

afterAll(() => fs.rmSync(data, { recursive: true, force: true }));

function options(outputDir: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    dataPath: path.join(data, 'ds'),
    outputDir,
    globalBatchSize: 16,
    epochs: 6,
    evalInterval: 3,
    lr: 3e-3,
    lrWarmupSteps: 4,
    weightDecay: 0.1,
    puzzleEmbLr: 1e-2,
    seed: 5,
    threads: 1,
    arch: { hiddenSize: 32, numHeads: 2, hLayers: 1, lLayers: 1, hCycles: 1, lCycles: 2, haltMaxSteps: 3, puzzleEmbNdim: 32, expansion: 2 },
    ...extra,
  };
}

function trainRecords(dir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe('Trainer', () => {
  test('a tiny run learns (loss falls), evaluates, checkpoints, and its report follows through onProgress', async () => {
    const out = tmpDir('trainer-run-');
    const t = new Trainer({ ...options(out), onProgress: withTrainingReport(out) });
    const r = await t.run();
    t.dispose();
    expect(r.interrupted).toBe(false);
    expect(r.step).toBe(t.totalSteps);
    const recs = trainRecords(out);
    const losses = recs.filter((x) => x.kind === 'train').map((x) => x.lm_loss as number);
    expect(losses.length).toBe(t.totalSteps);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) * 0.9);
    const evals = recs.filter((x) => x.kind === 'eval');
    expect(evals.length).toBe(2);
    // Each evaluation record says how many puzzles halted at each step (the report's histogram).
    const halted = evals[1].halted_at_step as number[];
    expect(halted.reduce((a, b) => a + b, 0)).toBe(evals[1].count);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
    expect(fs.readFileSync(path.join(out, 'report-loss.svg'), 'utf8')).toContain('<polyline');
    expect(t.listCheckpoints().length).toBe(2);
    // A checkpoint records the model's config, so eval/solve can rebuild the model from it alone.
    const model = loadModel(r.checkpoint!);
    expect(model.config).toEqual(t.config);
    model.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a run interrupted and resumed logs exactly what an uninterrupted run logs', async () => {
    const a = tmpDir('trainer-a-');
    const ta = new Trainer(options(a));
    await ta.run();
    ta.dispose();

    const b = tmpDir('trainer-b-');
    const tb = new Trainer(options(b, { stopAfterSteps: 7 })); // stops inside the first pass
    const first = await tb.run();
    tb.dispose();
    expect(first.interrupted).toBe(true);
    expect(first.step).toBe(7);
    const tb2 = new Trainer(options(b, { resume: true, stopAfterSteps: 9 })); // crosses an evaluation
    const second = await tb2.run();
    tb2.dispose();
    expect(second.step).toBe(16);
    const tb3 = new Trainer(options(b, { resume: true }));
    await tb3.run();
    tb3.dispose();
    // Bitwise: every logged number of every step and evaluation is identical.
    expect(trainRecords(b)).toEqual(trainRecords(a));
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  });

  test('a checkpoint cut short (a kill during a write) is never the one loaded', async () => {
    const out = tmpDir('trainer-c-');
    const t = new Trainer(options(out, { stopAfterSteps: 5 }));
    await t.run();
    t.dispose();
    const dir = path.join(out, 'checkpoints');
    const good = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
    expect(good).toEqual(['step_00000005.safetensors']);
    // A newer file that was cut short, and a leftover temporary file from an atomic write.
    const bytes = fs.readFileSync(path.join(dir, good[0]));
    fs.writeFileSync(path.join(dir, 'step_00000009.safetensors'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    fs.writeFileSync(path.join(dir, '.step_00000010.safetensors.123.tmp'), bytes.subarray(0, 100));
    const messages: string[] = [];
    const t2 = new Trainer(options(out, { resume: true, stopAfterSteps: 1, onProgress: (e) => e.kind === 'resume' && messages.push(e.message ?? '') }));
    const r = await t2.run();
    t2.dispose();
    expect(messages[0]).toMatch(/skipping .*step_00000009.*truncated/);
    expect(messages[1]).toMatch(/step_00000005/);
    expect(r.step).toBe(6); // continued from step 5
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('two seeded runs in concurrent worker threads log the same losses as one run alone', () => {
    // Each worker thread has its own default generator, so the two runs' initialisation and
    // exploration draws do not interleave (tiny model: a few steps is enough to tell).
    const dist = path.resolve(__dirname, '..', '..', 'dist', 'src');
    const out = tmpDir('trainer-workers-');
    const opts = (name: string) => ({ ...options(path.join(out, name), { epochs: 2, evalInterval: 2 }), arch: { ...options(out).arch, hiddenSize: 16, puzzleEmbNdim: 16 } });
    const script = `
      const { Worker } = require('worker_threads');
      const body = ${JSON.stringify(`
        const ht = require(${JSON.stringify(dist)});
        const fs = require('fs');
        const { parentPort, workerData } = require('worker_threads');
        (async () => {
          const t = new ht.Trainer(workerData);
          await t.run();
          t.dispose();
          const recs = fs.readFileSync(workerData.outputDir + '/metrics.jsonl', 'utf8').split('\\n').filter(Boolean).map((l) => JSON.parse(l));
          parentPort.postMessage(recs.filter((r) => r.kind === 'train').map((r) => r.lm_loss));
        })().catch((e) => { console.error(e); process.exit(3); });
      `)};
      const run = (o) => new Promise((res, rej) => { const w = new Worker(body, { eval: true, workerData: o }); w.on('message', res); w.on('error', rej); });
      (async () => {
        const [a, b] = await Promise.all([run(${JSON.stringify(opts('a'))}), run(${JSON.stringify(opts('b'))})]);
        const alone = await run(${JSON.stringify(opts('c'))});
        console.log(JSON.stringify({ a, b, alone }));
      })();
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 170_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const { a, b, alone } = JSON.parse(r.stdout.trim()) as { a: number[]; b: number[]; alone: number[] };
    expect(a.length).toBeGreaterThan(2);
    expect(a).toEqual(alone);
    expect(b).toEqual(alone);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
