/** dtypes: argument checks of the dtype helpers (their values are covered through tensor.test.ts and creation.test.ts). */
import * as subject from '../../src/tensor/dtype';
import { expectInvalidArgument } from '../helpers/errors';

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('castAlwaysFits, typedArrayOf and dtypeOfTypedArray name a bad dtype, buffer or array', () => {
    expect(subject.castAlwaysFits('int16', 'float32')).toBe(true);
    expectInvalidArgument(() => subject.castAlwaysFits('int9' as never, 'float32'), 'castAlwaysFits(): from must be one of');
    expectInvalidArgument(() => subject.castAlwaysFits('int32', undefined as never), 'castAlwaysFits(): to must be one of');
    expectInvalidArgument(() => subject.typedArrayOf('float32', undefined as never), 'typedArrayOf(): buf must be an ArrayBuffer, got undefined');
    expectInvalidArgument(() => subject.typedArrayOf('float32', new ArrayBuffer(8), -4), 'typedArrayOf(): byteOffset must be a non-negative integer, got number -4');
    expectInvalidArgument(() => subject.dtypeOfTypedArray([1] as never), 'dtypeOfTypedArray(): a must be a TypedArray, got an array of length 1');
  });
});
