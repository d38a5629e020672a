/**
 * Data-parallel training with src/train/data-parallel.ts (the ranks are child scripts in
 * test/distributed/fixtures): 2 ranks, each on half of every global batch, with the gradients
 * all-reduced in buckets and the sparse puzzle embedding's rows all-gathered, end with the
 * parameters of one process trained on the whole batches.
 */
import { glooAvailable, runRanks } from '../helpers/distributed';

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
