/**
 * The child side of test/api-fuzz.test.ts: calls the built SDK's public API (every function,
 * class, namespace member, instance method, getter / setter and Tensor method) with seeded random
 * arguments, and reports what each call did: returned, threw an Error (with or without an hrm-torch
 * code), or threw something that is not an Error. Plain JavaScript, so it runs against dist/ in a
 * child process (test/helpers/child.ts) whose time and heap are limited.
 *
 * Before each call it writes `@@<n> +<ms since start> <call>` to stderr, so the parent can name the
 * call that was running when the child aborted or was killed, and when it began.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/**
 * Exports not called, with the reason. The test prints this list; a name missing from the API
 * fails the test, so the list stays current.
 */
const SKIPPED = {
  Trainer: 'starts training runs (its constructor and methods)',
  'data.buildSudokuDataset': 'generates a whole dataset folder: long by design',
  'data.buildMazeDataset': 'generates a whole dataset folder: long by design',
  'data.buildArcDataset': 'reads ARC folders and augments every task: long by design',
  setNumThreads: 'resizes the process-wide intra-op thread pool: a random count could start thousands of threads',
  setNumInteropThreads: 'may be set once per process, before any parallel work',
};

/** Raw JavaScript messages: an error carrying one of these says nothing about the argument. */
const RAW_JS = [/Cannot read propert/, /is not a function/, /Invalid array length/, /Invalid typed array length/, /Maximum call stack/, /Cannot destructure/, /is not iterable/, /Cannot convert/, /is not a constructor/, /undefined is not/, /null is not/, /Cannot set propert/, /Cannot create property/];

/** mulberry32: a small seeded generator, so a seed reproduces the whole sequence of calls. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const isClass = (f) => typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

/** Every callable export, named `name` or `namespace.name`, once each (the first name found). */
function collectTargets(ht) {
  const seen = new Map();
  const add = (name, v) => {
    if (typeof v === 'function' && !seen.has(v)) seen.set(v, name);
  };
  const keys = Object.keys(ht).sort();
  for (const k of keys) if (typeof ht[k] === 'function') add(k, ht[k]);
  for (const k of keys) {
    const v = ht[k];
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const kk of Object.keys(v).sort()) add(`${k}.${kk}`, v[kk]);
  }
  return [...seen].map(([fn, name]) => ({ fn, name, cls: isClass(fn) }));
}

/** Names the declaration files (`.d.ts`) under `dir` declare `private`: not public API, not called. */
function privateNames(dir) {
  const names = new Set();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.d.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/^\s+private (?:static )?(?:readonly )?(\w+)/gm)) names.add(m[1]);
    }
  };
  walk(dir);
  return names;
}
let PRIVATE = new Set();

/** The public methods, getters and setters of a prototype chain, up to Object.prototype. */
function members(proto) {
  const out = [];
  const names = new Set();
  for (let p = proto; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || names.has(name) || PRIVATE.has(name) || name.startsWith('_')) continue;
      names.add(name);
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (typeof d.value === 'function') out.push({ name, kind: 'method' });
      if (d.get) out.push({ name, kind: 'get' });
      if (d.set) out.push({ name, kind: 'set' });
    }
  }
  return out;
}

/** Runs one slice of calls; resolves with the slice's counts. */
async function runSlice(ht, opts) {
  const { seed, slice, calls, tmp } = opts;
  if (opts.dist) PRIVATE = privateNames(opts.dist);
  const start = Date.now();
  const callMs = opts.callMs ?? 5000;
  const rnd = mulberry32((seed * 1000003 + slice * 7919) >>> 0);
  const int = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = (a) => a[Math.floor(rnd() * a.length)];
  const chance = (p) => rnd() < p;

  fs.mkdirSync(tmp, { recursive: true });
  process.chdir(tmp); // relative paths in random strings land in the child's temp folder
  // A few files for the readers to open: empty, garbage, and valid ones of each format.
  const files = { empty: path.join(tmp, 'empty.bin'), junk: path.join(tmp, 'junk.bin'), st: path.join(tmp, 'a.safetensors'), pt: path.join(tmp, 'a.pt'), npy: path.join(tmp, 'a.npy'), json: path.join(tmp, 'a.json'), dir: path.join(tmp, 'dir') };
  fs.writeFileSync(files.empty, '');
  fs.writeFileSync(files.junk, Buffer.from(Array.from({ length: 300 }, () => int(0, 255))));
  fs.writeFileSync(files.json, '{"a": [1, 2], "b": null}');
  fs.mkdirSync(files.dir, { recursive: true });
  try {
    ht.saveSafetensors(files.st, { w: ht.ones([2, 3]) });
    ht.savePt(files.pt, { w: ht.ones([2]) });
    ht.data.writeNpy(files.npy, new Int32Array([1, 2, 3, 4]), [2, 2]);
  } catch {
    // a writer that refuses these arguments leaves its file missing: the readers then see no file
  }

  const SPECIAL = [0, -0, 1, -1, 2, 3, 0.5, -0.5, 1.5, 1e-12, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 62, 2 ** 63, 2 ** 64, 1e20, 1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, -(2 ** 31), -(2 ** 63), Number.EPSILON];
  const num = () => (chance(0.55) ? int(-2, 6) : chance(0.2) ? rnd() * 8 - 4 : pick(SPECIAL));
  const STRINGS = ['', 'a', 'x y', 'float32', 'float64', 'int64', 'int32', 'bool', 'bfloat16', 'uint8', 'float', 'cpu', 'cuda', 'cuda:0', 'cuda:7', 'mps', 'meta', 'sum', 'mean', 'none', 'floor', 'trunc', 'rope', 'learned', 'stablemax_cross_entropy', 'softmax_cross_entropy', 'train', 'test', 'sudoku', 'maze', 'arc', '__proto__', 'constructor', 'toString', '\u0000', '日本語', '-1', 'NaN', '1e309', '..', 'x'.repeat(2000)];
  const KEYS = ['dtype', 'device', 'dim', 'keepdim', 'lr', 'weightDecay', 'betas', 'eps', 'seed', 'count', 'size', 'shape', 'requiresGrad', 'file', 'dir', 'out', 'name', 'split', 'rows', 'cols', 'box', 'n', 'limit', 'steps', 'total', 'width', 'height', 'title', 'series', 'values', 'inputs', 'labels', 'puzzleIdentifiers', 'x', 'y', 'initStd', 'bias', 'threads', 'safetyNet', 'warnOnLeak', '__proto__', 'constructor', 'toString'];
  for (const k of ht.hrm.HRM_CONFIG_KEYS ?? []) KEYS.push(k);
  const str = () => {
    const r = rnd();
    if (r < 0.5) return pick(STRINGS);
    if (r < 0.6) return pick(Object.values(files));
    if (r < 0.7) return path.join(tmp, 'sub', `f${int(0, 5)}${pick(['', '.npy', '.pt', '.safetensors', '.json', '.csv', '.html', '.svg'])}`);
    if (r < 0.8) return `f${int(0, 9)}${pick(['', '.npy', '.pt', '.csv'])}`;
    return Array.from({ length: int(0, 12) }, () => String.fromCharCode(int(32, 126))).join('').replace(/[/\\.]/g, '_');
  };
  const dims = (n) => Array.from({ length: n }, () => int(0, 3));
  const DTYPES = ht.DTYPES;
  const tensor = () => {
    const r = rnd();
    let t;
    if (r < 0.05) t = ht.tensor([NaN, Infinity, -Infinity, 0, -0]);
    else if (r < 0.1) t = ht.randint(0, 4, dims(int(1, 2)), { dtype: pick(['int32', 'int64']) });
    else t = ht.rand(dims(int(0, 3))).mul(6).sub(3).to(pick(DTYPES));
    if (chance(0.1) && ht.isFloating(t.dtype)) t.requiresGrad_(true);
    if (chance(0.03)) t.dispose();
    return t;
  };
  const typed = () => {
    const n = chance(0.1) ? 0 : int(1, 8);
    const C = pick([Float32Array, Float64Array, Int32Array, Int8Array, Uint8Array, Int16Array, Uint16Array, Uint32Array, BigInt64Array, Uint8ClampedArray]);
    const a = new C(n);
    // small values only: a typed array wraps -1 to 4294967295, a size no test should allocate
    const small = () => (C === Float32Array || C === Float64Array ? (chance(0.7) ? int(-3, 6) : pick([0.5, NaN, Infinity, -Infinity, 1e308])) : int(C === Uint8Array || C === Uint16Array || C === Uint32Array || C === Uint8ClampedArray ? 0 : -3, 6));
    for (let i = 0; i < n; i++) a[i] = C === BigInt64Array ? BigInt(int(-3, 3)) : small();
    return a;
  };
  const FUNCS = [() => undefined, (x) => x, () => 1, () => { throw new Error('fuzz callback threw'); }, () => ht.zeros([2]), () => Promise.resolve(1), (...a) => a.length];
  const pool = []; // instances of the API's classes
  const array = (depth) => {
    const r = rnd();
    if (r < 0.1) return [];
    if (r < 0.15) return Array.from({ length: pick([1000, 5000]) }, () => num()); // long
    if (r < 0.35) return dims(int(1, 4)); // shape-like
    if (r < 0.45) { // ragged
      return [dims(int(1, 3)), dims(int(0, 3))];
    }
    if (r < 0.6) { // nested rectangular numbers
      const s = dims(int(1, 3)).map((d) => d + 1);
      const fill = (k) => (k === s.length ? num() : Array.from({ length: s[k] }, () => fill(k + 1)));
      return fill(0);
    }
    if (r < 0.7) return Array.from({ length: int(1, 3) }, () => tensor());
    return Array.from({ length: int(0, 4) }, () => value(depth + 1));
  };
  const object = (depth) => {
    const o = {};
    for (let i = int(0, 4); i > 0; i--) {
      const k = chance(0.85) ? pick(KEYS) : str();
      if (k === '__proto__') Object.defineProperty(o, k, { value: value(depth + 1), enumerable: true, configurable: true, writable: true });
      else o[k] = value(depth + 1);
    }
    return o;
  };
  const value = (depth = 0) => {
    const r = rnd();
    if (depth > 2) return r < 0.5 ? num() : pick([undefined, null, 'a', true]);
    if (r < 0.22) return num();
    if (r < 0.26) return pick([0n, 1n, -1n, 3n, 2n ** 63n, 2n ** 64n, -(2n ** 63n)]);
    if (r < 0.38) return str();
    if (r < 0.5) return array(depth);
    if (r < 0.55) return typed();
    if (r < 0.66) return object(depth);
    if (r < 0.72) return pick([undefined, null]);
    if (r < 0.75) return pick([true, false]);
    if (r < 0.79) return pick(FUNCS);
    if (r < 0.93) return tensor();
    if (r < 0.97 && pool.length) return pick(pool);
    if (r < 0.98) return Symbol('fuzz');
    return pick([new Map([['a', 1]]), new Set([1]), new Date(0), /x/, Buffer.from([1, 2, 3]), Object.create(null)]);
  };
  const args = () => Array.from({ length: pick([0, 1, 1, 2, 2, 2, 3, 3, 4]) }, () => value());

  /** Short text naming a value, for the call log. */
  const describe = (v) => {
    if (v instanceof ht.Tensor) return v.isDisposed ? 'Tensor(disposed)' : `Tensor(${v.dtype}[${v.shape}])`;
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 20)}...(${v.length})` : v);
    if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
    if (Array.isArray(v)) return v.length > 8 ? `Array(${v.length})` : `[${v.map(describe).join(',')}]`;
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
    if (v && typeof v === 'object') return v.constructor && v.constructor !== Object ? v.constructor.name : `{${Object.keys(v).map((k) => `${k}:${describe(v[k])}`).join(',')}}`;
    return String(v);
  };

  // Valid instances of the classes, so their methods run past argument checks too.
  const recipes = [
    () => new ht.nn.CastedLinear(4, 3, { bias: true }),
    () => new ht.nn.CastedEmbedding(5, 4, 'float32', { initStd: 0.02 }),
    () => new ht.nn.RotaryEmbedding(4, 8, 10000),
    () => new ht.nn.Attention(8, 4, 2, 2),
    () => new ht.nn.SwiGLU(8, 2),
    () => new ht.nn.TransformerBlock({ hiddenSize: 8, numHeads: 2, expansion: 2, rmsNormEps: 1e-5 }),
    () => new ht.nn.CastedSparseEmbedding(5, 4, 2, 0.02, 'float32'),
    () => {
      const m = new ht.HRM(ht.hrmConfig({ batchSize: 2, seqLen: 4, vocabSize: 5, puzzleEmbNdim: 8, numPuzzleIdentifiers: 2, hCycles: 1, lCycles: 1, hLayers: 1, lLayers: 1, hiddenSize: 8, expansion: 2, numHeads: 2, haltMaxSteps: 2 }));
      pool.push(new ht.ACTLossHead(m), new ht.AdamATan2(m.parameters(), { lr: 1e-3 }), new ht.SparseEmbeddingSignSGD(m.inner.puzzleEmb, { lr: 0.1 }));
      pool.push({ inputs: ht.randint(0, 5, [2, 4], { dtype: 'int32' }), labels: ht.randint(0, 5, [2, 4], { dtype: 'int32' }), puzzleIdentifiers: ht.tensor([0, 1], { dtype: 'int32' }) });
      return m;
    },
    () => new ht.AdamW([ht.zeros([3]).requiresGrad_(true)], { lr: 1e-3 }),
    () => new ht.Generator(7),
    () => new ht.data.Rng(3),
    () => new ht.data.SudokuGeometry({ rows: 2, cols: 2 }),
    () => new ht.data.MazeGenerator({ size: 7 }, 1),
    () => new ht.ProgressBar('fuzz', 10, { write() { return true; } }),
    () => new ht.RunFolder(path.join(tmp, 'run')),
    () => new ht.AtomicFile(path.join(tmp, 'atomic.txt')),
    () => new ht.data.NpyWriter(path.join(tmp, 'w.npy'), 'int32', [2]),
    () => new ht.data.NpyFile(files.npy),
  ];
  const buildPool = () => {
    pool.length = 0;
    for (const make of recipes) {
      try {
        pool.push(make());
      } catch {
        // a recipe the API refuses (its signature changed) leaves its class to the random constructions
      }
    }
  };

  const skipped = new Set(Object.keys(SKIPPED));
  const targets = collectTargets(ht).filter((t) => !skipped.has(t.name));
  const missing = Object.keys(SKIPPED).filter((name) => !collectTargets(ht).some((t) => t.name === name));
  const classes = targets.filter((t) => t.cls);
  const statics = [];
  for (const c of classes) {
    for (const name of Object.getOwnPropertyNames(c.fn)) {
      if (['length', 'name', 'prototype'].includes(name)) continue;
      if (typeof Object.getOwnPropertyDescriptor(c.fn, name).value === 'function') statics.push({ name: `${c.name}.${name}`, fn: c.fn[name], self: c.fn });
    }
  }
  const functions = targets.filter((t) => !t.cls);
  const tensorMembers = members(ht.Tensor.prototype);

  const out = { calls: 0, returned: 0, throws: 0, hrmErrors: 0, nonErrors: [], uninformative: {}, hangs: [], slow: [], codes: {}, missing, names: new Set() };
  const note = (name, e) => {
    out.throws++;
    if (!(e instanceof Error)) {
      out.nonErrors.push(`${name}: ${typeof e} ${String(e).slice(0, 100)}`);
      return;
    }
    const coded = ht.hasErrorCode(e);
    if (coded) out.codes[e.code] = (out.codes[e.code] ?? 0) + 1;
    const raw = RAW_JS.some((re) => re.test(e.message));
    if (coded && !raw) out.hrmErrors++;
    else {
      const key = `${name} :: ${coded ? '' : '[no code] '}${e.message.split('\n')[0].slice(0, 120)}`;
      out.uninformative[key] = (out.uninformative[key] ?? 0) + 1;
    }
  };

  /**
   * One call under a scope: `prepare()` makes the arguments, then the call is logged and `invoke()`
   * runs; a Promise it returns is awaited with a time limit.
   */
  const call = async (name, prepare, invoke, describeCall) => {
    out.calls++;
    out.names.add(name);
    let promise = null;
    const t0 = Date.now();
    try {
      ht.scope(() => {
        prepare();
        process.stderr.write(`@@${out.calls} +${Date.now() - start}ms ${describeCall()}\n`);
        const r = invoke();
        if (r && typeof r.then === 'function') promise = r;
        return undefined;
      });
    } catch (e) {
      note(name, e);
      return;
    }
    if (promise) {
      let timer;
      const hung = Symbol('hung');
      try {
        const r = await Promise.race([promise, new Promise((res) => (timer = setTimeout(() => res(hung), callMs)))]);
        if (r === hung) out.hangs.push(describeCall());
        else out.returned++;
      } catch (e) {
        note(name, e);
      } finally {
        clearTimeout(timer);
      }
    } else out.returned++;
    const ms = Date.now() - t0;
    if (ms > 1000) out.slow.push(`${describeCall()} took ${ms} ms`);
  };

  buildPool();
  for (let i = 0; i < calls; i++) {
    if (i % 150 === 0) buildPool();
    const r = rnd();
    if (r < 0.35) { // a Tensor method, getter or setter
      const m = pick(tensorMembers);
      let t;
      let a;
      await call(`Tensor.${m.name}`, () => ((t = tensor()), (a = args())), () => {
        if (m.kind === 'get') return t[m.name];
        if (m.kind === 'set') {
          t[m.name] = a[0];
          return undefined;
        }
        return t[m.name](...a);
      }, () => `Tensor.${m.name}(${[t, ...a].map(describe).join(', ')})`);
    } else if (r < 0.75) { // an exported function
      const f = pick(functions);
      let a;
      await call(f.name, () => (a = args()), () => f.fn(...a), () => `${f.name}(${a.map(describe).join(', ')})`);
    } else if (r < 0.85) { // a constructor; what it builds joins the pool
      const c = pick(classes);
      let a;
      await call(`new ${c.name}`, () => (a = args()), () => {
        const obj = new c.fn(...a);
        if (pool.length < 60) pool.push(obj);
      }, () => `new ${c.name}(${a.map(describe).join(', ')})`);
    } else if (r < 0.88 && statics.length) { // a static method
      const s = pick(statics);
      let a;
      await call(s.name, () => (a = args()), () => s.fn.apply(s.self, a), () => `${s.name}(${a.map(describe).join(', ')})`);
    } else if (pool.length) { // a method, getter or setter of an instance in the pool
      const obj = pick(pool);
      const ms = members(Object.getPrototypeOf(obj));
      if (!ms.length) continue;
      const m = pick(ms);
      const cname = obj.constructor ? obj.constructor.name : 'Object';
      const name = `${cname}.${m.name}`;
      let a;
      await call(name, () => (a = args()), () => {
        if (m.kind === 'get') return obj[m.name];
        if (m.kind === 'set') {
          obj[m.name] = a[0];
          return undefined;
        }
        return obj[m.name](...a);
      }, () => `${name}(${a.map(describe).join(', ')})`);
    }
  }
  return { ...out, names: [...out.names], skipped: SKIPPED, targets: targets.length + tensorMembers.length + statics.length };
}

module.exports = { runSlice, SKIPPED, RAW_JS };
