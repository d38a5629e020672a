/** WeightEMA: the average against PyTorch's computation of TRM's formula, the swap, its state, and what it leaves alone. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { WeightEMA } from '../../src/train/ema';
import { TINY } from '../helpers/hrm';
import { describeWithTorch, expectTensorClose, runPython, tmpDir } from '../helpers/reference';

const RATE = 0.9; // far from 1, so that a few updates move the average visibly

function tinyModel(): ht.HRM {
  ht.manualSeed(3);
  return new ht.HRM(ht.hrmConfig(TINY));
}

/** Sets every parameter to fresh random values (what an optimizer step would do). */
function perturb(model: ht.HRM): void {
  ht.noGrad(() => {
    for (const p of model.parameters()) ht.scope(() => void p.copy_(ht.randn(p.shape)));
  });
}

const snapshot = (model: ht.HRM, tag: string) => Object.fromEntries(model.namedParameters().map(([n, p]) => [`${tag}.${n}`, p.detach().clone()]));

describeWithTorch('WeightEMA against PyTorch', () => {
  test("after 4 updates the shadow is TRM's (1 - rate) * param + rate * shadow on the same values, bitwise", () => {
    const model = tinyModel();
    const ema = new WeightEMA(model, RATE);
    const inputs: Record<string, ht.Tensor> = snapshot(model, 'p0');
    for (let k = 1; k <= 4; k++) {
      perturb(model);
      Object.assign(inputs, snapshot(model, `p${k}`));
      ema.update();
    }
    const dir = tmpDir('ema-ref-');
    const inFile = path.join(dir, 'in.safetensors');
    const outFile = path.join(dir, 'out.safetensors');
    ht.saveSafetensors(inFile, inputs);
    runPython(
      `
import sys, torch
from safetensors.torch import load_file, save_file
t = load_file(sys.argv[1]); mu = float(sys.argv[3])
names = [k[3:] for k in t if k.startswith('p0.')]
out = {}
for n in names:
    shadow = t['p0.' + n].clone()  # TRM's EMAHelper.register: a copy of the weights
    for k in range(1, 5):
        shadow = (1. - mu) * t[f'p{k}.' + n] + mu * shadow  # TRM's EMAHelper.update
    out[n] = shadow
save_file(out, sys.argv[2])
`,
      [inFile, outFile, String(RATE)],
    );
    const expected = ht.loadSafetensors(outFile).tensors;
    const state = ema.state();
    expect(Object.keys(state).sort()).toEqual(Object.keys(expected).sort());
    for (const [n, t] of Object.entries(state)) expectTensorClose(t, expected[n], n, { rtol: 0, atol: 0 });
    fs.rmSync(dir, { recursive: true, force: true });
    ema.dispose();
    model.dispose();
  });
});

describe('WeightEMA', () => {
  test('averages the parameters only: the puzzle-embedding table (a buffer trained by SignSGD) and H_init/L_init are left out', () => {
    const model = tinyModel();
    const ema = new WeightEMA(model, RATE);
    expect(ema.names).toEqual(model.namedParameters().map(([n]) => n));
    expect(ema.names).not.toContain('inner.puzzle_emb.weights');
    expect(model.stateDict().has('inner.puzzle_emb.weights')).toBe(true);
    ema.dispose();
    model.dispose();
  });

  test('swap exchanges the weights and the average in place (the optimizer keeps its tensors); withAverage puts them back even when it throws', () => {
    const model = tinyModel();
    const ema = new WeightEMA(model, RATE);
    const params = model.parameters();
    const averaged = snapshot(model, 'a');
    perturb(model);
    const trained = snapshot(model, 't');
    const names = model.namedParameters().map(([n]) => n);
    const expectWeights = (want: Record<string, ht.Tensor>, tag: string) =>
      names.forEach((n, i) => expect(params[i].toTypedArray()).toEqual(want[`${tag}.${n}`].toTypedArray()));
    ema.swap();
    expect(model.parameters()).toEqual(params); // the same tensors, new values
    expectWeights(averaged, 'a');
    names.forEach((n) => expect(ema.state()[n].toTypedArray()).toEqual(trained[`t.${n}`].toTypedArray()));
    expect(() => ema.update()).toThrow(/the model holds the average/);
    ema.swap();
    expectWeights(trained, 't');
    expect(() => ema.withAverage(() => {
      expectWeights(averaged, 'a');
      throw new Error('boom');
    })).toThrow('boom');
    expectWeights(trained, 't');
    expect(ema.isSwapped).toBe(false);
    ema.dispose();
    model.dispose();
  });

  test('loadState restores a saved state exactly and names what does not fit; a bad rate is refused', () => {
    const model = tinyModel();
    const ema = new WeightEMA(model, RATE);
    perturb(model);
    ema.update();
    const saved = Object.fromEntries(Object.entries(ema.state()).map(([n, t]) => [n, t.clone()]));
    const other = new WeightEMA(model, RATE);
    other.loadState(saved);
    for (const [n, t] of Object.entries(other.state())) expect(t.toTypedArray()).toEqual(saved[n].toTypedArray());
    const [first, ...rest] = Object.keys(saved);
    expect(() => other.loadState(Object.fromEntries(rest.map((n) => [n, saved[n]])))).toThrow(new RegExp(`'${first.replace(/\./g, '\\.')}' is missing`));
    expect(() => other.loadState({ ...saved, [first]: ht.zeros([3]) })).toThrow(/has shape \[3\], the model's is/);
    expect(() => other.loadState({ ...saved, extra: ht.zeros([1]) })).toThrow(/unexpected: extra/);
    for (const rate of [1, -0.1, NaN, '0.9' as unknown as number]) expect(() => new WeightEMA(model, rate)).toThrow(/WeightEMA: rate must be a rate in \[0, 1\) \(e\.g\. 0\.999\), got /);
    ema.dispose();
    other.dispose();
    model.dispose();
  });
});
