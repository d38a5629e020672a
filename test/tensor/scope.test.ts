/** Tensor lifetime: dispose, using, scopes, keep, the GC safety net, and leak-free loops. */
import { spawnSync } from 'child_process';
import { runChild } from '../helpers/child';
import * as path from 'path';
import * as ht from '../../src';
import * as subject from '../../src/tensor/scope';
import { expectInvalidArgument } from '../helpers/errors';

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

// Runs a script in a fresh Node (with --expose-gc) and returns its last line of stdout as JSON.
function runScript(script: string): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
const dist = JSON.stringify(path.resolve(__dirname, '..', '..', 'dist', 'src'));

describe('tensors left to the collector in a synchronous loop', () => {
  // Three undisposed 256 KB tensors per iteration; the FinalizationRegistry cannot run before the
  // event loop turns, so without a yield none of them is freed.
  const loop = (body: string) => `
    const ht = require(${dist});
    const warnings = [];
    process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message, detail: w.detail }));
    ht.setNumThreads(1);
    ht.configureMemory({ gcBacklogWarnBytes: 4 * 2 ** 20 });
    (async () => {
      ${body}
      const m = ht.memory();
      for (let i = 0; i < 20 && ht.memory().liveTensors > 10; i++) { global.gc(); await new Promise((r) => setTimeout(r, 10)); }
      console.log(JSON.stringify({ warnings, backlogInLoop: m.gcBacklogBytes, freedByGcInLoop: m.freedByGc, freedByGcAfter: ht.memory().freedByGc }));
    })();
  `;

  test('warns once, with a code and the creation site of one of the tensors, when the backlog passes the threshold', () => {
    const out = runScript(loop(`
      for (let i = 0; i < 60; i++) {
        const a = ht.ones([65536]); const b = a.mul(2); b.add(1);
        if (i % 20 === 0) global.gc();
      }
    `));
    const warnings = out.warnings as { name: string; code: string; message: string; detail: string }[];
    expect(warnings.length).toBe(1);
    expect(warnings[0].name).toBe('HrmTorchMemoryWarning');
    expect(warnings[0].code).toBe('HRM_TORCH_GC_BACKLOG');
    expect(warnings[0].message).toMatch(/MiB of tensors were handed to the garbage collector since the event loop last turned/);
    expect(warnings[0].message).toMatch(/configureMemory\(\{ gcBacklogWarnBytes \}\)/);
    expect(warnings[0].detail).toMatch(/one of these tensors was made at\n\s+at \[eval\]:\d+:\d+/); // the user's line, not the SDK's
    expect(out.freedByGcInLoop).toBe(0); // the collector ran (global.gc), the finalizers could not
    expect(out.freedByGcAfter).toBeGreaterThan(150);
  });

  test('no warning when the loop yields to the event loop, disposes, or scopes its tensors; 0 turns it off', () => {
    const yielding = runScript(loop(`
      for (let i = 0; i < 60; i++) {
        const a = ht.ones([65536]); const b = a.mul(2); b.add(1);
        if (i % 4 === 3) await new Promise((r) => setImmediate(r));
      }
    `));
    expect(yielding.warnings).toEqual([]);
    const disposing = runScript(loop(`
      for (let i = 0; i < 60; i++) { const a = ht.ones([65536]); const b = a.mul(2); b.add(1).dispose(); a.dispose(); b.dispose(); }
    `));
    expect(disposing.warnings).toEqual([]);
    expect(disposing.backlogInLoop).toBe(0);
    const scoped = runScript(loop(`
      let keepLast = ht.zeros([1]);
      for (let i = 0; i < 60; i++) {
        const next = ht.scope(() => ht.ones([65536]).mul(2).add(1));
        keepLast.dispose();
        keepLast = next;                   // returned from the outermost scope, disposed next time round
      }
    `));
    expect(scoped.warnings).toEqual([]);
    const off = runScript(loop(`
      ht.configureMemory({ gcBacklogWarnBytes: 0 });
      for (let i = 0; i < 60; i++) { const a = ht.ones([65536]); a.mul(2); }
    `));
    expect(off.warnings).toEqual([]);
  });

  test('configureMemory checks its options', () => {
    expect(() => ht.configureMemory({ gcBacklogWarnBytes: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'configureMemory(): gcBacklogWarnBytes must be a number of bytes >= 0, got number -1' }),
    );
    expect(() => ht.configureMemory(undefined as unknown as ht.MemoryOptions)).toThrow(/options must be an object, got undefined/);
  });

  test('a scoped synchronous training loop leaves no registrations or queued microtasks behind', () => {
    // Counts what the FinalizationRegistry holds (registered minus unregistered) and the
    // microtasks queued, at step 100 and at step 1,000 of a loop written like the README's:
    // the step's result escapes the scope, and the previous one is disposed.
    const out = runScript(`
      const FR = globalThis.FinalizationRegistry;
      let held = 0;
      globalThis.FinalizationRegistry = class extends FR {
        register(t, h, token) { held++; return super.register(t, h, token); }
        unregister(token) { const r = super.unregister(token); if (r) held--; return r; }
      };
      let microtasks = 0;
      const qm = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (f) => { microtasks++; qm(f); };
      const ht = require(${dist});
      ht.setNumThreads(1);
      ht.manualSeed(0);
      const w = ht.randn([8, 8]).mul(0.1).requiresGrad_(true);
      const opt = new ht.AdamATan2([w], { lr: 1e-3 });
      let state = ht.randn([4, 8]);
      const counts = {};
      for (let step = 1; step <= 1000; step++) {
        const next = ht.scope(() => {
          const y = state.matmul(w).tanh();
          y.square().mean().backward();
          opt.step();
          opt.zeroGrad();
          return { y: y.detach(), extra: [y.sum().detach()] };
        });
        state.dispose();
        next.extra[0].dispose();
        state = next.y;
        if (step === 100 || step === 1000) counts[step] = { held, microtasks, live: ht.memory().liveTensors };
      }
      console.log(JSON.stringify(counts));
    `);
    const c = out as Record<string, { held: number; microtasks: number; live: number }>;
    expect(c[1000].live).toBe(c[100].live);
    expect(c[1000].held).toBe(c[100].held); // every registration of a disposed tensor was withdrawn
    expect(c[1000].held).toBeLessThanOrEqual(c[1000].live);
    expect(c[1000].microtasks).toBe(c[100].microtasks); // one flush microtask waits; no more are queued
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('keep, adopt and moveToOuter name a value that is not a tensor', () => {
    expectInvalidArgument(() => subject.keep(3 as never), 'keep(): t must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.adopt(undefined as never), 'adopt(): t must be a Tensor, got undefined');
    expectInvalidArgument(() => subject.moveToOuter(null as never), 'moveToOuter(): t must be a Tensor, got null');
  });
});
