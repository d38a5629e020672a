/** The ARC dataset's augmentation file and canvas: argument checks (the round trips are in canvas.test.ts and builder.test.ts). */
import * as subject from '../../../src/data/arc/augmentations-file';
import { expectInvalidArgument } from '../../helpers/errors';

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('readArcCanvas names a dataset folder that is not a path', () => {
    expectInvalidArgument(() => subject.readArcCanvas(3 as never), 'readArcCanvas(): datasetDir must be a path (a non-empty string), got number 3');
  });
});
