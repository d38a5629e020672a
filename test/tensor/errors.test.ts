/**
 * Bad input never aborts the process: each case runs in a child process (so a crash is caught as
 * a failure, not lost with the test runner) and must come back as a JS Error with a code and a
 * message naming what was wrong.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from '../helpers/reference';

const dist = path.resolve(__dirname, '..', '..', 'dist', 'src');

interface Outcome {
  name: string;
  threw: boolean;
  code?: string;
  message?: string;
  type?: string;
}

// Each entry: a name and the body of a function (given `ht`, `fs`, `dir`) expected to throw.
const cases: [string, string][] = [
  ['matmul shape mismatch', 'ht.ones([2, 3]).matmul(ht.ones([2, 3]))'],
  ['add broadcast mismatch', 'ht.ones([2, 3]).add(ht.ones([4]))'],
  ['wrong argument type', 'ht.ones([2]).add("x")'],
  ['non-tensor where a tensor is needed', 'ht.ones([2]).matmul([1, 2])'],
  ['view to an impossible shape', 'ht.ones([2, 3]).view(4)'],
  ['non-integer shape', 'ht.zeros([2.5])'],
  ['negative shape', 'ht.zeros([-1, 2])'],
  ['unknown dtype', 'ht.zeros([2], { dtype: "float128" })'],
  ['invalid device string', 'ht.zeros([2], { device: "tpu" })'],
  ['CUDA requested without CUDA', 'ht.zeros([2], { device: "cuda" })'],
  ['move to CUDA without CUDA', 'ht.ones([2]).cuda()'],
  ['disposed tensor used', 'const t = ht.ones([2]); t.dispose(); t.mul(2)'],
  ['disposed tensor as argument', 'const t = ht.ones([2]); t.dispose(); ht.ones([2]).mul(t)'],
  ['index out of range', 'ht.ones([3]).indexSelect(0, ht.tensor([5], { dtype: "int64" }))'],
  ['gather with float index', 'ht.ones([3]).gather(0, ht.ones([3]))'],
  ['dim out of range', 'ht.ones([3]).sum(4)'],
  ['item on many elements', 'ht.ones([3]).item()'],
  ['backward on a non-scalar without gradient', 'ht.ones([3], { requiresGrad: true }).mul(2).backward()'],
  ['backward without grad_fn', 'ht.ones([1]).backward()'],
  ['requiresGrad on an integer tensor', 'ht.ones([2], { dtype: "int64" }).requiresGrad_(true)'],
  ['ragged nested array', 'ht.tensor([[1, 2], [3]])'],
  ['non-number in nested array', 'ht.tensor([1, "a"])'],
  ['ambiguous Uint16Array', 'ht.tensor(new Uint16Array([1, 2]))'],
  ['TypedArray with wrong element count', 'ht.fromTypedArray(new Float32Array(5), [2, 3])'],
  ['invalid reduction', 'ht.crossEntropy(ht.ones([2, 3]), ht.zeros([2], { dtype: "int64" }), { reduction: "avg" })'],
  ['cross entropy with float targets of wrong shape', 'ht.crossEntropy(ht.ones([2, 3]), ht.zeros([5]))'],
  ['cat of mismatched shapes', 'ht.cat([ht.ones([2, 3]), ht.ones([2, 4])], 0)'],
  ['cat of a non-array', 'ht.cat(ht.ones([2]))'],
  ['index with a non-array of indices', 'ht.ones([3]).index(ht.zeros([1], { dtype: "int64" }))'],
  ['indexPut_ with a non-array of indices', 'ht.ones([3]).indexPut_(5, ht.ones([1]))'],
  ['expandAs a non-tensor', 'ht.ones([1]).expandAs([3])'],
  ['where with a string branch', 'ht.where(ht.ones([2], { dtype: "bool" }), "a", 1)'],
  ['sdpa with mismatched heads', 'ht.scaledDotProductAttention(ht.ones([1, 2, 3, 4]), ht.ones([1, 2, 3, 5]), ht.ones([1, 2, 3, 4]))'],
  ['eigvalsh of a non-square matrix', 'ht.linalg.eigvalsh(ht.ones([2, 3], { dtype: "float64" }))'],
  ['dropout probability out of range', 'ht.dropout(ht.ones([2]), 1.5)'],
  ['safetensors: missing file', 'ht.loadSafetensors(dir + "/nope.safetensors")'],
  ['safetensors: truncated', 'ht.saveSafetensors(dir + "/a.safetensors", { w: ht.ones([100]) }); const b = fs.readFileSync(dir + "/a.safetensors"); fs.writeFileSync(dir + "/t.safetensors", b.subarray(0, b.length - 10)); ht.loadSafetensors(dir + "/t.safetensors")'],
  ['safetensors: header length beyond the file', 'const b = Buffer.alloc(16); b.writeBigUInt64LE(1000n); fs.writeFileSync(dir + "/h.safetensors", b); ht.loadSafetensors(dir + "/h.safetensors")'],
  ['safetensors: bad JSON', 'const j = Buffer.from("{not json}   "); const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(j.length)); fs.writeFileSync(dir + "/j.safetensors", Buffer.concat([b, j])); ht.loadSafetensors(dir + "/j.safetensors")'],
  ['safetensors: offsets disagree with shape', 'const j = Buffer.from(JSON.stringify({ w: { dtype: "F32", shape: [4], data_offsets: [0, 8] } })); const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(j.length)); fs.writeFileSync(dir + "/o.safetensors", Buffer.concat([b, j, Buffer.alloc(8)])); ht.loadSafetensors(dir + "/o.safetensors")'],
  ['safetensors: unknown dtype', 'const j = Buffer.from(JSON.stringify({ w: { dtype: "C64", shape: [1], data_offsets: [0, 8] } })); const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(j.length)); fs.writeFileSync(dir + "/d.safetensors", Buffer.concat([b, j, Buffer.alloc(8)])); ht.loadSafetensors(dir + "/d.safetensors")'],
  ['.pt: not a zip archive', 'fs.writeFileSync(dir + "/r.pt", Buffer.from("random bytes, not a checkpoint")); ht.loadPt(dir + "/r.pt")'],
  ['.pt: truncated archive', 'ht.savePt(dir + "/s.pt", { w: ht.ones([1000]) }); const b = fs.readFileSync(dir + "/s.pt"); fs.writeFileSync(dir + "/st.pt", b.subarray(0, Math.floor(b.length / 2))); ht.loadPt(dir + "/st.pt")'],
  ['.pt: zip with garbage inside', 'const b = Buffer.alloc(200, 7); b.write("PK\\u0003\\u0004", 0, "latin1"); fs.writeFileSync(dir + "/g.pt", b); ht.loadPt(dir + "/g.pt")'],
  ['setNumThreads(0)', 'ht.setNumThreads(0)'],
  ['randint with high <= low', 'ht.randint(5, 5, [2])'],
  ['host out of memory', 'ht.empty([1 << 20, 1 << 20, 64])'],
  // inputs that used to abort or hang the process
  ['tensor() of a cyclic nested array', 'const a = [1, 2]; a[0] = a; ht.tensor(a)'],
  ['tensor() of an array cyclic below its first elements', 'const a = [[1, 2], [3, 4]]; a[1] = a; ht.tensor(a)'],
  ['tensor() of arrays nested 100 levels deep', 'let x = [1]; for (let i = 0; i < 100; i++) x = [x]; ht.tensor(x)'],
  ['tensor() of a huge sparse array', 'ht.tensor(new Array(2 ** 32 - 1))'],
  ['zeros() with a shape array of length 2^32-1', 'ht.zeros(new Array(2 ** 32 - 1))'],
  ['view() with a shape array of length 2^32-1', 'ht.zeros([2]).view(new Array(2 ** 32 - 1))'],
  ['zeros() with 65 dims', 'ht.zeros(new Array(65).fill(1))'],
  ['zeros() with a size beyond 2^53', 'ht.zeros([2 ** 60])'],
  // messages that named nothing
  ['scope(0)', 'ht.scope(0)'],
  ['ones() without a shape', 'ht.ones()'],
  ['new AdamATan2() without arguments', 'new ht.AdamATan2()'],
  ['AdamATan2 without options', 'new ht.AdamATan2([ht.ones([2], { requiresGrad: true })])'],
  ['AdamATan2 with betas out of range', 'new ht.AdamATan2([ht.ones([2], { requiresGrad: true })], { lr: 1e-3, betas: [0.9, 1.5] })'],
  ['SparseEmbeddingSignSGD without an embedding', 'new ht.SparseEmbeddingSignSGD(undefined, { lr: 1 })'],
  ['to() a device that does not exist', 'ht.zeros([2]).to("tpu")'],
  ['Generator on an invalid device', 'new ht.Generator(0, "tpu")'],
  ['manualSeed with a fraction', 'ht.manualSeed(1.5)'],
];

describe('errors become JS Errors, never aborts', () => {
  let outcomes: Map<string, Outcome>;
  let status: number | null;
  let signal: NodeJS.Signals | null;
  let stderr: string;

  beforeAll(() => {
    const dir = tmpDir('hrm-torch-errors-');
    const script = `
      const ht = require(${JSON.stringify(dist)});
      const fs = require('fs');
      const dir = ${JSON.stringify(dir)};
      const cases = ${JSON.stringify(cases)};
      for (const [name, body] of cases) {
        let out = { name, threw: false };
        try { new Function('ht', 'fs', 'dir', body)(ht, fs, dir); }
        catch (e) { out = { name, threw: true, code: e.code, message: e.message, type: e.constructor.name }; }
        process.stdout.write(JSON.stringify(out) + '\\n');
      }
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 150_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    status = r.status;
    signal = r.signal;
    stderr = r.stderr;
    outcomes = new Map(
      r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Outcome)
        .map((o) => [o.name, o]),
    );
  });

  test('the child process survived every case', () => {
    expect({ signal, status, stderr: stderr.slice(0, 500) }).toEqual({ signal: null, status: 0, stderr: '' });
    expect(outcomes.size).toBe(cases.length);
  });

  test.each(cases.map(([n]) => [n]))('%s', (name) => {
    const o = outcomes.get(name);
    expect(o).toBeDefined();
    expect(o!.threw).toBe(true);
    expect(o!.message).toBeTruthy();
    expect(o!.message).not.toMatch(/Exception raised from|frame #\d/); // no C++ backtrace
    expect(o!.code ?? 'ENOENT').toMatch(/^(INVALID_ARGUMENT|TORCH_ERROR|TENSOR_DISPOSED|CUDA_UNAVAILABLE|CORRUPT_FILE|ENOENT|NATIVE_ERROR|OUT_OF_MEMORY)$/);
  });

  test('messages name what was wrong', () => {
    const msg = (n: string) => outcomes.get(n)!.message!;
    expect(msg('matmul shape mismatch')).toMatch(/2x3 and 2x3/);
    expect(msg('wrong argument type')).toMatch(/other must be a Tensor or a number, got string/);
    expect(msg('non-tensor where a tensor is needed')).toMatch(/other must be a Tensor, got an array/);
    expect(msg('unknown dtype')).toMatch(/float128/);
    expect(msg('index with a non-array of indices')).toMatch(/^index\(\): indices must be an array of tensors \(undefined for a whole dim\), got a Tensor$/);
    expect(msg('indexPut_ with a non-array of indices')).toMatch(/^indexPut_\(\): indices must be an array .*got number 5$/);
    expect(msg('expandAs a non-tensor')).toMatch(/^expandAs\(\): other must be a Tensor, got an array of length 1$/);
    expect(msg('where with a string branch')).toMatch(/^where\(\): a must be a Tensor or a number, got string "a"$/);
    expect(msg('invalid device string')).toMatch(/'cpu', 'cuda' or 'cuda:N'.*tpu/);
    expect(msg('CUDA requested without CUDA')).toMatch(/CUDA is not available/);
    expect(outcomes.get('CUDA requested without CUDA')!.code).toBe('CUDA_UNAVAILABLE');
    expect(outcomes.get('disposed tensor used')!.code).toBe('TENSOR_DISPOSED');
    expect(msg('disposed tensor as argument')).toMatch(/'other'/);
    expect(msg('index out of range')).toMatch(/out of range|index/i);
    expect(msg('item on many elements')).toMatch(/exactly one element, got 3/);
    expect(msg('backward on a non-scalar without gradient')).toMatch(/one-element tensor/);
    expect(msg('requiresGrad on an integer tensor')).toMatch(/floating-point/);
    expect(msg('ragged nested array')).toMatch(/ragged/);
    expect(msg('TypedArray with wrong element count')).toMatch(/20 bytes but shape and dtype need 24/);
    expect(msg('invalid reduction')).toMatch(/reduction/);
    expect(msg('cat of a non-array')).toMatch(/tensors must be an array/);
    for (const n of cases.map(([c]) => c).filter((c) => c.startsWith('safetensors:') && !c.includes('missing'))) {
      expect(outcomes.get(n)!.code).toBe('CORRUPT_FILE');
    }
    for (const n of ['.pt: not a zip archive', '.pt: truncated archive', '.pt: zip with garbage inside']) {
      expect(outcomes.get(n)!.code).toBe('CORRUPT_FILE');
    }
    expect(outcomes.get('host out of memory')!.code).toBe('OUT_OF_MEMORY');
    expect(msg('safetensors: offsets disagree with shape')).toMatch(/spans 8 bytes but shape \[4\]/);
  });

  test('inputs that used to abort: clear INVALID_ARGUMENT errors', () => {
    const msg = (n: string) => {
      expect(outcomes.get(n)!.code).toBe('INVALID_ARGUMENT');
      return outcomes.get(n)!.message!;
    };
    expect(msg('tensor() of a cyclic nested array')).toBe('tensor(): data is cyclic: data[0] is data itself');
    expect(msg('tensor() of an array cyclic below its first elements')).toBe('tensor(): data is cyclic: data[1] is data itself');
    expect(msg('tensor() of arrays nested 100 levels deep')).toBe('tensor(): data is nested more than 64 levels deep (the most dims a tensor may have here)');
    expect(msg('tensor() of a huge sparse array')).toBe('tensor(): data[0] is undefined; only numbers, booleans and bigints are allowed');
    expect(msg('zeros() with a shape array of length 2^32-1')).toBe('zeros(): shape has 4294967295 dims; at most 64 are supported');
    expect(msg('view() with a shape array of length 2^32-1')).toBe('view(): shape has 4294967295 dims; at most 64 are supported');
    expect(msg('zeros() with 65 dims')).toBe('zeros(): shape has 65 dims; at most 64 are supported');
    expect(msg('zeros() with a size beyond 2^53')).toBe('zeros(): shape[0] must be a non-negative integer below 2^53, got number 1152921504606847000');
  });

  test('messages name the argument, the value and what was expected', () => {
    const msg = (n: string) => {
      expect(outcomes.get(n)!.code).toBe('INVALID_ARGUMENT');
      return outcomes.get(n)!.message!;
    };
    expect(msg('scope(0)')).toBe('scope(fn): fn must be a function to run (synchronous), got number 0');
    expect(msg('ones() without a shape')).toBe('ones(): shape must be an array of non-negative integers or one such integer, got undefined');
    expect(msg('new AdamATan2() without arguments')).toBe('AdamATan2: params must be a non-empty array of tensors (model.parameters(), say), got undefined');
    expect(msg('AdamATan2 without options')).toBe('AdamATan2: options must be an object with at least lr ({ lr: 1e-4 }, say), got undefined');
    expect(msg('AdamATan2 with betas out of range')).toBe('AdamATan2: options.betas[1] must be a number in [0, 1), got number 1.5');
    expect(msg('SparseEmbeddingSignSGD without an embedding')).toBe('SparseEmbeddingSignSGD: embedding must be a CastedSparseEmbedding (model.inner.puzzleEmb, say), got undefined');
    expect(msg('to() a device that does not exist')).toMatch(/^to\(\) takes a dtype \(.*\), a device \('cpu', 'cuda' or 'cuda:N'\) or \{ dtype, device \}; got string "tpu"$/);
    expect(msg('Generator on an invalid device')).toBe(`Generator(): device must be 'cpu', 'cuda' or 'cuda:N' (N a device index); got string "tpu"`);
    expect(msg('manualSeed with a fraction')).toBe('manualSeed(): seed must be an integer, got number 1.5');
    expect(msg('invalid device string')).toBe(`options.device must be 'cpu', 'cuda' or 'cuda:N' (N a device index); got string "tpu"`);
  });
});

describe('process lifecycle', () => {
  test('exiting with live tensors, open scopes and generators is clean', () => {
    const script = `
      const ht = require(${JSON.stringify(dist)});
      const keep = [ht.randn([100, 100]), ht.ones([3]).requiresGrad_(true)];
      const g = new ht.Generator(1);
      ht.rand([2], { generator: g });
      ht.scope(() => { ht.ones([2]); process.exit(0); });
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  });

  test('the addon loads and computes in worker threads (one state per thread)', () => {
    const script = `
      const { Worker } = require('worker_threads');
      const code = "const ht = require(${JSON.stringify(dist).replace(/"/g, '\\"')}); const { parentPort } = require('worker_threads'); parentPort.postMessage(ht.ones([2, 2]).matmul(ht.ones([2, 2])).sum().item());";
      let done = 0; const results = [];
      for (let i = 0; i < 2; i++) {
        const w = new Worker(code, { eval: true });
        w.on('message', (m) => results.push(m));
        w.on('error', (e) => { console.error(e); process.exit(3); });
        w.on('exit', () => { if (++done === 2) { const ht = require(${JSON.stringify(dist)}); console.log(JSON.stringify({ results, main: ht.ones([2]).sum().item() })); } });
      }
    `;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual({ results: [8, 8], main: 2 });
  });
});
