/** safetensors files (src/tensor/io/safetensors.ts), round-tripped with Python's own reader and writer. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { errorOf } from '../../helpers/errors';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';
import { bytesOf, sample } from './helpers';
import * as subject from '../../../src/tensor/io/safetensors';
import { expectInvalidArgument } from '../../helpers/errors';

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

  test('encode and decode in memory agree with the file functions; metadata reads without the data', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const file = path.join(dir, 'm.safetensors');
      const w = ht.arange(6).to('float32').view(2, 3);
      const bytes = Buffer.concat(ht.encodeSafetensors({ w }, { k: 'v' }));
      ht.saveSafetensors(file, { w }, { k: 'v' });
      expect(fs.readFileSync(file).equals(bytes)).toBe(true);
      const decoded = ht.decodeSafetensors(bytes);
      expect(decoded.metadata).toEqual({ k: 'v' });
      expect(decoded.tensors.w.toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
      expect(ht.readSafetensorsMetadata(file)).toEqual({ k: 'v' });
      fs.rmSync(dir, { recursive: true });
    });
  });

  test('refusals carry codes: non-string metadata, overlapping tensors, a short buffer', () => {
    ht.scope(() => {
      const bad = errorOf(() => ht.encodeSafetensors({ w: ht.ones([1]) }, { n: 3 as unknown as string }));
      expect(ht.hasErrorCode(bad, 'INVALID_ARGUMENT')).toBe(true);
      expect(bad.message).toMatch(/'n' is number/);
      const header = Buffer.from(JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(header.length));
      const overlap = errorOf(() => ht.decodeSafetensors(Buffer.concat([len, header, Buffer.alloc(12)]), 'o.safetensors'));
      expect(ht.hasErrorCode(overlap, 'CORRUPT_FILE')).toBe(true);
      expect(overlap.message).toMatch(/o\.safetensors.*'a' and 'b' overlap/);
      expect(ht.hasErrorCode(errorOf(() => ht.decodeSafetensors(new Uint8Array(5))), 'CORRUPT_FILE')).toBe(true);
    });
  });
});

describeWithTorch('safetensors interchange with Python', () => {
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
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('saveSafetensors, encodeSafetensors and decodeSafetensors name tensors or bytes that are not one', () => {
    expectInvalidArgument(() => subject.saveSafetensors('never-written.safetensors', undefined as never), 'saveSafetensors(): tensors must be an object of named tensors, got undefined');
    expectInvalidArgument(() => subject.encodeSafetensors({}, 3 as never), 'encodeSafetensors(): metadata must be an object of strings, got number 3');
    expectInvalidArgument(() => subject.decodeSafetensors('bytes' as never), 'decodeSafetensors(): bytes must be a Uint8Array (or a Buffer), got string "bytes"');
  });
});
