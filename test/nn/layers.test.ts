/** Layers: argument checks (the layers' numbers are compared with PyTorch through the model tests). */
import * as subject from '../../src/nn/layers';
import * as ht from '../../src';
import { expectInvalidArgument } from '../helpers/errors';

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('applyRotary names an argument that is not a tensor', () => {
    expectInvalidArgument(() => subject.applyRotary(3 as never, undefined as never, undefined as never), 'applyRotary(): x must be a Tensor, got number 3');
    expectInvalidArgument(() => subject.applyRotary(ht.zeros([1, 2, 2, 4]), ht.zeros([2, 4]), 'sin' as never), 'applyRotary(): sin must be a Tensor, got string "sin"');
  });
});
