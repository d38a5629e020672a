/** The TRM config: TRM's defaults, its snake_case keys, validation naming the key. */
import * as ht from '../../../src';

const SIZES = { batchSize: 2, seqLen: 81, vocabSize: 11, numPuzzleIdentifiers: 3 };

describe('trmConfig', () => {
  test("TRM's defaults (config/arch/trm.yaml): T = 3, n = 6, two layers, a 16-position prefix, attention", () => {
    const c = ht.trmConfig(SIZES);
    expect([c.hCycles, c.lCycles, c.lLayers, c.hiddenSize, c.puzzleEmbNdim, c.puzzleEmbLen, c.mlpT, c.posEncodings]).toEqual([3, 6, 2, 512, 512, 16, false, 'rope']);
    expect(ht.trm.trmPuzzleEmbLen(c)).toBe(16);
    expect(ht.trm.trmPuzzleEmbLen({ ...c, puzzleEmbLen: 0, puzzleEmbNdim: 1000 })).toBe(2); // HRM's ceil(ndim / D)
    expect(ht.trm.trmPuzzleEmbLen({ ...c, puzzleEmbNdim: 0 })).toBe(0); // no puzzle embedding, no prefix
    expect([...ht.trm.TRM_CONFIG_KEYS].sort()).toEqual(Object.keys(c).sort());
  });

  test("a TRM arch config with the reference's keys is read; H_layers is ignored, no_ACT_continue must be true", () => {
    const ref = {
      name: 'recursive_reasoning.trm@TinyRecursiveReasoningModel_ACTV1', loss: { name: 'losses@ACTLossHead', loss_type: 'softmax_cross_entropy' as const },
      batch_size: 2, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 3, H_cycles: 3, L_cycles: 6, H_layers: 0, L_layers: 2,
      mlp_t: true, pos_encodings: 'none' as const, puzzle_emb_len: 16, no_ACT_continue: true,
    };
    const c = ht.trmConfig(ref);
    expect([c.mlpT, c.posEncodings, c.lossType, c.lLayers]).toEqual([true, 'none', 'softmax_cross_entropy', 2]);
    expect(c).not.toHaveProperty('hLayers');
    expect(() => ht.trmConfig({ ...ref, no_ACT_continue: false })).toThrow(/TRM config 'no_ACT_continue' must be true \(TRM halts on q_halt alone/);
    // toReferenceConfig writes TRM's keys, which read back to the same config.
    const back = ht.trm.toReferenceConfig(c);
    expect([back.mlp_t, back.puzzle_emb_len]).toEqual([true, 16]);
    expect(back).not.toHaveProperty('H_layers');
    expect(ht.trmConfig(back)).toEqual(c);
  });

  test('bad values and unknown keys are errors naming the key', () => {
    expect(() => ht.trmConfig({ ...SIZES, puzzleEmbLen: -1 })).toThrow(/TRM config 'puzzleEmbLen' must be an integer >= 0, got -1/);
    expect(() => ht.trmConfig({ ...SIZES, puzzle_emb_len: 1, puzzleEmbNdim: 600 })).toThrow(/'puzzle_emb_len': 1 positions of width 512 cannot hold a puzzle embedding of width 600 \(need at least 2\)/);
    expect(() => ht.trmConfig({ ...SIZES, mlp_t: 'yes' } as never)).toThrow(/TRM config 'mlp_t' must be true or false, got "yes"/);
    expect(() => ht.trmConfig({ ...SIZES, L_layers: 0 })).toThrow(/TRM config 'L_layers' must be a positive integer, got 0/);
    expect(ht.trmConfig({ ...SIZES, hLayers: 2 } as never)).not.toHaveProperty('hLayers'); // one network: the H depth is ignored, as TRM's H_layers
    expect(() => ht.trmConfig({ ...SIZES, mlpt: true } as never)).toThrow(/unknown TRM config key 'mlpt' \(did you mean 'mlpT'\?\)/);
    expect(() => ht.trmConfig({ ...SIZES, hiddenSize: 30, numHeads: 4 })).toThrow(/TRM config: hiddenSize 30 is not divisible by numHeads 4/);
    // @ts-expect-error a misspelt key in an object literal does not compile
    expect(() => ht.trmConfig({ ...SIZES, puzzleEmbLength: 4 })).toThrow(/did you mean 'puzzleEmbLen'/);
  });
});
