/** The restricted unpickler (src/tensor/io/unpickler.ts): Python's own pickles read back, crafted pickles refused or kept inert. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { PICKLE_OPCODES as OP } from '../../../src/tensor/io/pickle-opcodes';
import { PickleWriter } from '../../../src/tensor/io/pickle-writer';
import { MAX_PICKLE_VALUES, StorageLoader } from '../../../src/tensor/io/unpickler';
import { hasErrorCode } from '../../../src/util/errors';
import { zipStored } from '../../../src/tensor/io/zip';
import { runChild } from '../../helpers/child';
import { errorOf } from '../../helpers/errors';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';
import { unpickle } from './helpers';

// A pickle that calls `mod.name(arg)`, spelled with GLOBAL (or STACK_GLOBAL).
function callOf(mod: string, name: string, arg: string, stackGlobal = false): Buffer {
  const p = new PickleWriter().op(OP.PROTO, 4);
  if (stackGlobal) p.str(mod).str(name).op(OP.STACK_GLOBAL);
  else p.global(mod, name);
  return p.op(OP.MARK).str(arg).op(OP.TUPLE, OP.REDUCE, OP.STOP).bytes();
}

describe('crafted pickles', () => {
  test('a pickle naming code (os.system, posix.system, builtins.eval, subprocess.Popen) is refused, naming the global; nothing runs', () => {
    const dir = tmpDir('hrm-unpickle-');
    const marker = path.join(dir, 'ran');
    const calls: [string, string, boolean][] = [
      ['os', 'system', false],
      ['posix', 'system', false],
      ['builtins', 'eval', true],
      ['__builtin__', 'eval', false], // protocol 2's name of builtins
      ['subprocess', 'Popen', true],
      ['torch', 'load', false], // torch itself, outside the tensor rebuild functions
    ];
    for (const [mod, name, stackGlobal] of calls) {
      const e = errorOf(() => unpickle(callOf(mod, name, `touch ${marker}`, stackGlobal)));
      const full = `${mod === '__builtin__' ? 'builtins' : mod}.${name}`;
      expect([full, hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([
        full,
        true,
        expect.stringMatching(new RegExp(`^refused file test\\.pkl: its pickle names the global ${full.replace('.', '\\.')} \\(at byte \\d+\\), which is code, not data`)),
      ]);
    }
    expect(fs.existsSync(marker)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  test("protocol 2's spellings of bytes, bytearrays and sets (calls of _codecs.encode, __builtin__.set, ...) are rebuilt", () => {
    const call = (mod: string, name: string, args: (w: PickleWriter) => PickleWriter) =>
      unpickle(args(new PickleWriter().op(OP.PROTO, 2).global(mod, name).op(OP.MARK)).op(OP.TUPLE, OP.REDUCE, OP.STOP).bytes());
    expect(call('_codecs', 'encode', (w) => w.str('\x00\x01\xff').str('latin1'))).toEqual(new Uint8Array([0, 1, 255]));
    expect(call('__builtin__', 'bytes', (w) => w)).toEqual(new Uint8Array(0));
    expect(call('__builtin__', 'set', (w) => w.op(OP.EMPTY_LIST, OP.MARK).int(7).int(8).op(OP.APPENDS))).toEqual([7, 8]);
    expect(call('__builtin__', 'frozenset', (w) => w.op(OP.EMPTY_LIST))).toEqual([]);
    const nested = new PickleWriter().op(OP.PROTO, 2).global('__builtin__', 'bytearray').op(OP.MARK).global('_codecs', 'encode').op(OP.MARK).str('ab').str('latin1');
    expect(unpickle(nested.op(OP.TUPLE, OP.REDUCE, OP.TUPLE, OP.REDUCE, OP.STOP).bytes())).toEqual(new Uint8Array([97, 98]));
    // One memoised string encoded again and again: more bytes than the pickle holds.
    const text = 'x'.repeat(1000);
    const again = new PickleWriter().op(OP.PROTO, 2).global('_codecs', 'encode').op(OP.BINPUT, 0).str(text).str('latin1').op(OP.TUPLE2, OP.BINPUT, 1);
    for (let i = 0; i < 20; i++) again.op(OP.BINGET, 0, OP.BINGET, 1, OP.REDUCE);
    const copies = errorOf(() => unpickle(again.op(OP.STOP).bytes()));
    expect([hasErrorCode(copies, 'CORRUPT_FILE'), copies.message]).toEqual([true, expect.stringMatching(/copies more bytes \(\d+\) than the pickle holds/)]);
    // Another encoding, or a character that is not one byte: refused, not guessed.
    for (const [text, encoding, message] of [
      ['ab', 'utf8', /_codecs\.encode is only read for bytes .*"utf8"/],
      ['\u20ac', 'latin1', /outside latin1/],
    ] as const) {
      const e = errorOf(() => call('_codecs', 'encode', (w) => w.str(text).str(encoding)));
      expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(message)]);
    }
  });

  test('a dtype named as a value comes back as an inert record; an allowed global called where it is not a function is refused', () => {
    expect(unpickle(new PickleWriter().op(OP.PROTO, 2).global('torch', 'bfloat16').op(OP.STOP).bytes())).toEqual({ $global: 'torch.bfloat16' });
    const e = errorOf(() => unpickle(new PickleWriter().op(OP.PROTO, 2).global('torch', 'float32').op(OP.EMPTY_TUPLE, OP.REDUCE, OP.STOP).bytes()));
    expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/torch\.float32 is not something a checkpoint calls/)]);
  });

  test('APPENDS of 200000 items (more than a call can spread)', () => {
    const n = 200_000;
    const list = Buffer.alloc(4 + 2 * n + 2);
    list.set([OP.PROTO, 2, OP.EMPTY_LIST, OP.MARK]);
    for (let i = 0; i < n; i++) list.set([OP.BININT1, i & 0xff], 4 + 2 * i);
    list.set([OP.APPENDS, OP.STOP], 4 + 2 * n);
    const v = unpickle(list) as number[];
    expect([v.length, v[n - 1]]).toEqual([n, (n - 1) & 0xff]);
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
      [Buffer.from([OP.PROTO, 2, OP.EMPTY_DICT, OP.NONE, OP.APPEND, OP.STOP]), /APPEND to something other than a list/],
      [Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST, OP.NONE, OP.NONE, OP.SETITEM, OP.STOP]), /SETITEM on something other than a dict/],
      [Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST, OP.MARK, OP.APPEND, OP.STOP]), /stack underflow/], // APPEND cannot reach below a MARK
      [Buffer.from([OP.PROTO, 2, OP.NONE, OP.NONE, OP.STACK_GLOBAL, OP.STOP]), /STACK_GLOBAL of something other than two strings/],
      [new PickleWriter().op(OP.PROTO, 2).global('collections', 'OrderedDict').op(OP.NONE, OP.REDUCE, OP.STOP).bytes(), /arguments that are not a tuple/],
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
      // A zero-stride view (torch.save of an expanded tensor) of 10^18 elements over one stored element.
      const wide = unpickle(rebuild(1, 0, [1e9, 1e9], [0, 0]), storage) as ht.Tensor;
      expect([wide.shape, wide.narrow(0, 5e8, 2).narrow(1, 7, 2).toArray()]).toEqual([[1e9, 1e9], [[0, 0], [0, 0]]]);
      const bad: [Buffer, RegExp][] = [
        [rebuild(4, 0, [2, 2], [1]), /bad size or stride/],
        [rebuild(4, 0, [-1], [1]), /bad size or stride/],
        [rebuild(4, 0, [2], [-1]), /bad size or stride/],
        [rebuild(4, -1, [2], [1]), /bad storage offset/],
        [rebuild(4, 0, new Array(65).fill(1), new Array(65).fill(1)), /65 dimensions \(at most 64\)/],
        [rebuild(-1, 0, [1], [1]), /storage 0 has a bad element count/],
      ];
      for (const [program, message] of bad) {
        const b = errorOf(() => unpickle(program, storage));
        expect([hasErrorCode(b, 'CORRUPT_FILE'), b.message]).toEqual([true, expect.stringMatching(message)]);
      }
    });
  });

  test('one storage named with two dtypes, and _rebuild_from_type_v2 around anything but a tensor rebuild, are refused', () => {
    ht.scope(() => {
      const storageOf = (w: PickleWriter, type: string, numel: number) =>
        w.op(OP.MARK).str('storage').global('torch', type).str('0').str('cpu').int(numel).op(OP.TUPLE, OP.BINPERSID);
      const tensorOf = (w: PickleWriter, type: string, numel: number) =>
        storageOf(w.global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK), type, numel).int(0).tuple([1]).tuple([1]).op(OP.NEWFALSE, OP.NONE, OP.TUPLE, OP.REDUCE);
      const two = tensorOf(tensorOf(new PickleWriter().op(OP.PROTO, 2, OP.MARK), 'FloatStorage', 1), 'DoubleStorage', 8).op(OP.TUPLE, OP.STOP).bytes();
      const storage: StorageLoader = (_key, dtype, numel) => ht.zeros([numel], { dtype });
      const e = errorOf(() => unpickle(two, storage));
      expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/storage 0 is named as 1 float32 and as 8 float64 elements/)]);
      // _rebuild_from_type_v2(_rebuild_from_type_v2, Tensor, (...), {}): a chain the unpickler would recurse along.
      const chain = new PickleWriter().op(OP.PROTO, 2).global('torch._tensor', '_rebuild_from_type_v2').op(OP.MARK).global('torch._tensor', '_rebuild_from_type_v2');
      const c = errorOf(() => unpickle(chain.global('torch', 'Tensor').op(OP.EMPTY_TUPLE, OP.EMPTY_DICT, OP.TUPLE, OP.REDUCE, OP.STOP).bytes()));
      expect([hasErrorCode(c, 'CORRUPT_FILE'), c.message]).toEqual([true, expect.stringMatching(/_rebuild_from_type_v2 of something other than a tensor rebuild/)]);
    });
  });
});

// Pickles that once made the reader loop until V8 ran out of memory, expand a few hundred bytes into
// gigabytes, or overflow the call stack. Each runs through loadPt in a child process with a time and
// heap limit, so a regression fails its test instead of killing the test runner.
describe('hostile pickles: CORRUPT_FILE within bounded time and memory (each in a child process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('hrm-hostile-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return [...b];
  };
  // ((), ()) memoised, then that pair twice, 40 times: 300 bytes whose tree would hold 2^41 values.
  const nestedTuples = () => {
    const b = [OP.PROTO, 2, OP.EMPTY_TUPLE, OP.BINPUT, 0];
    for (let i = 0; i < 40; i++) b.push(OP.BINGET, i, OP.BINGET, i, OP.TUPLE2, OP.BINPUT, i + 1);
    return Buffer.from([...b, OP.STOP]);
  };
  // 100000 lists, each appended to the one before: nesting 100000 deep.
  const deepLists = () => {
    const n = 100_000;
    return Buffer.concat([Buffer.from([OP.PROTO, 2]), Buffer.alloc(n, OP.EMPTY_LIST), Buffer.alloc(n - 1, OP.APPEND), Buffer.from([OP.STOP])]);
  };
  // A list of 100000 memoised in a tuple, then list(it) called until the copies pass MAX_PICKLE_VALUES.
  const listCopies = () => {
    const n = 100_000;
    const items = Buffer.alloc(2 * n);
    for (let i = 0; i < n; i++) items.set([OP.BININT1, 1], 2 * i);
    const start = Buffer.concat([
      Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST, OP.MARK]),
      items,
      new PickleWriter().op(OP.APPENDS, OP.TUPLE1, OP.BINPUT, 0).global('builtins', 'list').op(OP.BINPUT, 1).bytes(),
    ]);
    const each = Buffer.from([OP.BINGET, 1, OP.BINGET, 0, OP.REDUCE]);
    return Buffer.concat([start, ...new Array<Buffer>(Math.ceil(MAX_PICKLE_VALUES / n) + 1).fill(each), Buffer.from([OP.STOP])]);
  };

  const cases: [string, () => Buffer, RegExp][] = [
    ['negative length: BINSTRING of -5 bytes', () => Buffer.from([OP.PROTO, 2, OP.BINSTRING, ...int32(-5), OP.STOP]), /pickle: negative length -5 at byte 7/],
    ['negative length: LONG4 of -5 bytes', () => Buffer.from([OP.PROTO, 2, OP.LONG4, ...int32(-5), OP.STOP]), /pickle: negative length -5 at byte 7/],
    ['length past the end: BINUNICODE of 2^32 - 5 bytes', () => Buffer.from([OP.PROTO, 2, OP.BINUNICODE, ...int32(-5), OP.STOP]), /length 4294967291 runs past the end of the pickle \(1 byte left\)/],
    ['length past the end: BINBYTES8 of 2^64 - 5 bytes', () => Buffer.from([OP.PROTO, 4, OP.BINBYTES8, 0xfb, ...new Array(7).fill(0xff), OP.STOP]), /runs past the end of the pickle/],
    ['nested memoised tuples (300 bytes whose tree would hold 2^41 values)', nestedTuples, new RegExp(`the value holds more than ${MAX_PICKLE_VALUES} values`)],
    ['a self-referential list', () => Buffer.from([OP.PROTO, 2, OP.EMPTY_LIST, OP.BINPUT, 0, OP.BINGET, 0, OP.APPEND, OP.STOP]), /the value contains itself \(a reference cycle\)/],
    ['a self-referential dict', () => new PickleWriter().op(OP.PROTO, 2, OP.EMPTY_DICT, OP.BINPUT, 0).str('me').op(OP.BINGET, 0, OP.SETITEM, OP.STOP).bytes(), /contains itself/],
    ['very deep nesting (100000 lists, one inside the next)', deepLists, /values nested more than 1000 deep/],
    ['list copies past the value limit', listCopies, new RegExp(`the program builds more than ${MAX_PICKLE_VALUES} values`)],
  ];

  test.each(cases)('%s', async (name, program, message) => {
    const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.pt`);
    fs.writeFileSync(file, zipStored([['archive/data.pkl', program()]]));
    const t0 = Date.now();
    const out = await runChild(`ht.loadPt(${JSON.stringify(file)}); report({ threw: false });`, { timeoutMs: 60_000, heapMb: 512 });
    const seconds = (Date.now() - t0) / 1000;
    expect({ timedOut: out.timedOut, signal: out.signal, status: out.status, stderr: out.stderr.slice(0, 300) }).toEqual({ timedOut: false, signal: null, status: 0, stderr: '' });
    expect(out.result).toEqual({ threw: true, code: 'CORRUPT_FILE', message: expect.stringMatching(message) });
    expect(seconds).toBeLessThan(60);
  });
});

describeWithTorch("Python's own pickles", () => {
  test('protocols 2 to 5: dicts, lists, tuples, sets, numbers, strings, bytes, bytearrays and shared references', () => {
    const out = runPython(`
import collections, json, pickle
shared = [1, 2]
def value():
    v = {
        "ints": [0, 255, 256, 65535, 65536, -1, -2**31, 2**31, -2**40, 2**70, -2**70],
        "float": 1.5, "neg": -0.25, "flags": [True, False, None],
        "text": "héllo", "long_text": "x" * 300, "tuple": (1, (2, 3)), "empty": ((), [], {}),
        "ordered": collections.OrderedDict([("b", 1), ("a", 2)]),
        "a": shared, "b": shared, 3: "int key",
    }
    # protocol 2 spells bytes, bytearrays and sets as calls of globals (_codecs.encode, __builtin__.set, ...);
    # protocol 5 has BYTEARRAY8
    v.update({"bytes": b"\\x00\\x01\\xff", "empty_bytes": b"", "array": bytearray(b"ab"), "set": {7}, "frozen": frozenset([8]),
              "big_bytes": bytes(range(256)) * 400, "big_array": bytearray(b"a" * 100000)})
    return v
print(json.dumps({p: pickle.dumps(value(), protocol=p).hex() for p in (2, 3, 4, 5)}))
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
      expected.set('bytes', new Uint8Array([0, 1, 255]));
      expected.set('empty_bytes', new Uint8Array(0));
      expected.set('array', new Uint8Array([97, 98]));
      expected.set('set', [7]);
      expected.set('frozen', [8]);
      expected.set('big_bytes', new Uint8Array(102400).map((_, i) => i % 256));
      expected.set('big_array', new Uint8Array(100000).fill(97));
      expect([protocol, v]).toEqual([protocol, expected]);
      expect([...v.keys()]).toEqual([...expected.keys()]); // insertion order kept
      expect(v.get('a')).toBe(v.get('b')); // the memo gives back the same object
    }
  });
});
