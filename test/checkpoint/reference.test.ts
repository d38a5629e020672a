/**
 * Reference checkpoints: a torch.save state dict written by PyTorch the way the reference saves
 * it (with and without the compiled-model prefix) imports into an HRM, which then gives the
 * PyTorch HRM's outputs.
 */
import * as path from 'path';
import * as fs from 'fs';
import { spawnSync } from 'child_process';
import * as ht from '../../src';
import { describeWithTorch, referencePython, tmpDir } from '../helpers/reference';
import { SEED, base, makeBatch, parityFailures, referenceParity, relErr, runTs } from '../helpers/hrm';
import { referenceKey } from '../../src/checkpoint/reference';

describe('referenceKey', () => {
  test('drops the compiled-model prefix and the loss head, nothing else', () => {
    expect(referenceKey('_orig_mod.model.inner.H_init')).toBe('inner.H_init');
    expect(referenceKey('model.inner.lm_head.weight')).toBe('inner.lm_head.weight');
    expect(referenceKey('inner.q_head.bias')).toBe('inner.q_head.bias');
    expect(referenceKey('_orig_mod.inner.model.x')).toBe('inner.model.x'); // only leading prefixes
  });
});

describeWithTorch('reference checkpoints', () => {
  test('a torch.save state dict with _orig_mod.model.inner. keys loads and gives PyTorch outputs', () => {
    const dir = tmpDir('hrm-ckpt-');
    try {
      ht.setNumThreads(1);
      const cfg = ht.hrmConfig({ ...base, forwardDtype: 'float32' });
      const refCfg = { ...ht.hrm.toReferenceConfig(cfg), forward_dtype: 'bfloat16' };
      const pt = path.join(dir, 'step_1000');
      const ptPlain = path.join(dir, 'step_1000_nocompile');
      const weights = path.join(dir, 'w.safetensors');
      // PyTorch makes the checkpoint as the reference would save it (bf16 H_init/L_init, compiled-model prefix).
      const script = `
import sys, json, torch
sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', 'reference'))})
import hrm_ref
from safetensors.torch import save_file
torch.manual_seed(3)
head = hrm_ref.build_model(json.loads(sys.argv[1]))
with torch.no_grad():
    head.model.inner.puzzle_emb.weights.normal_(0, 0.1)
    head.model.inner.q_head.weight.normal_(0, 0.05)
sd = head.state_dict()
torch.save({"_orig_mod." + k: v for k, v in sd.items()}, sys.argv[2])
torch.save(sd, sys.argv[3])
save_file({k[len("model.inner."):]: v.float().contiguous() for k, v in sd.items()}, sys.argv[4])
`;
      const r = spawnSync(referencePython()!, ['-c', script, JSON.stringify(refCfg), pt, ptPlain, weights], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);

      const expected = ht.loadSafetensors(weights).tensors;
      for (const file of [pt, ptPlain]) {
        ht.manualSeed(99); // a different init, overwritten by the import
        const model = new ht.HRM(cfg);
        ht.importReferenceCheckpoint(file, model);
        for (const [k, t] of model.inner.stateDict()) {
          expect(relErr(t, expected[k])).toBe(0);
        }
        model.dispose();
      }

      // Outputs on the imported weights against PyTorch on the same weights.
      ht.manualSeed(99);
      const model = new ht.HRM(cfg);
      ht.importReferenceCheckpoint(pt, model);
      const batches = [makeBatch(cfg, 1)];
      const batchFile = path.join(dir, 'b0.safetensors');
      ht.saveSafetensors(batchFile, { inputs: batches[0].inputs, labels: batches[0].labels, puzzle_identifiers: batches[0].puzzleIdentifiers });
      const output = path.join(dir, 'out.safetensors');
      const jobFile = path.join(dir, 'job.json');
      fs.writeFileSync(jobFile, JSON.stringify({ config: ht.hrm.toReferenceConfig(cfg), weights, batches: [batchFile], segments: 2, train: false, seed: SEED, optimize: false, threads: 1, output }));
      const j = spawnSync(referencePython()!, [path.join(__dirname, '..', 'reference', 'hrm_ref.py'), jobFile], { encoding: 'utf8' });
      if (j.status !== 0) throw new Error(j.stderr);
      const ours = runTs(model, batches, { name: 'eval', config: cfg, segments: 2, train: false, optimize: false });
      const theirs = ht.loadSafetensors(output).tensors;
      for (const k of ['s0.logits', 's1.logits', 's0.q_halt_logits', 's1.q_continue_logits', 's1.metric.lm_loss']) {
        expect([k, relErr(ours.get(k)!, theirs[k]) <= 1e-5]).toEqual([k, true]);
      }
      for (const t of [...ours.values(), ...Object.values(theirs), ...Object.values(expected)]) t.dispose();
      model.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a TRM state dict (TRM's key names, torch.save, _orig_mod. prefix) loads into the TRM and gives PyTorch's outputs", () => {
    const dir = tmpDir('trm-ckpt-');
    try {
      ht.setNumThreads(1);
      const cfg = ht.trmConfig({
        batchSize: 4, seqLen: 16, vocabSize: 10, puzzleEmbNdim: 48, numPuzzleIdentifiers: 5, puzzleEmbLen: 3, hCycles: 2, lCycles: 2,
        lLayers: 2, hiddenSize: 32, expansion: 2, numHeads: 2, haltMaxSteps: 2,
      });
      const pt = path.join(dir, 'step_500');
      const weights = path.join(dir, 'w.safetensors');
      // PyTorch makes the checkpoint as TRM's training saves it: bf16 H_init/L_init, compiled-model prefix.
      const script = `
import sys, json, torch
sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', 'reference'))})
import trm_ref
from safetensors.torch import save_file
torch.manual_seed(3)
head = trm_ref.build_model(json.loads(sys.argv[1]))
with torch.no_grad():
    head.model.inner.puzzle_emb.weights.normal_(0, 0.1)
    head.model.inner.q_head.weight.normal_(0, 0.05)
sd = head.state_dict()
torch.save({"_orig_mod." + k: v for k, v in sd.items()}, sys.argv[2])
save_file({k[len("model.inner."):]: v.float().contiguous() for k, v in sd.items()}, sys.argv[3])
`;
      const r = spawnSync(referencePython()!, ['-c', script, JSON.stringify({ ...ht.trm.toReferenceConfig(cfg), forward_dtype: 'bfloat16' }), pt, weights], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
      ht.manualSeed(99); // a different init, overwritten by the import
      const model = new ht.TRM(cfg);
      ht.importReferenceCheckpoint(pt, model);
      const expected = ht.loadSafetensors(weights).tensors;
      expect(Object.keys(expected)).toContain('L_level.layers.1.self_attn.qkv_proj.weight');
      for (const [k, t] of model.inner.stateDict()) expect([k, relErr(t, expected[k])]).toEqual([k, 0]);
      const run = referenceParity(model, ht.trm.toReferenceConfig(cfg), [makeBatch(cfg, 1)], { name: 'eval', config: cfg, segments: 2, train: false, optimize: false }, 'trm_ref.py', dir);
      expect(parityFailures(run, (k) => (/carry\.(steps|halted|inputs|labels|puzzle_identifiers)$|metric\.(count|steps)$/.test(k) ? 0 : 1e-5))).toEqual([]);
      for (const t of [...run.ours.values(), ...Object.values(run.theirs), ...Object.values(expected)]) t.dispose();
      model.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
