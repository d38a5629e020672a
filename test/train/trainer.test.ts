/** The Trainer end to end on a tiny generated task: learning, exact resume (with EMA too), safe checkpoints that record the model, the best checkpoint kept, refusals that keep a run folder as it was. */
import { withTrainingReport } from '../../src/report/training';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Trainer, TrainOptions } from '../../src/train/trainer';
import { loadModel } from '../../src/eval/solve';
import { readCheckpointInfo } from '../../src/checkpoint/state-file';
import { noGrad } from '../../src/tensor/autograd';
import { scope } from '../../src/tensor/scope';
import { loadSafetensors, saveSafetensors } from '../../src/tensor/io';
import { tmpDir } from '../helpers/reference';
import { buildTinySudokuData } from '../helpers/hrm';
import { folderSnapshot } from '../helpers/files';
import { deadPid } from '../helpers/child';

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

  test.each([
    ['without EMA', {}],
    ['with EMA (evaluated on the average, which the checkpoints hold)', { ema: 0.9 }],
  ])('a run interrupted and resumed logs exactly what an uninterrupted run logs, %s', async (_, extra: Partial<TrainOptions>) => {
    const a = tmpDir('trainer-a-');
    const ta = new Trainer(options(a, extra));
    const ra = await ta.run();
    if (ta.ema) {
      // The checkpoint's model (what eval and solve load) is the average; the trained weights differ from it.
      const saved = loadModel(ra.checkpoint!);
      const average = ta.ema.state();
      const trained = new Map(ta.model.namedParameters());
      let differs = false;
      for (const [n, p] of saved.namedParameters()) {
        expect(p.toTypedArray()).toEqual(average[n].toTypedArray());
        differs ||= scope(() => Number(p.sub(trained.get(n)!).abs().sum().item()) > 0);
      }
      expect(differs).toBe(true);
      expect(readCheckpointInfo(ra.checkpoint!).extra).toMatchObject({ model: 'hrm', ema: 0.9 });
      saved.dispose();
    }
    ta.dispose();

    const b = tmpDir('trainer-b-');
    const tb = new Trainer(options(b, { ...extra, stopAfterSteps: 7 })); // stops inside the first pass
    const first = await tb.run();
    tb.dispose();
    expect(first.interrupted).toBe(true);
    expect(first.step).toBe(7);
    const tb2 = new Trainer(options(b, { ...extra, resume: true, stopAfterSteps: 9 })); // crosses an evaluation
    const second = await tb2.run();
    tb2.dispose();
    expect(second.step).toBe(16);
    const tb3 = new Trainer(options(b, { ...extra, resume: true }));
    await tb3.run();
    tb3.dispose();
    // Bitwise: every logged number of every step and evaluation is identical.
    expect(trainRecords(b)).toEqual(trainRecords(a));
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  });

  test('a late collapse does not cost the run: the best evaluation\'s checkpoint is kept as best.safetensors through rotation, and a resume keeps comparing against it', async () => {
    // 96 groups, 3 epochs per pass, batch 16: evaluations at steps 18, 36 and 54. After the first
    // one the weights are zeroed after every step, so every later evaluation is worse.
    const out = tmpDir('trainer-best-');
    const collapse = (t: () => Trainer) => (e: { kind: string; step: number }) => {
      if (e.kind === 'step' && e.step > 18) noGrad(() => t().model.parameters().forEach((p) => p.zero_()));
    };
    const events: string[] = [];
    let t: Trainer;
    t = new Trainer(
      options(out, {
        epochs: 9,
        keepCheckpoints: 1,
        keepBest: 'accuracy',
        stopAfterSteps: 40,
        onProgress: (e) => {
          collapse(() => t)(e);
          if (e.kind === 'best') events.push(e.message!);
        },
      }),
    );
    const first = await t.run();
    t.dispose();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatch(/^accuracy 0\.\d+ at step 18: .*best\.safetensors$/);
    const best = path.join(out, 'checkpoints', 'best.safetensors');
    expect(first.bestCheckpoint).toBe(best);
    const evals = trainRecords(out).filter((x) => x.kind === 'eval');
    expect(evals.map((x) => x.step)).toEqual([18, 36]);
    expect(evals[1].accuracy as number).toBeLessThan(evals[0].accuracy as number);
    // Resumed to the end: the last evaluation is worse still, and the best stays the one of step 18.
    t = new Trainer(options(out, { epochs: 9, keepCheckpoints: 1, keepBest: 'accuracy', resume: true, onProgress: (e) => collapse(() => t)(e) }));
    const r = await t.run();
    t.dispose();
    expect(r.step).toBe(54);
    expect(r.bestCheckpoint).toBeUndefined(); // no evaluation of this run beat it
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['best.safetensors', 'step_00000054.safetensors']);
    const info = readCheckpointInfo(best);
    expect(info.step).toBe(18);
    expect(info.extra.best).toEqual({ metric: 'accuracy', value: evals[0].accuracy, step: 18 });
    // The newest checkpoint records the same best, for the next resume.
    expect(readCheckpointInfo(path.join(out, 'checkpoints', 'step_00000054.safetensors')).extra.best).toEqual(info.extra.best);
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('options: a bad model kind, EMA rate or keepBest metric is refused naming what was given; keepBest without a test split too', () => {
    const out = tmpDir('trainer-opts-');
    expect(() => new Trainer(options(out, { model: 'gpt' as 'hrm' }))).toThrow(/options\.model must be 'hrm' or 'trm', got string "gpt"/);
    expect(() => new Trainer(options(out, { ema: 1 }))).toThrow(/options\.ema must be a rate in \[0, 1\) \(e\.g\. 0\.999\), got .*1/);
    expect(() => new Trainer(options(out, { keepBest: 'exact' as 'accuracy' }))).toThrow(/options\.keepBest must be false or one of 'exact_accuracy', .*got .*"exact"/);
    const copy = tmpDir('trainer-no-test-');
    fs.cpSync(path.join(data, 'ds', 'train'), path.join(copy, 'train'), { recursive: true });
    expect(() => new Trainer({ ...options(out, { keepBest: 'exact_accuracy' }), dataPath: copy })).toThrow(/keepBest 'exact_accuracy' needs evaluations, but .* has no test split/);
    const t = new Trainer({ ...options(out), dataPath: copy }); // the default: no best without evaluations
    expect(t.options.keepBest).toBe(false);
    t.dispose();
    fs.rmSync(copy, { recursive: true, force: true });
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a resume whose newest checkpoint is corrupt (cut short) is refused and changes nothing; moved aside, the older one is resumed and stale temporaries go', async () => {
    const out = tmpDir('trainer-c-');
    const t = new Trainer(options(out, { stopAfterSteps: 5 }));
    await t.run();
    t.dispose();
    const dir = path.join(out, 'checkpoints');
    const good = fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors'));
    expect(good).toEqual(['step_00000005.safetensors']);
    // A newer checkpoint damaged after it was written, a temporary a killed write left, and a user's file.
    const bytes = fs.readFileSync(path.join(dir, good[0]));
    fs.writeFileSync(path.join(dir, 'step_00000009.safetensors'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const stale = path.join(dir, `.step_00000010.safetensors.${deadPid()}.1700000000000.tmp`);
    fs.writeFileSync(stale, bytes);
    fs.writeFileSync(path.join(dir, 'notes.tmp'), 'mine');
    const before = folderSnapshot(out);
    const events: string[] = [];
    const t2 = new Trainer(options(out, { resume: true, stopAfterSteps: 1, keepCheckpoints: 1, onProgress: (e) => events.push(e.kind) }));
    const refused = t2.run();
    await expect(refused).rejects.toThrow(
      /cannot resume .* from .*step_00000009\.safetensors: it does not load \(.*truncated.*\)\. Nothing was changed; move it out of .*checkpoints to resume from step_00000005\.safetensors, or train into another output folder/,
    );
    await expect(refused).rejects.toMatchObject({ code: 'CORRUPT_FILE' });
    t2.dispose();
    expect(events).toEqual([]); // not even 'start'
    expect(folderSnapshot(out)).toEqual(before); // no file touched: no restart at step 0, no rotation, no truncation
    // Moved aside, the older checkpoint is resumed; the stale temporary is removed, the user's file kept.
    fs.renameSync(path.join(dir, 'step_00000009.safetensors'), path.join(out, 'step_00000009.safetensors.damaged'));
    const messages: string[] = [];
    const t3 = new Trainer(options(out, { resume: true, stopAfterSteps: 1, keepCheckpoints: 1, onProgress: (e) => e.kind === 'resume' && messages.push(e.message ?? '') }));
    const r = await t3.run();
    t3.dispose();
    expect(messages).toEqual([path.join(dir, 'step_00000005.safetensors')]);
    expect(r.step).toBe(6); // continued from step 5
    expect(fs.readdirSync(dir).sort()).toEqual(['notes.tmp', 'step_00000006.safetensors']);
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

  test('--resume with a different architecture is refused naming the keys that differ (old vs new), and no file is touched', async () => {
    const out = tmpDir('trainer-arch-');
    const t = new Trainer(options(out, { stopAfterSteps: 4, keepCheckpoints: 3 }));
    await t.run();
    t.dispose();
    const before = folderSnapshot(out);
    const arch = { ...options(out).arch, hiddenSize: 64, hLayers: 2 };
    const t2 = new Trainer(options(out, { arch, resume: true, keepCheckpoints: 3 }));
    const refused = t2.run();
    await expect(refused).rejects.toThrow(
      /cannot resume .* from .*step_00000004\.safetensors: its model config differs from this run's \(hLayers: 1 in the checkpoint, 2 now; hiddenSize: 32 in the checkpoint, 64 now\)\. Nothing was changed; resume with the checkpoint's settings, or train into another output folder/,
    );
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    t2.dispose();
    expect(folderSnapshot(out)).toEqual(before);
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('--resume from a checkpoint of another model kind is refused naming both kinds, and no file is touched', async () => {
    const out = tmpDir('trainer-kind-');
    const t = new Trainer(options(out, { stopAfterSteps: 2 }));
    await t.run();
    t.dispose();
    // The same checkpoint, as if another kind had written it.
    const file = path.join(out, 'checkpoints', 'step_00000002.safetensors');
    const { tensors, metadata } = loadSafetensors(file);
    saveSafetensors(file, tensors, { ...metadata, extra: JSON.stringify({ ...JSON.parse(metadata.extra), model: 'trm' }) });
    for (const x of Object.values(tensors)) x.dispose();
    const before = folderSnapshot(out);
    const t2 = new Trainer(options(out, { resume: true }));
    await expect(t2.run()).rejects.toThrow(/cannot resume .* from .*step_00000002\.safetensors: it holds a model of kind "trm", this run trains 'hrm'\. Nothing was changed; resume with model=trm, or train into another output folder/);
    t2.dispose();
    expect(folderSnapshot(out)).toEqual(before);
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a run without resume refuses a folder that already holds a run (its metrics and checkpoints are kept)', async () => {
    const out = tmpDir('trainer-fresh-');
    const t = new Trainer(options(out, { stopAfterSteps: 3 }));
    await t.run();
    t.dispose();
    const before = folderSnapshot(out);
    const t2 = new Trainer(options(out, { epochs: 3 }));
    await expect(t2.run()).rejects.toThrow(/already holds a run \(1 checkpoint\(s\), the newest step_00000003\.safetensors\); resume it \(resume: true, hrm train --resume\) or train into another output folder/);
    t2.dispose();
    expect(folderSnapshot(out)).toEqual(before);
    // Metrics without a checkpoint (killed before the first one) count as a run too.
    fs.rmSync(path.join(out, 'checkpoints'), { recursive: true });
    const t3 = new Trainer(options(out));
    await expect(t3.run()).rejects.toThrow(/already holds a run \(3 records in metrics\.jsonl\)/);
    t3.dispose();
    fs.rmSync(out, { recursive: true, force: true });
  });

  test('a kill between an evaluation record and its checkpoint: the resumed metrics.jsonl has each step once, as an uninterrupted run', async () => {
    // 96 groups, 3 epochs per pass, batch 16: a pass is 18 steps, evaluated at steps 18 and 36.
    const a = tmpDir('trainer-eval-a-');
    const ta = new Trainer(options(a));
    await ta.run();
    ta.dispose();
    const reference = trainRecords(a);
    const evalsAt18 = reference.filter((x) => x.kind === 'eval' && x.step === 18);
    expect(evalsAt18).toHaveLength(1);
    // The file state of the kill: the checkpoint of step 18 saved before the evaluation (as
    // checkpointEvery: 18 saves it), the evaluation of step 18 logged, then the kill before the
    // checkpoint that follows an evaluation.
    const b = tmpDir('trainer-eval-b-');
    const tb = new Trainer(options(b, { stopAfterSteps: 18 }));
    await tb.run();
    tb.dispose();
    fs.appendFileSync(path.join(b, 'metrics.jsonl'), evalsAt18.map((x) => JSON.stringify(x) + '\n').join(''));
    const tb2 = new Trainer(options(b, { resume: true }));
    await tb2.run();
    tb2.dispose();
    expect(trainRecords(b)).toEqual(reference);
    // A checkpoint saved after its evaluation (the end of a pass) keeps that evaluation's records.
    fs.rmSync(path.join(a, 'checkpoints', 'step_00000036.safetensors'));
    const ta2 = new Trainer(options(a, { resume: true }));
    await ta2.run();
    ta2.dispose();
    expect(trainRecords(a)).toEqual(reference);
    fs.rmSync(a, { recursive: true, force: true });
    fs.rmSync(b, { recursive: true, force: true });
  });

  test('a dataset whose test/ has no dataset.json (an interrupted build) is refused instead of training without evaluations', () => {
    const copy = tmpDir('trainer-partial-data-');
    fs.cpSync(path.join(data, 'ds'), copy, { recursive: true });
    fs.rmSync(path.join(copy, 'test', 'dataset.json'));
    expect(() => new Trainer({ ...options(tmpDir('trainer-partial-run-')), dataPath: copy })).toThrow(/test has no dataset\.json: an unfinished or damaged build, and its evaluations would be skipped; build the dataset again/);
    fs.rmSync(copy, { recursive: true, force: true });
  });
});
