/** The restricted unpickler (src/tensor/io/unpickler.ts): Python's own pickles read back, crafted pickles refused or kept inert. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { PICKLE_OPCODES as OP } from '../../../src/tensor/io/pickle-opcodes';
import { PickleWriter } from '../../../src/tensor/io/pickle-writer';
import { StorageLoader } from '../../../src/tensor/io/unpickler';
import { hasErrorCode } from '../../../src/util/errors';
import { errorOf } from '../../helpers/errors';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';
import { unpickle } from './helpers';

describe('crafted pickles', () => {
  test('a call of an unknown global comes back as an inert record; nothing runs', () => {
    const dir = tmpDir('hrm-unpickle-');
    const marker = path.join(dir, 'ran');
    const program = new PickleWriter()
      .op(OP.PROTO, 2)
      .global('os', 'system')
      .op(OP.MARK)
      .str(`touch ${marker}`)
      .op(OP.TUPLE, OP.REDUCE, OP.STOP)
      .bytes();
    expect(unpickle(program)).toEqual({ $global: 'os.system', args: [`touch ${marker}`] });
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  test('truncated programs, unknown opcodes, underflow and missing memo entries: CORRUPT_FILE naming the byte', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST]), /test\.pkl: pickle: unexpected end at byte 3/],
      [Buffer.from([OP.PROTO, 2, OP.BININT, 1, 2]), /unexpected end/],
      [Buffer.from([OP.PROTO, 2, 0xff, OP.STOP]), /unsupported opcode 0xff at byte 3/],
      [Buffer.from([OP.PROTO, 2, OP.STOP]), /stack underflow/],
      [Buffer.from([OP.PROTO, 2, OP.BINGET, 7, OP.STOP]), /memo 7 missing/],
      [Buffer.from([OP.PROTO, 2, OP.NONE, OP.TUPLE, OP.STOP]), /no mark/],
      [Buffer.from([OP.PROTO, 2, OP.GLOBAL, 0x6f, 0x73]), /unterminated line/],
      [Buffer.from([OP.PROTO, 2, OP.NONE, OP.EMPTY_TUPLE, OP.REDUCE, OP.STOP]), /REDUCE on a non-callable/],
    ];
    for (const [program, message] of cases) {
      const e = errorOf(() => unpickle(program));
      expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(message)]);
    }
  });

  test('a tensor view past the end of its storage is refused; one inside it is rebuilt', () => {
    ht.scope(() => {
      // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', numel), offset, size, stride, False, OrderedDict())
      const rebuild = (numel: number, offset: number, size: number[], stride: number[]) =>
        new PickleWriter()
          .op(OP.PROTO, 2)
          .global('torch._utils', '_rebuild_tensor_v2')
          .op(OP.MARK, OP.MARK)
          .str('storage')
          .global('torch', 'FloatStorage')
          .str('0')
          .str('cpu')
          .int(numel)
          .op(OP.TUPLE, OP.BINPERSID)
          .int(offset)
          .tuple(size)
          .tuple(stride)
          .op(OP.NEWFALSE)
          .global('collections', 'OrderedDict')
          .op(OP.EMPTY_TUPLE, OP.REDUCE, OP.TUPLE, OP.REDUCE, OP.STOP)
          .bytes();
      const storage: StorageLoader = (_key, dtype, numel) => ht.arange(numel).to(dtype);
      const view = unpickle(rebuild(6, 1, [2, 2], [1, 2]), storage) as ht.Tensor; // [2, 2] over elements 1..4
      expect(view.toArray()).toEqual([[1, 3], [2, 4]]);
      const e = errorOf(() => unpickle(rebuild(4, 1, [2, 2], [2, 1]), storage));
      expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/view exceeds its storage \(5 > 4 elements\)/)]);
    });
  });
});

describeWithTorch("Python's own pickles", () => {
  test('protocols 2 to 5: dicts, lists, tuples, sets, numbers, strings, bytes and shared references', () => {
    const out = runPython(`
import collections, json, pickle
shared = [1, 2]
def value(protocol):
    v = {
        "ints": [0, 255, 256, 65535, 65536, -1, -2**31, 2**31, -2**40, 2**70, -2**70],
        "float": 1.5, "neg": -0.25, "flags": [True, False, None],
        "text": "héllo", "long_text": "x" * 300, "tuple": (1, (2, 3)), "empty": ((), [], {}),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "a": shared, "b": shared, 3: "int key",
    }
    if protocol >= 3:  # protocol 2 spells bytes and sets as calls of Python 2 globals (_codecs.encode, __builtin__.set)
        v.update({"bytes": b"\\x00\\x01\\xff", "set": {7}, "frozen": frozenset([8])})
    return v
print(json.dumps({p: pickle.dumps(value(p), protocol=p).hex() for p in (2, 3, 4, 5)}))
`);
    const programs = JSON.parse(out.trim()) as Record<string, string>;
    for (const [protocol, hex] of Object.entries(programs)) {
      const v = unpickle(Buffer.from(hex, 'hex')) as Map<unknown, unknown>;
      const expected = new Map<unknown, unknown>([
        ['ints', [0, 255, 256, 65535, 65536, -1, -(2 ** 31), 2 ** 31, -(2 ** 40), 2n ** 70n, -(2n ** 70n)]],
        ['float', 1.5],
        ['neg', -0.25],
        ['flags', [true, false, undefined]],
        ['text', 'héllo'],
        ['long_text', 'x'.repeat(300)],
        ['tuple', [1, [2, 3]]],
        ['empty', [[], [], new Map()]],
        ['ordered', new Map([['b', 1], ['a', 2]])],
        ['a', [1, 2]],
        ['b', [1, 2]],
        [3, 'int key'],
      ]);
      if (Number(protocol) >= 3) {
        expected.set('bytes', new Uint8Array([0, 1, 255]));
        expected.set('set', [7]);
        expected.set('frozen', [8]);
      }
      expect([protocol, v]).toEqual([protocol, expected]);
      expect([...v.keys()]).toEqual([...expected.keys()]); // insertion order kept
      expect(v.get('a')).toBe(v.get('b')); // the memo gives back the same object
    }
  });
});
