/** ARC puzzle names (src/data/arc/names.ts). */
import { arcAugmentedName, parseArcName } from '../../../src/data/arc';
import * as subject from '../../../src/data/arc/names';
import { expectInvalidArgument } from '../../helpers/errors';

describe('names', () => {
  test('names: <task>_t<t>_<10 digits>, parsed back (task names may contain "_")', () => {
    const aug = { dihedral: 5, colourMap: [0, 3, 1, 2, 9, 8, 7, 6, 5, 4] };
    expect(arcAugmentedName('007bbfb7', aug)).toBe('007bbfb7_t5_0312987654');
    expect(parseArcName('007bbfb7_t5_0312987654')).toEqual({ task: '007bbfb7', ...aug });
    expect(parseArcName('my_task_t5_0312987654')).toEqual({ task: 'my_task', ...aug });
    expect(parseArcName('AboveBelow3')).toEqual({ task: 'AboveBelow3', dihedral: 0, colourMap: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('arcAugmentedName names a bad task or augmentation', () => {
    expectInvalidArgument(() => subject.arcAugmentedName(3 as never, { dihedral: 0, colourMap: undefined } as never), 'arcAugmentedName(): task must be a string, got number 3');
    expectInvalidArgument(() => subject.arcAugmentedName('task', undefined as never), 'arcAugmentedName(): aug must be an augmentation {dihedral, colourMap}, got undefined');
  });
});
