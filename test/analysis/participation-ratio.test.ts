/** The participation ratio against numpy/PyTorch on the same states, and on clouds whose PR is known. */
import * as ht from '../../src';
import { participationRatio } from '../../src/analysis/participation-ratio';
import { describeWithTorch, runReference } from '../helpers/reference';

describe('participationRatio', () => {
  test('is D for an isotropic cloud and 1 for a line', () => {
    ht.manualSeed(0);
    const iso = ht.scope(() => participationRatio(ht.randn([20000, 8])));
    expect(iso.pr).toBeGreaterThan(7.8);
    expect(iso.pr).toBeLessThanOrEqual(8);
    const line = ht.scope(() => participationRatio(ht.randn([500, 1]).matmul(ht.tensor([[1, 2, -1, 0.5]]))));
    expect(line.pr).toBeCloseTo(1, 6);
    expect(line.dims).toBe(4);
  });

  test('rejects what is not a matrix of at least two states', () => {
    expect(() => participationRatio(ht.zeros([3]))).toThrow(/must be \[N, D\], got shape \[3\]/);
    expect(() => participationRatio(ht.zeros([1, 4]))).toThrow(/at least 2 state vectors/);
  });
});

describeWithTorch('participationRatio against PyTorch', () => {
  test('same eigenvalues and ratio as torch.linalg.eigvalsh on torch.cov', () => {
    ht.manualSeed(1);
    const states = ht.randn([300, 16]).matmul(ht.randn([16, 16])).add(3);
    const ours = participationRatio(states);
    const ref = runReference({ states }, [
      { name: 'ev', exec: 'ev = torch.linalg.eigvalsh(torch.cov(states.double().T)).clamp(min=0)\nresult = ev.flip(0)' },
      { name: 'pr', exec: 'ev = torch.linalg.eigvalsh(torch.cov(states.double().T)).clamp(min=0)\nresult = float(ev.sum() ** 2 / (ev ** 2).sum())' },
    ]);
    const ev = ref.ev.toTypedArray() as Float64Array;
    ours.eigenvalues.forEach((l, i) => expect(Math.abs(l - ev[i])).toBeLessThan(1e-9 * Math.max(1, ev[0])));
    expect(ours.pr).toBeCloseTo(ref.pr.item() as number, 9);
  });
});
