/**
 * Data-parallel training with src/train/data-parallel.ts (the ranks are child scripts in
 * test/distributed/fixtures): 2 ranks, each on half of every global batch, with the gradients
 * all-reduced in buckets and the sparse puzzle embedding's rows all-gathered, end with the
 * parameters of one process trained on the whole batches, with the gradients copied through
 * flat buffers or living in them (GradientBuckets); and an evaluation split over 2 ranks finds
 * what one process evaluating every row finds.
 */
import * as fs from 'fs';
import * as ht from '../../src';
import { GradientBuckets } from '../../src/train/data-parallel';
import { expectInvalidArgument } from '../helpers/errors';
import { glooAvailable, runRanks } from '../helpers/distributed';
import { buildTinySudokuData } from '../helpers/hrm';
import { tmpDir } from '../helpers/reference';

const withGloo = glooAvailable() ? describe : describe.skip;

type State = Record<string, number[]>;
const maxDiff = (a: State, b: State) => Math.max(...Object.keys(a).map((k) => Math.max(...a[k].map((v, i) => Math.abs(v - b[k][i])))));

withGloo('a tiny model (sparse embedding + MLP), 12 steps', () => {
  test.each([
    ['allReduceGradients (copies through flat buffers)', {}],
    ['GradientBuckets (the gradients are views into the flat buffers)', { DP_BUCKETS: '1' }],
  ])('%s: 2 ranks end with the parameters of 1 process over the same global batches', async (_, env: Record<string, string>) => {
    const [plain] = await runRanks('data-parallel.js', 1, { env: { DP_PLAIN: '1' }, timeoutMs: 50_000 });
    const ranks = await runRanks('data-parallel.js', 2, { env, timeoutMs: 50_000 });
    // 6 parameters of 4 to 128 floats in buckets of 256 bytes: several buckets
    if (env.DP_BUCKETS) expect(ranks[0].result.bucketCount).toBeGreaterThan(2);
    for (const r of [plain, ...ranks]) expect([r.status, r.result?.message]).toEqual([0, undefined]);
    const [r0, r1] = ranks.map((r) => r.result);
    // the ranks start from different seeds; the broadcast makes rank 0's weights everyone's
    expect(maxDiff(r0.initial, r1.initial)).toBeGreaterThan(0.01);
    expect(r1.afterBroadcast).toEqual(r0.initial);
    expect(r0.initial).toEqual(plain.result.initial);
    // training moved every tensor, the embedding table included
    for (const k of Object.keys(plain.result.params)) expect([k, maxDiff({ [k]: plain.result.params[k] }, { [k]: plain.result.initial[k] }) > 1e-3]).toEqual([k, true]);
    expect(maxDiff(r0.params, r1.params)).toBe(0);
    expect(maxDiff(r0.params, plain.result.params)).toBeLessThan(1e-5);
    expect(Math.abs(r0.lastLoss + r1.lastLoss - plain.result.lastLoss)).toBeLessThan(1e-5);
  });
});

withGloo('evaluateDataParallel: each rank its slice of every test batch, the counts summed', () => {
  // 37 test puzzles in global batches of 16: the last batch has 5 real rows, all on rank 0
  let dir: string;
  let split: string;
  beforeAll(() => {
    dir = tmpDir('dp-eval-');
    split = `${buildTinySudokuData(dir, { train: 4, test: 37, blanks: 3 })}/test`;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  type Result = { sets: Record<string, Record<string, number>>; exactAccuracyAtStep: Record<string, number[]>; haltedAtStep: Record<string, number[]>; exactAccuracyAtHalt: Record<string, number>; meanHaltStep: Record<string, number>; examples: number };
  /** The largest difference between two results' numbers, and whether their shapes (sets, keys, step counts) agree. */
  const compare = (a: Result, b: Result) => {
    const flat = (r: Result) => Object.entries(r.sets).flatMap(([set, m]) => [...Object.entries(m).map(([k, v]) => [`${set}.${k}`, v] as const), ...r.exactAccuracyAtStep[set].map((v, i) => [`${set}.atStep${i}`, v] as const), ...r.haltedAtStep[set].map((v, i) => [`${set}.halted${i}`, v] as const), [`${set}.atHalt`, r.exactAccuracyAtHalt[set]] as const, [`${set}.meanHalt`, r.meanHaltStep[set]] as const]);
    const [fa, fb] = [flat(a), flat(b)];
    return { keys: fa.map(([k]) => k).join(',') === fb.map(([k]) => k).join(','), maxDiff: Math.max(...fa.map(([, v], i) => Math.abs(v - fb[i][1]))) };
  };

  test.each([
    ['fixed halting', {}],
    ['adaptive halting, 5 steps', { adaptive: true, haltMaxSteps: 5 }],
    ['maxExamples 20 (two global batches)', { maxExamples: 20 }],
  ])('%s: every rank gets the single-process result', async (_, opts) => {
    const ranks = await runRanks('evaluate.js', 2, { args: () => [split, JSON.stringify(opts)], timeoutMs: 50_000 });
    for (const r of ranks) expect([r.status, r.result?.message]).toEqual([0, undefined]);
    const [r0, r1] = ranks.map((r) => r.result);
    expect(r1.dp).toEqual(r0.dp);
    expect(r0.single).toEqual(r1.single);
    expect(r0.dp.examples).toBe(r0.single.examples);
    expect(r0.dp.examples).toBe('maxExamples' in opts ? 32 : 37);
    const { keys, maxDiff } = compare(r0.dp, r0.single);
    expect(keys).toBe(true);
    expect(maxDiff).toBeLessThan(1e-5);
    // the model is neither all right nor all wrong, and with adaptive halting rows halt at different steps
    const exact = r0.single.sets.all.exact_accuracy;
    expect(exact > 0 && exact < 1).toBe(true);
    if ('adaptive' in opts) expect(r0.single.haltedAtStep.all.filter((n: number) => n > 0).length).toBeGreaterThan(1);
  }, 90_000);

  test('ranks that counted different steps are refused on every rank, naming both counts', async () => {
    const ranks = await runRanks('evaluate.js', 2, { args: () => [split, '{}'], env: { DP_SKEW: '1' }, timeoutMs: 50_000 });
    for (const r of ranks) {
      expect([r.status, r.result?.code]).toEqual([1, 'INVALID_ARGUMENT']);
      expect(r.result.message).toMatch(/^allReduceEvaluation \(rank [01]\): the ranks counted different sets or steps \(\d+ values here, \d+ to \d+ across the ranks\)/);
    }
  }, 90_000);
});

describe('GradientBuckets in one process', () => {
  const build = () => {
    ht.manualSeed(3);
    const m = new ht.nn.ModuleList();
    const layers = [m.add(new ht.nn.CastedLinear(8, 16, { bias: true })), m.add(new ht.nn.CastedLinear(16, 4, { bias: true }))];
    return Object.assign(m, { layers });
  };
  const lossOf = (m: ReturnType<typeof build>, seed: number) =>
    ht.scope(() => {
      ht.manualSeed(seed);
      const x = ht.randn([5, 8]);
      const [a, b] = m.layers;
      b.forward(a.forward(x).relu()).square().sum().backward();
    });
  const grads = (m: ht.Module) => m.parameters().map((p) => Array.from(p.grad!.toTypedArray() as Float32Array));

  test('backward accumulates into the buckets as into plain gradients; prepare() zeroes them and re-attaches a dropped one', () => {
    const plain = build();
    lossOf(plain, 1);
    lossOf(plain, 2);
    const expected = grads(plain);
    const m = build();
    const buckets = new GradientBuckets(m, { bucketBytes: 128 });
    expect(buckets.bucketCount).toBe(4); // weight 512 B, bias 64 B, weight 256 B, bias 16 B: no two neighbours fit in 128 B
    buckets.prepare();
    lossOf(m, 1);
    lossOf(m, 2);
    expect(grads(m)).toEqual(expected);
    m.parameters()[0].grad = undefined; // as an optimizer's zeroGrad() does
    buckets.prepare();
    expect(grads(m).every((g) => g.every((v) => v === 0))).toBe(true);
    lossOf(m, 1);
    lossOf(m, 2);
    expect(grads(m)).toEqual(expected);
    buckets.dispose();
    expect(m.parameters().map((p) => p.grad)).toEqual([undefined, undefined, undefined, undefined]);
    for (const x of [plain, m]) x.dispose();
  });

  test('parameters whose dtypes alternate: each gradient is the view of its own bucket (buckets are per dtype, not in module order)', () => {
    class Mixed extends ht.Module {
      constructor() {
        super();
        this.registerParameter('a', ht.zeros([3]).requiresGrad_(true));
        this.registerParameter('b', ht.zeros([5], { dtype: 'float64' }).requiresGrad_(true));
        this.registerParameter('c', ht.zeros([2, 2]).requiresGrad_(true));
      }
    }
    const m = new Mixed();
    const buckets = new GradientBuckets(m);
    expect(buckets.bucketCount).toBe(2); // float32 [a, c], float64 [b]
    buckets.prepare();
    const [a, b, c] = m.parameters();
    ht.scope(() => a.sum().add(b.mul(2).sum()).add(c.mul(3).sum()).backward());
    expect(m.parameters().map((p) => [p.grad!.dtype, p.grad!.shape, Array.from(p.grad!.toTypedArray() as Float32Array)])).toEqual([
      ['float32', [3], [1, 1, 1]],
      ['float64', [5], [2, 2, 2, 2, 2]],
      ['float32', [2, 2], [3, 3, 3, 3]],
    ]);
    buckets.dispose();
    m.dispose();
  });

  test('bad arguments', () => {
    const m = build();
    expectInvalidArgument(() => new GradientBuckets({} as never), 'GradientBuckets: module must be a Module, got an object');
    expectInvalidArgument(() => new GradientBuckets(m, { bucketBytes: 0 }), 'GradientBuckets: opts.bucketBytes must be a positive integer, got number 0');
    const b = new GradientBuckets(m);
    expect(b.bucketCount).toBe(1);
    b.dispose();
    expectInvalidArgument(() => b.prepare(), 'GradientBuckets.prepare: the buckets were disposed');
    m.dispose();
  });
});
