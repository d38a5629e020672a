/** Runtime settings and queries, and the out-of-memory retry, on the libtorch the addon loaded. */
import * as ht from '../src';
import * as subject from '../src/runtime';
import { expectInvalidArgument } from './helpers/errors';

// 2^46 float32 elements (256 TiB): more than any host can map, so the CPU allocator refuses it.
const absurdShape = [1 << 20, 1 << 20, 64];

describe('withOomRetry', () => {
  test('a real OUT_OF_MEMORY is retried once, and the result of the retry returned', () => {
    let calls = 0;
    const t = ht.withOomRetry(() => {
      calls++;
      return calls === 1 ? ht.empty(absurdShape) : ht.ones([2]);
    });
    expect(calls).toBe(2);
    expect(t.toArray()).toEqual([1, 1]);
    t.dispose();
  });

  test('an allocation that fails again throws the OUT_OF_MEMORY error', () => {
    let calls = 0;
    const run = () =>
      ht.withOomRetry(() => {
        calls++;
        return ht.empty(absurdShape);
      });
    expect(run).toThrow(expect.objectContaining({ code: 'OUT_OF_MEMORY' }));
    expect(calls).toBe(2);
  });

  test('other errors are thrown at once, without a retry', () => {
    let calls = 0;
    const run = () =>
      ht.withOomRetry(() => {
        calls++;
        return ht.ones([2, 3]).matmul(ht.ones([2, 3]));
      });
    expect(run).toThrow(expect.objectContaining({ code: 'TORCH_ERROR' }));
    expect(calls).toBe(1);
  });
});

describe('runtime queries', () => {
  test('intra-op threads can be set and read back', () => {
    const before = ht.getNumThreads();
    ht.setNumThreads(1);
    expect(ht.getNumThreads()).toBe(1);
    ht.setNumThreads(before);
    expect(ht.getNumThreads()).toBe(before);
    expect(ht.getNumInteropThreads()).toBeGreaterThanOrEqual(1);
  });

  test('build information and CUDA queries agree with each other', () => {
    const info = ht.buildInfo();
    expect(info.torchVersion).toMatch(/^2\./);
    if (!info.hasCuda) expect(ht.cuda.isAvailable()).toBe(false);
    expect(ht.cuda.deviceCount() > 0).toBe(ht.cuda.isAvailable());
    const mem = ht.cuda.memory();
    expect(Object.keys(mem).sort()).toEqual(['allocated', 'peakAllocated', 'reserved']);
    if (!ht.cuda.isAvailable()) expect(mem).toEqual({ allocated: 0, reserved: 0, peakAllocated: 0 });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('withOomRetry names a function that is not one', () => {
    expectInvalidArgument(() => subject.withOomRetry(3 as never), 'withOomRetry(): fn must be a function, got number 3');
  });
});
