/** torch.save archives (src/tensor/io/torch-save.ts): state dicts to and from PyTorch's own torch.save / torch.load. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { PICKLE_OPCODES as OP } from '../../../src/tensor/io/pickle-opcodes';
import { encodeTorchArchive } from '../../../src/tensor/io/torch-save';
import { zipStored } from '../../../src/tensor/io/zip';
import { errorOf } from '../../helpers/errors';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';
import { bytesOf, sample } from './helpers';

describe('torch.save archives in the SDK', () => {
  test('savePt then loadStateDictPt keeps order, dtypes, shapes and bits', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const file = path.join(dir, 'sd.pt');
      const src = sample();
      delete src.empty;
      ht.savePt(file, src);
      const back = ht.loadStateDictPt(file);
      expect([...back.keys()]).toEqual(Object.keys(src));
      for (const [k, t] of Object.entries(src)) {
        expect([k, back.get(k)!.dtype, back.get(k)!.shape]).toEqual([k, t.dtype, t.shape]);
        expect(bytesOf(back.get(k)!.contiguous()).equals(bytesOf(t))).toBe(true);
      }
      fs.rmSync(dir, { recursive: true });
    });
  });

  test('encodeTorchArchive under another archive name reads back through its data.pkl prefix', () => {
    ht.scope(() => {
      const dir = tmpDir();
      const file = path.join(dir, 'named.pt');
      fs.writeFileSync(file, encodeTorchArchive([['w', ht.arange(4).to('float32')]], 'my_model'));
      expect(ht.loadStateDictPt(file).get('w')!.toArray()).toEqual([0, 1, 2, 3]);
      fs.rmSync(dir, { recursive: true });
    });
  });

  test('refusals: a top value that is not a dict, no data.pkl, big-endian storages', () => {
    const dir = tmpDir();
    const write = (name: string, files: [string, Buffer][]) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, zipStored(files));
      return file;
    };
    const emptyList = Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST, OP.STOP]);
    const list = write('list.pt', [['archive/data.pkl', emptyList]]);
    expect(ht.loadPt(list)).toEqual([]);
    const notDict = errorOf(() => ht.loadStateDictPt(list));
    expect([ht.hasErrorCode(notDict, 'CORRUPT_FILE'), notDict.message]).toEqual([true, expect.stringMatching(/expected a dict of tensors/)]);
    const noPickle = errorOf(() => ht.loadPt(write('nopkl.pt', [['archive/version', Buffer.from('3\n')]])));
    expect([ht.hasErrorCode(noPickle, 'CORRUPT_FILE'), noPickle.message]).toEqual([true, expect.stringMatching(/no data\.pkl/)]);
    const big = errorOf(() => ht.loadPt(write('big.pt', [['archive/data.pkl', emptyList], ['archive/byteorder', Buffer.from('big')]])));
    expect([ht.hasErrorCode(big, 'CORRUPT_FILE'), big.message]).toEqual([true, expect.stringMatching(/byte order big/)]);
    fs.rmSync(dir, { recursive: true });
  });
});

describeWithTorch('torch.save interchange with Python', () => {
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
