/** torch.save archives (src/tensor/io/torch-save.ts): state dicts to and from PyTorch's own torch.save / torch.load. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { PICKLE_OPCODES as OP } from '../../../src/tensor/io/pickle-opcodes';
import { PickleWriter } from '../../../src/tensor/io/pickle-writer';
import { encodeTorchArchive } from '../../../src/tensor/io/torch-save';
import { zipStored } from '../../../src/tensor/io/zip';
import { runChild } from '../../helpers/child';
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

describe('a zero-stride view in a .pt (what torch.save writes for an expanded tensor)', () => {
  test('a crafted .pt of a [1e9, 1e9] view over one stored element loads outside a scope, and the process lives through event-loop turns', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'zero-stride.pt');
    // {'v': _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 1), 0, (1e9, 1e9), (0, 0), False, None)}
    const pickle = new PickleWriter()
      .op(OP.PROTO, 2, OP.EMPTY_DICT)
      .str('v')
      .global('torch._utils', '_rebuild_tensor_v2')
      .op(OP.MARK, OP.MARK)
      .str('storage')
      .global('torch', 'FloatStorage')
      .str('0')
      .str('cpu')
      .int(1)
      .op(OP.TUPLE, OP.BINPERSID)
      .int(0)
      .tuple([1e9, 1e9])
      .tuple([0, 0])
      .op(OP.NEWFALSE, OP.NONE, OP.TUPLE, OP.REDUCE, OP.SETITEM, OP.STOP)
      .bytes();
    const one = Buffer.alloc(4);
    one.writeFloatLE(2.5);
    fs.writeFileSync(file, zipStored([['archive/data.pkl', pickle], ['archive/data/0', one]]));
    expect(fs.statSync(file).size).toBeLessThan(1024);
    const out = await runChild(`
      const v = ht.loadStateDictPt(${JSON.stringify(file)}).get('v'); // no scope: left to the GC safety net
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      report({ shape: v.shape, corner: v.narrow(0, 999999999, 1).narrow(1, 999999999, 1).item(), reported: ht.memory().gcReportedBytes });
    `);
    fs.rmSync(dir, { recursive: true });
    expect({ timedOut: out.timedOut, signal: out.signal, status: out.status, stderr: out.stderr.slice(0, 300) }).toEqual({ timedOut: false, signal: null, status: 0, stderr: '' });
    expect(out.result).toEqual({ shape: [1e9, 1e9], corner: 2.5, reported: 0 }); // 4 stored bytes: under the 1 KiB V8 is told about
  });
});

// A loaded value in the form Python prints it (see plain() in the script below).
function plain(v: ht.PtValue): unknown {
  if (v instanceof ht.Tensor) return { tensor: [v.dtype, v.shape, Array.from(v.to('float64').contiguous().toTypedArray() as Float64Array)] };
  if (v instanceof Map) return { dict: [...v].map(([k, x]) => [k, plain(x)]) };
  if (Array.isArray(v)) return v.map(plain);
  if (v === undefined) return null;
  return v;
}

describeWithTorch('torch.save checkpoints as PyTorch writes them', () => {
  test('model and optimizer state, parameters (with and without attributes), tensors with attributes, zero-stride views, dtypes, devices, sizes and nested values (pickle protocols 2 and 4)', () => {
    const dir = tmpDir();
    const [p2, p4] = [path.join(dir, 'p2.pt'), path.join(dir, 'p4.pt')];
    const expected = JSON.parse(
      runPython(
        `
import sys, json, torch
torch.manual_seed(0)
m = torch.nn.Linear(3, 2)
opt = torch.optim.Adam(m.parameters())
m(torch.ones(1, 3)).sum().backward()
opt.step()
t = torch.arange(4.0)
t.note = "x"  # a tensor with attributes: _rebuild_from_type_v2
p = torch.nn.Parameter(torch.ones(3))
p.tag = 5  # a parameter with attributes: _rebuild_parameter_with_state
obj = {
    "model": m.state_dict(), "optim": opt.state_dict(), "param": torch.nn.Parameter(torch.full((2,), 0.5)),
    "dtype": torch.bfloat16, "device": torch.device("cpu"), "size": torch.Size([2, 3]), "step": 7,
    "nested": {"a": [1, 2.5, None, True, "x", (1, 2)]}, "expanded": torch.ones(1).expand(4, 3),
    "half": torch.ones(2, dtype=torch.float16), "i64": torch.tensor([2**40]), "attr": t, "param_attr": p,
}
torch.save(obj, sys.argv[1])
torch.save(obj, sys.argv[2], pickle_protocol=4)
def plain(v):
    if isinstance(v, torch.Tensor):
        return {"tensor": [str(v.dtype).replace("torch.", ""), list(v.shape), v.detach().double().flatten().tolist()]}
    if isinstance(v, dict):
        return {"dict": [[k, plain(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, torch.dtype):
        return {"$global": str(v)}
    if isinstance(v, torch.device):
        return str(v)
    return v
print(json.dumps(plain(obj)))
`,
        [p2, p4],
      ).trim(),
    );
    ht.scope(() => {
      for (const file of [p2, p4]) expect(plain(ht.loadPt(file))).toEqual(expected);
      expect([...ht.loadStateDictPt(p2).keys()]).toEqual([
        'model.weight', 'model.bias', 'optim.state.0.step', 'optim.state.0.exp_avg', 'optim.state.0.exp_avg_sq',
        'optim.state.1.step', 'optim.state.1.exp_avg', 'optim.state.1.exp_avg_sq', 'param', 'expanded', 'half', 'i64', 'attr', 'param_attr',
      ]);
    });
    fs.rmSync(dir, { recursive: true });
  });

  test('a checkpoint whose pickle calls os.system (an object with __reduce__) is refused by loadPt and loadStateDictPt, naming posix.system; nothing runs', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'evil.pt');
    const marker = path.join(dir, 'ran');
    runPython(
      `
import os, sys, torch
class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + sys.argv[2],))
torch.save({"w": torch.ones(2), "x": Evil()}, sys.argv[1])
`,
      [file, marker],
    );
    for (const load of [ht.loadPt, ht.loadStateDictPt]) {
      const e = errorOf(() => load(file));
      expect([ht.hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([
        true,
        expect.stringMatching(/^refused file .*evil\.pt: its pickle names the global posix\.system \(at byte \d+\), which is code, not data/),
      ]);
    }
    expect(fs.existsSync(marker)).toBe(false);
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
