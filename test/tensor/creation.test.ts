/** Creation and random draws against PyTorch: the same seed must give PyTorch's numbers exactly. */
import { spawnSync } from 'child_process';
import * as path from 'path';
import * as ht from '../../src';
import { OpCase, describeOpsAgainstTorch } from '../helpers/op-cases';
import * as subject from '../../src/tensor/creation';
import { expectInvalidArgument } from '../helpers/errors';

// Inverse-CDF truncated normal (as torch.nn.init.trunc_normal_ before 2.13, and JAX), written
// out in PyTorch ops; torch 2.13's trunc_normal_ switched to rejection sampling.
const trunc =
  '(lambda m, s, a, b: (torch.manual_seed(11), torch.empty(1000).uniform_(2 * ((1 + __import__("math").erf((a - m) / s / 2 ** 0.5)) / 2) - 1, ' +
  '2 * ((1 + __import__("math").erf((b - m) / s / 2 ** 0.5)) / 2) - 1).erfinv_().mul_(s * 2 ** 0.5).add_(m).clamp_(a, b))[1])(0.5, 2.0, -1.0, 3.0)';

const creation: OpCase[] = [
  { name: 'zeros', ts: () => ht.zeros([2, 3]), py: 'torch.zeros(2, 3)' },
  { name: 'ones_int', ts: () => ht.ones([4], { dtype: 'int32' }), py: 'torch.ones(4, dtype=torch.int32)' },
  { name: 'full', ts: () => ht.full([2, 2], 7.5, { dtype: 'float64' }), py: 'torch.full((2, 2), 7.5, dtype=torch.float64)' },
  { name: 'full_bool', ts: () => ht.full([3], true), py: 'torch.full((3,), True)' },
  { name: 'empty_shape', ts: () => ht.empty([2, 5]).zero_(), py: 'torch.empty(2, 5).zero_()' },
  { name: 'arange', ts: () => ht.arange(5), py: 'torch.arange(5)' },
  { name: 'arange_step', ts: () => ht.arange(1, 10, 3), py: 'torch.arange(1, 10, 3)' },
  { name: 'arange_float', ts: () => ht.arange(0, 1, 0.25), py: 'torch.arange(0, 1, 0.25)' },
  { name: 'linspace', ts: () => ht.linspace(-1, 1, 9), py: 'torch.linspace(-1, 1, 9)' },
  { name: 'eye', ts: () => [ht.eye(3), ht.eye(2, 4, { dtype: 'int64' })], py: '(torch.eye(3), torch.eye(2, 4, dtype=torch.int64))' },
  { name: 'like', ts: (x) => [ht.zerosLike(x.a), ht.onesLike(x.i), ht.fullLike(x.d, 3), ht.emptyLike(x.a).fill_(1)], py: '(torch.zeros_like(a), torch.ones_like(i), torch.full_like(d, 3), torch.ones_like(a))' },
  { name: 'rand_seed', ts: () => { ht.manualSeed(42); return [ht.rand([3, 4]), ht.randn([5])]; }, py: '(torch.manual_seed(42), torch.rand(3, 4), torch.randn(5))[1:]' },
  { name: 'randint_seed', ts: () => { ht.manualSeed(7); return ht.randint(0, 10, [8]); }, py: '(torch.manual_seed(7), torch.randint(0, 10, (8,)))[1]' },
  { name: 'randperm_seed', ts: () => { ht.manualSeed(3); return ht.randperm(10); }, py: '(torch.manual_seed(3), torch.randperm(10))[1]' },
  { name: 'bernoulli_seed', ts: (x) => { ht.manualSeed(5); return ht.bernoulli(x.pos.clamp(0, 1)); }, py: '(torch.manual_seed(5), torch.bernoulli(pos.clamp(0, 1)))[1]' },
  { name: 'bernoulli_p_seed', ts: (x) => { ht.manualSeed(5); return ht.bernoulli(0.3, { like: x.a }); }, py: '(torch.manual_seed(5), torch.bernoulli(a, 0.3))[1]' },
  { name: 'generator', ts: () => { const g = new ht.Generator(99); const r = [ht.rand([4], { generator: g }), ht.randn([2, 2], { generator: g }), ht.randint(0, 5, [3], { generator: g })]; g.dispose(); return r; }, py: '(lambda g: (torch.rand(4, generator=g), torch.randn(2, 2, generator=g), torch.randint(0, 5, (3,), generator=g)))(torch.Generator().manual_seed(99))' },
  { name: 'trunc_normal', ts: () => { ht.manualSeed(11); return ht.truncNormal([1000], { mean: 0.5, std: 2, a: -1, b: 3 }); }, py: trunc, tol: { rtol: 1e-5, atol: 1e-5 } },
  { name: 'normal', ts: () => { ht.manualSeed(2); return ht.normal(1, 3, [6]); }, py: '(torch.manual_seed(2), torch.normal(1.0, 3.0, (6,)))[1]' },
  { name: 'dropout_train_seed', ts: (x) => { ht.manualSeed(8); return ht.dropout(x.big1, 0.25, true); }, py: '(torch.manual_seed(8), F.dropout(big1, 0.25, True))[1]' },
  { name: 'rng_state_restore', ts: () => { ht.manualSeed(21); const s = ht.getRngState(); const first = ht.rand([3]); ht.setRngState(s); return [first, ht.rand([3])]; }, py: '(torch.manual_seed(21), torch.rand(3))[1:] * 2' },
  { name: 'from_nested', ts: () => [ht.tensor([[1, 2, 3], [4, 5, 6]]), ht.tensor([[1, 2], [3, 4]], { dtype: 'int64' }), ht.tensor([true, false]), ht.tensor(2.5, { dtype: 'float64' })], py: '(torch.tensor([[1., 2, 3], [4, 5, 6]]), torch.tensor([[1, 2], [3, 4]]), torch.tensor([True, False]), torch.tensor(2.5, dtype=torch.float64))' },
  { name: 'from_typed', ts: () => [ht.fromTypedArray(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]), ht.fromTypedArray(new BigInt64Array([1n, -2n, 3n]), [3]), ht.tensor(new Int32Array([5, 6]))], py: '(torch.arange(1, 7, dtype=torch.float64).view(2, 3), torch.tensor([1, -2, 3]), torch.tensor([5, 6], dtype=torch.int32))' },
  { name: 'half_bits', ts: () => [ht.fromTypedArray(new Uint16Array([0x3c00, 0xc000]), [2], { dtype: 'float16' }).float(), ht.fromTypedArray(new Uint16Array([0x3f80, 0x4040]), [2], { dtype: 'bfloat16' }).float()], py: '(torch.tensor([1.0, -2.0]), torch.tensor([1.0, 3.0]))' },
];

describeOpsAgainstTorch('creation against PyTorch', creation);

describe('values must be values of the dtype (one rule for tensor, full and the other creators)', () => {
  const invalid = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect((e as { code?: string }).code).toBe('INVALID_ARGUMENT');
      return (e as Error).message;
    }
    throw new Error('expected an INVALID_ARGUMENT error');
  };

  test('tensor(values, { dtype }): out of range, fractions, NaN and non-0/1 booleans are refused with value, position and range', () => {
    expect(invalid(() => ht.tensor([300], { dtype: 'uint8' }))).toBe('tensor(): data[0] is 300, which uint8 cannot hold (uint8 holds integers from 0 to 255)');
    expect(invalid(() => ht.tensor([[1, 2], [3, 3e9]], { dtype: 'int32' }))).toBe(
      'tensor(): data[1][1] is 3000000000, which int32 cannot hold (int32 holds integers from -2147483648 to 2147483647)',
    );
    expect(invalid(() => ht.tensor([1n, 2n ** 70n]))).toBe('tensor(): data[1] is 1180591620717411303424n, which int64 cannot hold (int64 holds integers from -2^63 to 2^63-1)');
    expect(invalid(() => ht.tensor([1, NaN], { dtype: 'int64' }))).toMatch(/^tensor\(\): data\[1\] is NaN, which int64 cannot hold/);
    expect(invalid(() => ht.tensor([0.5], { dtype: 'bool' }))).toBe('tensor(): data[0] is 0.5, which bool cannot hold (bool holds true and false (or 0 and 1))');
    expect(invalid(() => ht.tensor([1.5], { dtype: 'int8' }))).toMatch(/data\[0\] is 1.5, which int8 cannot hold \(int8 holds integers from -128 to 127\)/);
    expect(invalid(() => ht.tensor([7e4], { dtype: 'float16' }))).toMatch(/data\[0\] is 70000, which float16 cannot hold \(float16 holds numbers up to ±65504/);
    expect(invalid(() => ht.tensor([1e39]))).toMatch(/data\[0\] is 1e\+39, which float32 cannot hold/);
    expect(invalid(() => ht.tensor(-129, { dtype: 'int8' }))).toBe('tensor(): data is -129, which int8 cannot hold (int8 holds integers from -128 to 127)');
    expect(invalid(() => ht.tensor([true, 2]))).toMatch(/data\[1\] is 2, which bool cannot hold/); // the first value made it bool
  });

  test('tensor(): the edges of each range, NaN and the infinities in floats, booleans anywhere are accepted (compared with PyTorch below)', () => {
    ht.scope(() => {
      expect(ht.tensor([0, 255], { dtype: 'uint8' }).toArray()).toEqual([0, 255]);
      expect(ht.tensor([-128, 127], { dtype: 'int8' }).toArray()).toEqual([-128, 127]);
      expect(ht.tensor([-2147483648, 2147483647], { dtype: 'int32' }).toArray()).toEqual([-2147483648, 2147483647]);
      expect(Array.from(ht.tensor([-(2n ** 63n), 2n ** 63n - 1n], { dtype: 'int64' }).toTypedArray())).toEqual([-(2n ** 63n), 2n ** 63n - 1n]);
      expect(Array.from(ht.tensor([-(2 ** 63), 2 ** 62], { dtype: 'int64' }).toTypedArray() as BigInt64Array)).toEqual([-(2n ** 63n), 2n ** 62n]);
      expect(ht.tensor([65504, -65504, 65519], { dtype: 'float16' }).float().toArray()).toEqual([65504, -65504, 65504]);
      expect(ht.tensor([NaN, Infinity, -Infinity, 3.4e38]).toArray()).toEqual([NaN, Infinity, -Infinity, Math.fround(3.4e38)]);
      expect(ht.tensor([true, false], { dtype: 'int32' }).toArray()).toEqual([1, 0]);
      expect(ht.tensor([1, 0, true], { dtype: 'bool' }).toArray()).toEqual([true, false, true]);
      expect(ht.tensor([2n, 3n], { dtype: 'float32' }).toArray()).toEqual([2, 3]);
    });
  });

  test('full, fullLike, arange, linspace and randint check their values with the same rule', () => {
    expect(invalid(() => ht.full([2], 300, { dtype: 'uint8' }))).toBe('full(): value is 300, which uint8 cannot hold (uint8 holds integers from 0 to 255)');
    expect(invalid(() => ht.full([2], 0.5, { dtype: 'bool' }))).toMatch(/^full\(\): value is 0.5, which bool cannot hold/);
    expect(invalid(() => ht.full([2], NaN, { dtype: 'int32' }))).toMatch(/^full\(\): value is NaN, which int32 cannot hold/);
    expect(invalid(() => ht.full([2], 'x' as unknown as number))).toBe('full(): value must be a number, boolean or bigint, got string "x"');
    expect(invalid(() => ht.scope(() => ht.fullLike(ht.zeros([2], { dtype: 'int8' }), 1000)))).toMatch(/^fullLike\(\): value is 1000, which int8 cannot hold/);
    expect(invalid(() => ht.arange(250, 260, 1, { dtype: 'uint8' }))).toMatch(/^arange\(\): its last value \(start \+ 9 \* step\) is 259, which uint8 cannot hold/);
    expect(invalid(() => ht.arange(0, 2, 0.5, { dtype: 'int32' }))).toMatch(/^arange\(\): its last value \(start \+ 3 \* step\) is 1.5, which int32 cannot hold/);
    expect(invalid(() => ht.linspace(0, 300, 3, { dtype: 'uint8' }))).toMatch(/^linspace\(\): end is 300, which uint8 cannot hold/);
    expect(invalid(() => ht.randint(0, 300, [2], { dtype: 'uint8' }))).toMatch(/^randint\(\): high - 1 \(the largest value drawn\) is 299, which uint8 cannot hold/);
    expect(invalid(() => ht.randint(-200, 0, [2], { dtype: 'int8' }))).toMatch(/^randint\(\): low is -200, which int8 cannot hold/);
    ht.scope(() => {
      expect(ht.full([1], 255, { dtype: 'uint8' }).toArray()).toEqual([255]);
      expect(ht.full([1], -Infinity).toArray()).toEqual([-Infinity]);
      expect(ht.arange(10, 0, -3, { dtype: 'uint8' }).toArray()).toEqual([10, 7, 4, 1]);
      expect(ht.randint(0, 256, [50], { dtype: 'uint8' }).shape).toEqual([50]);
    });
  });

  test('a TypedArray cast to another dtype is checked value by value unless every value fits', () => {
    expect(invalid(() => ht.fromTypedArray(new Float64Array([1, 2, 3, 300]), [2, 2], { dtype: 'uint8' }))).toBe(
      'fromTypedArray(): data[1][1] is 300, which uint8 cannot hold (uint8 holds integers from 0 to 255)',
    );
    expect(invalid(() => ht.tensor(new Float32Array([0.5]), { dtype: 'int32' }))).toMatch(/^tensor\(\): data\[0\] is 0.5, which int32 cannot hold/);
    expect(invalid(() => ht.tensor(new Uint8Array([0, 2]), { dtype: 'bool' }))).toMatch(/^tensor\(\): data\[1\] is 2, which bool cannot hold/);
    expect(invalid(() => ht.tensor(new Int32Array([70000]), { dtype: 'float16' }))).toMatch(/data\[0\] is 70000, which float16 cannot hold/);
    ht.scope(() => {
      expect(ht.tensor(new Int16Array([-32768, 32767]), { dtype: 'float16' }).float().toArray()).toEqual([-32768, 32768]); // rounding, not overflow
      expect(ht.tensor(new Uint8Array([0, 1]), { dtype: 'bool' }).toArray()).toEqual([false, true]);
      expect(ht.tensor(new Float64Array([2, -3]), { dtype: 'int64' }).toArray()).toEqual([2, -3]);
    });
  });

  test('the owner of the rule: numberFitsIn / valueFits / castAlwaysFits', () => {
    expect(ht.numberFitsIn('uint8')(255)).toBe(true);
    expect(ht.numberFitsIn('uint8')(256)).toBe(false);
    expect(ht.numberFitsIn('int64')(2 ** 63)).toBe(false);
    expect(ht.numberFitsIn('int64')(-(2 ** 63))).toBe(true);
    expect(ht.numberFitsIn('bfloat16')(3.38e38)).toBe(true);
    expect(ht.numberFitsIn('bfloat16')(3.4e38)).toBe(false);
    expect(ht.numberFitsIn('float64')(Number.MAX_VALUE)).toBe(true);
    expect(ht.valueFits(2n ** 63n, 'int64')).toBe(false);
    expect(ht.valueFits(true, 'int8')).toBe(true);
    expect(ht.valueFits('1', 'float32')).toBe(false);
    expect(ht.castAlwaysFits('int16', 'float16')).toBe(true);
    expect(ht.castAlwaysFits('int32', 'float16')).toBe(false);
    expect(ht.castAlwaysFits('uint8', 'int16')).toBe(true);
    expect(ht.castAlwaysFits('int8', 'uint8')).toBe(false);
    expect(ht.castAlwaysFits('uint8', 'bool')).toBe(false);
    expect(ht.castAlwaysFits('float32', 'int64')).toBe(false);
  });
});

describeOpsAgainstTorch('values at the edges of each dtype against PyTorch', [
  { name: 'int_edges', ts: () => [ht.tensor([0, 255], { dtype: 'uint8' }), ht.tensor([-128, 127], { dtype: 'int8' }), ht.tensor([-2147483648, 2147483647], { dtype: 'int32' }), ht.tensor([-(2n ** 63n), 2n ** 63n - 1n])], py: '(torch.tensor([0, 255], dtype=torch.uint8), torch.tensor([-128, 127], dtype=torch.int8), torch.tensor([-2147483648, 2147483647], dtype=torch.int32), torch.tensor([-2**63, 2**63 - 1]))' },
  { name: 'float_edges', ts: () => [ht.tensor([65504, 65519, -65519], { dtype: 'float16' }), ht.tensor([3.4028234e38, -3.4e38]), ht.tensor([3.38e38], { dtype: 'bfloat16' })], py: '(torch.tensor([65504, 65519, -65519], dtype=torch.float16), torch.tensor([3.4028234e38, -3.4e38]), torch.tensor([3.38e38], dtype=torch.bfloat16))' },
  { name: 'full_edges', ts: () => [ht.full([2], 255, { dtype: 'uint8' }), ht.full([2], -128, { dtype: 'int8' }), ht.full([1], 65504, { dtype: 'float16' })], py: '(torch.full((2,), 255, dtype=torch.uint8), torch.full((2,), -128, dtype=torch.int8), torch.full((1,), 65504, dtype=torch.float16))' },
  { name: 'arange_down_uint8', ts: () => ht.arange(10, 0, -3, { dtype: 'uint8' }), py: 'torch.arange(10, 0, -3, dtype=torch.uint8)' },
  { name: 'rand_like_seed', ts: (x) => { ht.manualSeed(13); return [ht.randLike(x.a), ht.randnLike(x.a)]; }, py: '(torch.manual_seed(13), torch.rand_like(a), torch.randn_like(a))[1:]' },
]);

describe('default generators are per thread', () => {
  const dist = path.resolve(__dirname, '..', '..', 'dist', 'src');

  test('manualSeed in two worker threads drawing concurrently: each worker gets the seed\'s numbers', () => {
    // The main thread loads the addon first (it keeps libtorch's process-wide generator); each
    // worker seeds its own and draws 30 rounds of 20 randn calls while the other does the same.
    const script = `
      const { Worker } = require('worker_threads');
      const ht = require(${JSON.stringify(dist)});
      ht.ones([1]);
      const body = ${JSON.stringify(`
        const ht = require(${JSON.stringify(dist)});
        const { parentPort, workerData } = require('worker_threads');
        ht.setNumThreads(1);
        const rounds = [];
        for (let r = 0; r < 30; r++) {
          ht.manualSeed(workerData.seed);
          const draws = [];
          for (let k = 0; k < 20; k++) draws.push(Array.from(ht.randn([8]).toTypedArray()));
          rounds.push(draws);
        }
        parentPort.postMessage(rounds);
      `)};
      const run = (seed) => new Promise((res, rej) => { const w = new Worker(body, { eval: true, workerData: { seed } }); w.on('message', res); w.on('error', rej); });
      Promise.all([run(42), run(42), run(7)]).then(([a, b, c]) => {
        ht.manualSeed(42);
        const expected = [];
        for (let k = 0; k < 20; k++) expected.push(Array.from(ht.randn([8]).toTypedArray()));
        const all = (rounds, e) => rounds.every((d) => JSON.stringify(d) === JSON.stringify(e));
        console.log(JSON.stringify({ a: all(a, expected), b: all(b, expected), cDiffers: JSON.stringify(c[0]) !== JSON.stringify(expected), cSelf: all(c, c[0]) }));
      }, (e) => { console.error(e); process.exit(3); });
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(r.stdout.trim())).toEqual({ a: true, b: true, cDiffers: true, cSelf: true });
  });

  test('a worker\'s getRngState/setRngState are its own generator\'s', () => {
    const script = `
      const { Worker } = require('worker_threads');
      const ht = require(${JSON.stringify(dist)});
      ht.manualSeed(1);
      const body = ${JSON.stringify(`
        const ht = require(${JSON.stringify(dist)});
        const { parentPort } = require('worker_threads');
        ht.manualSeed(5);
        const s = ht.getRngState();
        const first = Array.from(ht.rand([4]).toTypedArray());
        ht.setRngState(s);
        parentPort.postMessage({ first, again: Array.from(ht.rand([4]).toTypedArray()) });
      `)};
      const w = new Worker(body, { eval: true });
      w.on('message', (m) => {
        const mainNext = Array.from(ht.rand([4]).toTypedArray());
        ht.manualSeed(1);
        const mainExpected = Array.from(ht.rand([4]).toTypedArray());
        console.log(JSON.stringify({ restored: JSON.stringify(m.first) === JSON.stringify(m.again), mainUntouched: JSON.stringify(mainNext) === JSON.stringify(mainExpected) }));
      });
      w.on('error', (e) => { console.error(e); process.exit(3); });
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(r.stdout.trim())).toEqual({ restored: true, mainUntouched: true });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('fillTruncNormal_ names a tensor or option that is not one', () => {
    expectInvalidArgument(() => subject.fillTruncNormal_(undefined as never), 'fillTruncNormal_(): t must be a Tensor, got undefined');
    expectInvalidArgument(() => subject.fillTruncNormal_(ht.zeros([2]), { std: '1' } as never), 'fillTruncNormal_(): opts.std must be a number, got string "1"');
  });
});
