/** Initialisers: the reference's truncated normal. */
import * as ht from '../../src';

describe('init', () => {
  test('truncNormal_ has the reference semantics: std after truncation, clipped at 2 std', () => {
    ht.manualSeed(0);
    const t = ht.nn.truncNormal_(ht.empty([200_000]), 0.5);
    const std = Number(t.std().item());
    expect(Math.abs(std - 0.5)).toBeLessThan(0.005);
    const bound = (2 * 0.5) / ht.nn.TRUNCATED_UNIT_STD;
    expect(Number(t.abs().max().item())).toBeLessThanOrEqual(bound + 1e-6);
    expect(ht.nn.TRUNCATED_UNIT_STD).toBeCloseTo(0.8796256610342398, 12);
    expect(ht.nn.truncNormal_(ht.ones([3]), 0).toArray()).toEqual([0, 0, 0]);
    t.dispose();
  });
});
