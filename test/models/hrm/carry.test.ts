/** The ACT carry as named tensors (the reference's names), and freeing it. */
import * as ht from '../../../src';
import { TINY } from '../../helpers/hrm';
import * as subject from '../../../src/models/hrm/carry';
import { expectInvalidArgument } from '../../helpers/errors';

describe('carry', () => {
  test('carryTensors names every tensor as the reference does; carryFromTensors is its inverse; disposeCarry frees them all', () => {
    const model = new ht.HRM(ht.hrmConfig(TINY));
    const batch = { inputs: ht.zeros([2, 8], { dtype: 'int32' }), labels: ht.zeros([2, 8], { dtype: 'int32' }), puzzleIdentifiers: ht.zeros([2], { dtype: 'int32' }) };
    const live = ht.memory().liveTensors;
    const carry = model.initialCarry(batch);
    const named = ht.hrm.carryTensors(carry);
    expect(Object.keys(named)).toEqual(['z_H', 'z_L', 'steps', 'halted', 'inputs', 'labels', 'puzzle_identifiers']);
    expect(named.z_H.shape).toEqual([2, 8 + 1, 16]); // [B, puzzle prefix + S, D]
    const back = ht.hrm.carryFromTensors(named)!;
    expect(back.inner.zH).toBe(carry.inner.zH);
    expect(back.currentData.puzzleIdentifiers).toBe(carry.currentData.puzzleIdentifiers);
    expect(ht.hrm.carryFromTensors({})).toBeUndefined();
    ht.hrm.disposeCarry(carry);
    expect(ht.memory().liveTensors).toBe(live);
    model.dispose();
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('carryTensors, carryFromTensors and disposeCarry name what is not a carry', () => {
    expectInvalidArgument(() => subject.disposeCarry(undefined as never), 'disposeCarry(): carry must be an HRM carry (from initialCarry()), got undefined');
    expectInvalidArgument(() => subject.carryTensors({ inner: 3 } as never), 'carryTensors(): carry.inner must be an object {zH, zL}, got number 3');
    expectInvalidArgument(() => subject.carryFromTensors(5 as never), 'carryFromTensors(): tensors must be an object of named tensors, got number 5');
    expectInvalidArgument(() => subject.carryFromTensors({ z_H: ht.zeros([1]) } as never), 'carryFromTensors(): tensors.z_L must be a Tensor, got undefined');
  });
});
