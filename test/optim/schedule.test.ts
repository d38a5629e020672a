/** The reference's learning-rate schedule: linear warmup, then cosine decay to minRatio * base. */
import * as ht from '../../src';

describe('cosineScheduleWithWarmupLr', () => {
  test('the learning-rate schedule', () => {
    expect(ht.cosineScheduleWithWarmupLr(1, 1e-4, 2000, 10000)).toBeCloseTo(5e-8, 15);
    expect(ht.cosineScheduleWithWarmupLr(5000, 1e-4, 2000, 10000)).toBe(1e-4); // constant with minRatio 1
    expect(ht.cosineScheduleWithWarmupLr(2000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(1e-4, 12);
    expect(ht.cosineScheduleWithWarmupLr(10000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(1e-5, 12);
    expect(ht.cosineScheduleWithWarmupLr(6000, 1e-4, 2000, 10000, 0.1)).toBeCloseTo(5.5e-5, 12);
  });
});
