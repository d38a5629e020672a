/** safetensors and torch.save archives, round-tripped with Python's own readers and writers. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { describeWithTorch, runPython, tmpDir } from '../helpers/reference';

function sample(): Record<string, ht.Tensor> {
  ht.manualSeed(5);
  const base = ht.randn([3, 5]);
  return {
    f32: base,
    f64: base.to('float64').mul(1e-3),
    bf16: base.to('bfloat16'),
    f16: base.to('float16'),
    i32: ht.randint(-1000, 1000, [4], { dtype: 'int32' }),
    i64: ht.tensor([2n ** 50n, -3n, 0n], { dtype: 'int64' }),
    bool: base.gt(0),
    u8: ht.randint(0, 256, [2, 2], { dtype: 'uint8' }),
    i8: ht.randint(-128, 128, [5], { dtype: 'int8' }),
    i16: ht.randint(-3000, 3000, [5], { dtype: 'int16' }),
    empty: ht.zeros([0, 4]),
    scalar: ht.tensor(3.25),
    strided: base.T, // non-contiguous: saved in C order
  };
}

function bytesOf(t: ht.Tensor): Buffer {
  const a = t.toTypedArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe('safetensors in the SDK', () => {
  test('round trip keeps every dtype, shape and bit, and metadata', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const file = path.join(dir, 'x.safetensors');
      const src = sample();
      ht.saveSafetensors(file, src, { format: 'pt', note: 'hello' });
      const { tensors, metadata } = ht.loadSafetensors(file);
      expect(metadata).toEqual({ format: 'pt', note: 'hello' });
      expect(Object.keys(tensors).sort()).toEqual(Object.keys(src).sort());
      for (const [k, t] of Object.entries(src)) {
        expect([k, tensors[k].shape, tensors[k].dtype]).toEqual([k, t.shape, t.dtype]);
        expect(bytesOf(tensors[k]).equals(bytesOf(t))).toBe(true);
      }
      // header length is a multiple of 8 (the format's alignment rule)
      expect(Number(fs.readFileSync(file).readBigUInt64LE(0)) % 8).toBe(0);
      fs.rmSync(dir, { recursive: true });
    });
  });

  test('an interrupted atomic write leaves the previous file intact and no temp file', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const file = path.join(dir, 'ckpt.safetensors');
      ht.saveSafetensors(file, { w: ht.ones([4]) });
      const before = fs.readFileSync(file);
      expect(() => ht.writeFileAtomic(file, [new Uint8Array(10), 42 as unknown as Uint8Array])).toThrow();
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['ckpt.safetensors']);
      fs.rmSync(dir, { recursive: true });
    });
  });
});

describeWithTorch('interchange with Python', () => {
  test('files the SDK writes open in Python safetensors, and Python files open in the SDK', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const ours = path.join(dir, 'ours.safetensors');
      const theirs = path.join(dir, 'theirs.safetensors');
      const src = sample();
      ht.saveSafetensors(ours, src, { origin: 'hrm-torch' });
      const out = runPython(
        `
import json, sys, torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
t = load_file(sys.argv[1])
with safe_open(sys.argv[1], "pt") as f:
    meta = f.metadata()
check = {k: [str(v.dtype), list(v.shape)] for k, v in t.items()}
# Python writes back each tensor, plus a value computed from it, and its own metadata.
out = {k: v.clone() for k, v in t.items()}
out["f32_times_2"] = t["f32"] * 2
out["i64_plus_1"] = t["i64"] + 1
save_file(out, sys.argv[2], metadata={"origin": "python"})
print(json.dumps({"meta": meta, "check": check}))
`,
        [ours, theirs],
      );
      const report = JSON.parse(out.trim()) as { meta: Record<string, string>; check: Record<string, [string, number[]]> };
      expect(report.meta).toEqual({ origin: 'hrm-torch' });
      const pyDtype: Record<string, string> = {
        float32: 'torch.float32', float64: 'torch.float64', bfloat16: 'torch.bfloat16', float16: 'torch.float16', int32: 'torch.int32',
        int64: 'torch.int64', bool: 'torch.bool', uint8: 'torch.uint8', int8: 'torch.int8', int16: 'torch.int16',
      };
      for (const [k, t] of Object.entries(src)) expect(report.check[k]).toEqual([pyDtype[t.dtype], t.shape]);
      const back = ht.loadSafetensors(theirs);
      expect(back.metadata).toEqual({ origin: 'python' });
      for (const [k, t] of Object.entries(src)) expect(bytesOf(back.tensors[k]).equals(bytesOf(t))).toBe(true);
      expect(back.tensors.f32_times_2.toArray()).toEqual(src.f32.mul(2).toArray());
      expect(back.tensors.i64_plus_1.toTypedArray()).toEqual(new BigInt64Array([2n ** 50n + 1n, -2n, 1n]));
      fs.rmSync(dir, { recursive: true });
    });
  });

  test('torch.save state dicts load in the SDK; savePt files load in torch.load', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const pt = path.join(dir, 'model.pt');
      const ref = path.join(dir, 'model.safetensors');
      runPython(
        `
import sys, torch
from collections import OrderedDict
from safetensors.torch import save_file
torch.manual_seed(0)
sd = OrderedDict()
sd["_orig_mod.model.inner.embed_tokens.embedding_weight"] = torch.randn(11, 8)
sd["_orig_mod.model.inner.H_init"] = torch.randn(8).to(torch.bfloat16)
sd["_orig_mod.model.inner.q_head.bias"] = torch.full((2,), -5.0)
sd["step"] = torch.tensor(1234)
sd["view"] = torch.arange(12.0).view(3, 4).t()  # a non-contiguous view of a storage
sd = OrderedDict(list(sd.items()) + [("shared", sd["view"][1:, ::2])])  # a second view of it
torch.save(sd, sys.argv[1])
save_file({k: v.contiguous() for k, v in sd.items()}, sys.argv[2])
`,
        [pt, ref],
      );
      const loaded = ht.loadStateDictPt(pt);
      const expected = ht.loadSafetensors(ref).tensors;
      expect([...loaded.keys()]).toEqual([
        '_orig_mod.model.inner.embed_tokens.embedding_weight',
        '_orig_mod.model.inner.H_init',
        '_orig_mod.model.inner.q_head.bias',
        'step',
        'view',
        'shared',
      ]); // insertion order preserved
      for (const [k, t] of loaded) {
        expect([k, t.dtype, t.shape]).toEqual([k, expected[k].dtype, expected[k].shape]);
        expect(bytesOf(t.contiguous()).equals(bytesOf(expected[k]))).toBe(true);
      }
      // The other way: an archive written by the SDK, read by torch.load.
      const ours = path.join(dir, 'ours.pt');
      const src = sample();
      delete src.empty;
      ht.savePt(ours, src);
      const out = runPython(
        `
import json, sys, torch
sd = torch.load(sys.argv[1], weights_only=True)
print(json.dumps({k: [str(v.dtype), list(v.shape), float(v.double().sum())] for k, v in sd.items()}))
`,
        [ours],
      );
      const report = JSON.parse(out.trim()) as Record<string, [string, number[], number]>;
      expect(Object.keys(report).sort()).toEqual(Object.keys(src).sort());
      for (const [k, t] of Object.entries(src)) {
        expect(report[k][1]).toEqual(t.shape);
        expect(report[k][2]).toBeCloseTo(Number(t.to('float64').sum().item()), 6);
      }
      fs.rmSync(dir, { recursive: true });
    });
  });
});
