/** The HRM config: defaults, the reference's snake_case keys, validation naming the key. */
import * as ht from '../../../src';
import { TINY } from '../../helpers/hrm';

describe('hrmConfig', () => {
  test('snake_case reference configs are accepted; bad ones are named', () => {
    const c = ht.hrmConfig({ batch_size: 2, seq_len: 81, vocab_size: 11, num_puzzle_identifiers: 1, H_cycles: 3, L_cycles: 5, pos_encodings: 'learned', causal: false });
    expect([c.hCycles, c.lCycles, c.posEncodings, c.hiddenSize]).toEqual([3, 5, 'learned', 512]);
    expect(() => ht.hrmConfig({ ...TINY, hiddenSize: 15 })).toThrow(/not divisible by numHeads/);
    expect(() => ht.hrmConfig({ ...TINY, hcycles: 2 } as never)).toThrow(/unknown HRM config key 'hcycles'/);
    expect(() => ht.hrmConfig({ ...TINY, seqLen: 0 })).toThrow(/'seqLen' must be a positive integer/);
  });


  test('the forward dtype is taken as given, and a non-floating one is refused', () => {
    expect(ht.hrmConfig({ ...TINY, forward_dtype: 'bfloat16' }).forwardDtype).toBe('bfloat16');
    expect(ht.hrmConfig({ ...TINY, forwardDtype: 'float64' }).forwardDtype).toBe('float64');
    expect(() => ht.hrmConfig({ ...TINY, forwardDtype: 'int32' })).toThrow(/'forwardDtype' must be a floating dtype/);
  });

  test('toReferenceConfig writes the reference keys, which read back to the same config', () => {
    const c = ht.hrmConfig({ ...TINY, hCycles: 3, evalHalting: 'adaptive' });
    const ref = ht.hrm.toReferenceConfig(c);
    expect(ref.H_cycles).toBe(3);
    expect(ref).not.toHaveProperty('eval_halting'); // ours, not the reference's
    expect(ht.hrmConfig(ref)).toEqual({ ...c, evalHalting: 'max' });
    expect(ht.hrm.puzzleEmbLen(ht.hrmConfig({ ...TINY, puzzleEmbNdim: 20, hiddenSize: 16 }))).toBe(2);
  });
});
