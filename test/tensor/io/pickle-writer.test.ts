/** The pickle writer (src/tensor/io/pickle-writer.ts): its programs read back in Python's pickle and in our unpickler. */
import { PICKLE_OPCODES as OP } from '../../../src/tensor/io/pickle-opcodes';
import { PickleWriter } from '../../../src/tensor/io/pickle-writer';
import { describeWithTorch, runPython } from '../../helpers/reference';
import { unpickle } from './helpers';

test('integers pick BININT within 32 bits and LONG1 beyond; strings are BINUNICODE', () => {
  expect([...new PickleWriter().int(-2).bytes()]).toEqual([OP.BININT, 0xfe, 0xff, 0xff, 0xff]);
  expect(new PickleWriter().int(2 ** 31).bytes()[0]).toBe(OP.LONG1);
  expect([...new PickleWriter().str('é').bytes()]).toEqual([OP.BINUNICODE, 2, 0, 0, 0, 0xc3, 0xa9]);
  expect(new PickleWriter().global('torch', 'FloatStorage').bytes().toString()).toBe('ctorch\nFloatStorage\n');
});

describeWithTorch("PickleWriter and Python's pickle", () => {
  test('what PickleWriter writes, pickle.loads reads as the same values', () => {
    const program = new PickleWriter()
      .op(OP.PROTO, 2, OP.MARK)
      .str('name ✓')
      .int(-7)
      .int(2 ** 40)
      .int(-(2 ** 40))
      .tuple([1, 2, 3])
      .tuple([])
      .global('collections', 'OrderedDict')
      .op(OP.EMPTY_TUPLE, OP.REDUCE, OP.TUPLE, OP.STOP)
      .bytes();
    const out = runPython(
      `
import collections, json, pickle, sys
v = pickle.loads(bytes.fromhex(sys.argv[1]))
assert isinstance(v[-1], collections.OrderedDict)
print(json.dumps(list(v[:-1])))
`,
      [program.toString('hex')],
    );
    expect(JSON.parse(out.trim())).toEqual(['name ✓', -7, 2 ** 40, -(2 ** 40), [1, 2, 3], []]);
    expect(unpickle(program)).toEqual(['name ✓', -7, 2 ** 40, -(2 ** 40), [1, 2, 3], [], new Map()]);
  });
});
