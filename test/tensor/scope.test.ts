/** Tensor lifetime: dispose, using, scopes, keep, the GC safety net, and leak-free loops. */
import { spawnSync } from 'child_process';
import { runChild } from '../helpers/child';
import * as path from 'path';
import * as ht from '../../src';

const live = () => ht.memory().liveTensors;

describe('scopes', () => {
  test('10,000 iterations inside scopes leave the live-tensor count unchanged', () => {
    const w = ht.randn([8, 8]).requiresGrad_(true);
    const before = live();
    for (let i = 0; i < 10_000; i++) {
      ht.scope(() => {
        const x = ht.randn([4, 8]);
        const loss = x.matmul(w).relu().sum();
        loss.backward();
        const g = w.grad!;
        ht.noGrad(() => w.sub_(g.mul(1e-3)));
        w.grad = undefined;
      });
    }
    expect(live()).toBe(before);
    w.dispose();
    expect(live()).toBe(before - 1);
  });

  test('returned tensors escape (single, arrays, objects, Maps); the rest are freed', () => {
    const before = live();
    const one = ht.scope(() => {
      ht.zeros([2]);
      return ht.ones([2]);
    });
    expect(live()).toBe(before + 1);
    const many = ht.scope(() => {
      const a = ht.ones([1]);
      const b = ht.ones([1]).mul(2);
      ht.ones([1]).mul(3); // dropped
      return { pair: [a, b], map: new Map([['c', a.add(b)]]) };
    });
    expect(live()).toBe(before + 4);
    expect(many.map.get('c')!.item()).toBe(3);
    one.dispose();
    for (const t of [...many.pair, many.map.get('c')!]) t.dispose();
    expect(live()).toBe(before);
  });

  test('nested scopes move a result to the enclosing scope, which frees it at its end', () => {
    const before = live();
    let inner: ht.Tensor | undefined;
    ht.scope(() => {
      inner = ht.scope(() => ht.ones([3]).mul(2));
      expect(inner.isDisposed).toBe(false);
      expect(live()).toBe(before + 1);
    });
    expect(inner!.isDisposed).toBe(true);
    expect(live()).toBe(before);
  });

  test('keep() exempts a tensor from its scope; moveToOuter hands it one level up', () => {
    const before = live();
    let kept: ht.Tensor | undefined;
    let moved: ht.Tensor | undefined;
    ht.scope(() => {
      ht.scope(() => {
        kept = ht.ones([2]).keep();
        moved = ht.moveToOuter(ht.ones([2]));
      });
      expect(moved!.isDisposed).toBe(false);
    });
    expect(moved!.isDisposed).toBe(true);
    expect(kept!.isDisposed).toBe(false);
    kept!.dispose();
    expect(live()).toBe(before);
  });

  test('a throwing scope frees its tensors and rethrows', () => {
    const before = live();
    expect(() =>
      ht.scope(() => {
        ht.ones([4]);
        throw new Error('inside');
      }),
    ).toThrow('inside');
    expect(live()).toBe(before);
    expect(ht.memory().scopeDepth).toBe(0);
  });

  test('an async function is refused, and its tensors freed', () => {
    const before = live();
    expect(() => ht.scope((async () => ht.ones([1])) as unknown as () => ht.Tensor)).toThrow(/synchronous/);
    expect(live()).toBe(before);
  });

  test('tidy is scope; ops on many small tensors inside one scope free in one batch', () => {
    expect(ht.tidy).toBe(ht.scope);
    const before = live();
    ht.tidy(() => {
      for (let i = 0; i < 1000; i++) ht.ones([1]).add(1);
      expect(live()).toBe(before + 2000);
    });
    expect(live()).toBe(before);
  });
});

describe('dispose and using', () => {
  test('dispose is idempotent; a disposed tensor fails clearly when used', () => {
    const t = ht.ones([2]);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.add(1)).toThrow(/disposed/);
    const u = ht.ones([2]);
    try {
      u.add(t);
      throw new Error('expected a throw');
    } catch (e) {
      expect((e as { code: string }).code).toBe('TENSOR_DISPOSED');
      expect((e as Error).message).toMatch(/argument 'other'.*disposed/);
    }
    u.dispose();
  });

  test('using disposes at the end of the block', () => {
    const before = live();
    let escaped: ht.Tensor | undefined;
    {
      using t = ht.ones([5]);
      escaped = t;
      expect(live()).toBe(before + 1);
    }
    expect(escaped.isDisposed).toBe(true);
    expect(live()).toBe(before);
  });

  test('peak count and reset', () => {
    ht.resetPeakMemory();
    const base = ht.memory().peakTensors;
    ht.scope(() => {
      for (let i = 0; i < 50; i++) ht.ones([1]);
    });
    expect(ht.memory().peakTensors).toBeGreaterThanOrEqual(base + 50);
  });
});

describe('garbage-collector safety net', () => {
  test('tensors dropped without dispose are freed by the GC, counted, and can warn', () => {
    const script = `
      const ht = require(${JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', 'src'))});
      ht.configureMemory({ warnOnLeak: true });
      let warnings = 0;
      process.on('warning', (w) => { if (w.name === 'HrmTorchLeakWarning') warnings++; });
      const before = ht.memory().liveTensors;
      (function leak() { for (let i = 0; i < 200; i++) ht.ones([16]); })();
      const afterLeak = ht.memory().liveTensors;
      (async () => {
        for (let i = 0; i < 20 && ht.memory().freedByGc < 200; i++) {
          global.gc();
          await new Promise((r) => setTimeout(r, 10));
        }
        const m = ht.memory();
        console.log(JSON.stringify({ before, afterLeak, live: m.liveTensors, freedByGc: m.freedByGc, warnings }));
      })();
    `;
    const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.afterLeak - out.before).toBe(200);
    expect(out.freedByGc).toBe(200);
    expect(out.live).toBe(out.before);
    expect(out.warnings).toBeGreaterThan(0);
  });
});

// V8 is told about the native bytes of tensors left to the garbage collector. What counts is the
// storage, once however many tensors view it: a view reporting numel x element size made
// `ones([1]).expand([1e9, 1e9])` claim 4e18 bytes, and V8 aborts the process on such a claim.
describe('external memory reported to V8 (each in a child process)', () => {
  test('ones([1]).expand([1e9, 1e9]) outside a scope, then event-loop turns: the process lives on', async () => {
    const out = await runChild(`
      const wide = ht.ones([1]).expand([1e9, 1e9]);
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      report({ shape: wide.shape, value: wide.narrow(0, 999999999, 1).narrow(1, 5, 1).item() });
    `);
    expect({ timedOut: out.timedOut, signal: out.signal, status: out.status, stderr: out.stderr.slice(0, 300) }).toEqual({ timedOut: false, signal: null, status: 0, stderr: '' });
    expect(out.result).toEqual({ shape: [1e9, 1e9], value: 1 });
  });

  test('views of one storage count its bytes once, and the bytes are given back when the last one is freed', async () => {
    const out = await runChild(`
      const turn = () => new Promise((r) => setImmediate(r));
      const external = () => ht.memory().gcReportedBytes;
      await turn();
      const before = external();
      const base = ht.zeros([1 << 22]); // 16 MiB
      await turn();
      const withBase = external();
      const views = [];
      for (let i = 0; i < 20; i++) views.push(base.view([1024, 4096]), base.expand([2, 1 << 22]), base.narrow(0, 1, 100000));
      await turn();
      const withViews = external();
      base.dispose();
      await turn();
      const viewsOnly = external();
      for (const v of views) v.dispose();
      await turn();
      report({ base: withBase - before, views: withViews - withBase, afterBase: viewsOnly - before, after: external() - before });
    `);
    expect(out.status).toBe(0);
    const mib = (n: number) => Math.round(n / 2 ** 20);
    const r = out.result as Record<string, number>;
    expect({ base: mib(r.base), views: mib(r.views), afterBase: mib(r.afterBase), after: mib(r.after) }).toEqual({ base: 16, views: 0, afterBase: 16, after: 0 });
  });
});
