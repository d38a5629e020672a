/** Module bookkeeping: strict state dicts, train/eval, dtype moves and dispose (on an HRM, a deep module tree). */
import * as ht from '../../src';
import { TINY } from '../helpers/hrm';
import * as subject from '../../src/nn/module';
import { expectInvalidArgument } from '../helpers/errors';

describe('Module', () => {
  test('loadStateDict is strict and lists every problem; non-strict reports them', () => {
    ht.manualSeed(0);
    const a = new ht.HRM(ht.hrmConfig(TINY));
    ht.manualSeed(1);
    const b = new ht.HRM(ht.hrmConfig(TINY));
    const sd = new Map(a.stateDict());
    b.loadStateDict(sd);
    for (const [k, t] of b.stateDict()) expect(t.toArray()).toEqual(sd.get(k)!.toArray());
    const broken = new Map(sd);
    broken.delete('inner.lm_head.weight');
    broken.set('inner.extra.weight', ht.ones([2]));
    broken.set('inner.q_head.bias', ht.ones([3]));
    let msg = '';
    try {
      b.loadStateDict(broken);
    } catch (e) {
      msg = (e as Error).message;
      expect((e as { code: string }).code).toBe('STATE_DICT_MISMATCH');
    }
    expect(msg).toMatch(/missing keys \(1\): inner\.lm_head\.weight/);
    expect(msg).toMatch(/unexpected keys \(1\): inner\.extra\.weight/);
    expect(msg).toMatch(/inner\.q_head\.bias: checkpoint has shape \[3\], the model expects \[2\]/);
    broken.set('inner.q_head.bias', sd.get('inner.q_head.bias')!);
    const r = b.loadStateDict(broken, { strict: false });
    expect(r).toEqual({ missingKeys: ['inner.lm_head.weight'], unexpectedKeys: ['inner.extra.weight'] });
    a.dispose();
    b.dispose();
  });

  test('train/eval, to(dtype), zeroGrad and dispose', () => {
    const m = new ht.HRM(ht.hrmConfig(TINY));
    expect(m.training).toBe(true);
    m.eval();
    expect(m.inner.hLevel.layers[0].training).toBe(false);
    m.train();
    const live = ht.memory().liveTensors;
    m.to('float64');
    expect(m.inner.lmHead.weight.dtype).toBe('float64');
    expect(m.inner.lmHead.weight.requiresGrad).toBe(true);
    expect(m.inner.puzzleEmb!.localIds.dtype).toBe('int32'); // integer buffers keep their dtype
    expect(ht.memory().liveTensors).toBe(live); // the old tensors were freed
    m.to('float32');
    m.dispose();
    expect(ht.memory().liveTensors).toBe(live - m.stateDict().size - 2 - 2); // + local buffers, rotary tables
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('register*, named* and loadStateDict name a bad name, tensor, module, prefix or state dict', () => {
    class Probe extends subject.Module {
      probe(kind: string, name: unknown, x: unknown): unknown {
        if (kind === 'parameter') return this.registerParameter(name as string, x as ht.Tensor);
        if (kind === 'buffer') return this.registerBuffer(name as string, x as ht.Tensor);
        return this.registerModule(name as string, x as subject.Module);
      }
    }
    const m = new Probe();
    expectInvalidArgument(() => m.probe('parameter', 3, ht.zeros([1])), 'a module member name must be a string, got number 3');
    expectInvalidArgument(() => m.probe('buffer', 'b', [1]), "registerBuffer(): the tensor of 'b' must be a Tensor, got an array of length 1");
    expectInvalidArgument(() => m.probe('module', 'c', {}), "registerModule(): the module of 'c' must be a Module, got an object");
    expectInvalidArgument(() => m.namedModules(3 as never), 'namedModules(): prefix must be a string, got number 3');
    expectInvalidArgument(() => m.namedParameters(null as never), 'namedParameters(): prefix must be a string, got null');
    expectInvalidArgument(() => m.loadStateDict(undefined as never), 'loadStateDict(): stateDict must be a Map or an object of named tensors, got undefined');
  });
});
