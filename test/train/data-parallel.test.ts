/**
 * Data-parallel training with src/train/data-parallel.ts (the ranks are child scripts in
 * test/distributed/fixtures): 2 ranks, each on half of every global batch, with the gradients
 * all-reduced in buckets and the sparse puzzle embedding's rows all-gathered, end with the
 * parameters of one process trained on the whole batches; and an evaluation split over 2 ranks
 * finds what one process evaluating every row finds.
 */
import * as fs from 'fs';
import { glooAvailable, runRanks } from '../helpers/distributed';
import { buildTinySudokuData } from '../helpers/hrm';
import { tmpDir } from '../helpers/reference';

const withGloo = glooAvailable() ? describe : describe.skip;

type State = Record<string, number[]>;
const maxDiff = (a: State, b: State) => Math.max(...Object.keys(a).map((k) => Math.max(...a[k].map((v, i) => Math.abs(v - b[k][i])))));

withGloo('a tiny model (sparse embedding + MLP), 12 steps', () => {
  test('2 ranks end with the parameters of 1 process over the same global batches', async () => {
    const [plain] = await runRanks('data-parallel.js', 1, { env: { DP_PLAIN: '1' }, timeoutMs: 50_000 });
    const ranks = await runRanks('data-parallel.js', 2, { timeoutMs: 50_000 });
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
