/** The HRM config: defaults, the reference's snake_case keys, validation naming the key. */
import * as ht from '../../../src';
import { TINY } from '../../helpers/hrm';
import * as subject from '../../../src/models/hrm/config';
import { expectInvalidArgument } from '../../helpers/errors';

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

  test('unknown keys are errors with the nearest valid key (camelCase or snake_case); every value is checked', () => {
    expect(() => ht.hrmConfig({ ...TINY, hiddenSise: 32 } as never)).toThrow(/unknown HRM config key 'hiddenSise' \(did you mean 'hiddenSize'\?\)/);
    expect(() => ht.hrmConfig({ ...TINY, hidden_sise: 32 } as never)).toThrow(/unknown HRM config key 'hidden_sise' \(did you mean 'hidden_size'\?\)/);
    expect(() => ht.hrmConfig({ ...TINY, H_cycles: 1.5 })).toThrow(/HRM config 'H_cycles' must be a positive integer, got 1\.5/);
    expect(() => ht.hrmConfig({ ...TINY, haltMaxSteps: 0 })).toThrow(/HRM config 'haltMaxSteps' must be an integer from 1 to 1024, got 0/);
    expect(() => ht.hrmConfig({ ...TINY, haltMaxSteps: ht.hrm.MAX_HALT_STEPS + 1 })).toThrow(/from 1 to 1024, got 1025/);
    expect(() => ht.hrmConfig({ ...TINY, expansion: 'four' } as never)).toThrow(/HRM config 'expansion' must be a positive number, got "four"/);
    expect(() => ht.hrmConfig({ ...TINY, ropeTheta: -1 })).toThrow(/'ropeTheta' must be a positive number, got -1/);
    expect(() => ht.hrmConfig({ ...TINY, causal: true })).toThrow(/'causal' must be false/);
    expect(() => ht.hrmConfig([] as never)).toThrow(/expected an object of settings, got an array/);
    // The reference's loss head gives the loss type.
    expect(ht.hrmConfig({ ...TINY, name: 'hrm_v1', loss: { name: 'losses@ACTLossHead', loss_type: 'softmax_cross_entropy' } }).lossType).toBe('softmax_cross_entropy');
  });

  test('HRM_CONFIG_KEYS lists every key of a full config, once', () => {
    const full = ht.hrmConfig(TINY);
    expect([...ht.hrm.HRM_CONFIG_KEYS].sort()).toEqual(Object.keys(full).sort());
    expect(new Set(ht.hrm.HRM_CONFIG_KEYS).size).toBe(ht.hrm.HRM_CONFIG_KEYS.length);
  });

  test('a misspelt key in an object literal does not compile (Exact keys)', () => {
    // Each line below must fail to type-check (tsc checks test/, `npm run typecheck`); at run time it throws too.
    // @ts-expect-error 'hiddenSise' is not a config key
    expect(() => ht.hrmConfig({ hiddenSise: 32 })).toThrow(/unknown HRM config key 'hiddenSise'/);
    // @ts-expect-error an unknown key next to known ones
    expect(() => ht.hrmConfig({ ...TINY, hiddenSize: 32, hiddenSise: 32 })).toThrow(/did you mean 'hiddenSize'/);
    // Known keys, camelCase and snake_case, compile.
    expect(ht.hrmConfig({ ...TINY, hidden_size: 32, H_cycles: 2 }).hiddenSize).toBe(32);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('puzzleEmbLen, toReferenceConfig, checkHaltSteps and hrmConfig describe any value, bigints and cycles too', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expectInvalidArgument(() => subject.puzzleEmbLen(undefined as never), 'puzzleEmbLen(): config must be an HRM config (from hrmConfig()), got undefined');
    expectInvalidArgument(() => subject.toReferenceConfig(null as never), 'toReferenceConfig(): config must be an HRM config (from hrmConfig()), got null');
    expectInvalidArgument(() => subject.checkHaltSteps('haltMaxSteps', cyclic), 'haltMaxSteps must be an integer from 1 to 1024, got an object');
    expectInvalidArgument(() => subject.hrmConfig({ ...TINY, hiddenSize: 16n } as never), "HRM config 'hiddenSize' must be a positive integer, got bigint 16n");
    expectInvalidArgument(() => subject.hrmConfig(cyclic as never), "unknown HRM config key 'self'");
  });
});
