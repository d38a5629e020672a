/**
 * A restricted unpickler for the pickle torch.save writes: dicts and OrderedDicts, lists, tuples,
 * sets, numbers, strings, bytes, tensors and parameters. It never runs code from the file: a
 * pickle that names any global outside a short allow-list (the containers, torch's tensor rebuild
 * functions, storage classes and dtypes) is refused as soon as it names it. libtorch's own C++
 * unpickler is not used because it rejects the memoised OrderedDict that every
 * `module.state_dict()` archive contains.
 *
 * A hostile pickle cannot make it loop, exhaust memory or overflow the call stack: every length is
 * bounded by the bytes left, the values a program builds and the size of the value tree it
 * returns are bounded by {@link MAX_PICKLE_VALUES}, nesting by {@link MAX_PICKLE_DEPTH}, and a value
 * that contains itself is refused. Each of these is a `CORRUPT_FILE` error naming the byte.
 * @module
 */
import { addon } from '../../native';
import { corruptFile, refusedFile } from '../../util/errors';
import { DType } from '../dtype';
import { id, ops } from '../ops';
import { Tensor, wrapHandle as wrap } from '../tensor';
import { PICKLE_OPCODES as OP } from './pickle-opcodes';

// The one operator the unpickler needs: a tensor is a strided view of its storage.
const UNPICKLER_OPS = ops({ asStrided: 'aten::as_strided' });

/**
 * The most values one pickle may build (every value pushed, every element copied), and the most
 * values its result may hold counting a shared value once per place it appears. A torch.save
 * state dict of a few thousand tensors builds tens of thousands; ten million leave room for any
 * real checkpoint while keeping a crafted one (memoised tuples nested inside tuples, each level
 * doubling the tree) to a bounded amount of time and memory.
 */
export const MAX_PICKLE_VALUES = 10_000_000;

/** The deepest nesting of containers a pickle may return (Python's own pickler stops at about 1000). */
export const MAX_PICKLE_DEPTH = 1000;

/** The most dimensions a tensor in a pickle may have. */
export const MAX_TENSOR_DIMS = 64;

/** torch's storage class names and the dtype each one holds. */
export const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Reads the bytes of storage `key` as a flat tensor of `numel` elements of `dtype`. */
export type StorageLoader = (key: string, dtype: DType, numel: number) => Tensor;

interface Global {
  $global: string;
}
interface StorageRef {
  $storage: true;
  dtype: DType;
  key: string;
  numel: number;
}

function isGlobal(x: unknown): x is Global {
  return typeof x === 'object' && x !== null && '$global' in x && !('args' in x);
}
function isStorageRef(x: unknown): x is StorageRef {
  return typeof x === 'object' && x !== null && (x as StorageRef).$storage === true;
}
function isIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

// ---------------------------------------------------------------- the globals a pickle may name

type Call = (u: Unpickler, args: unknown[]) => unknown;

// list(x), tuple(x), set(x), frozenset(x), torch.Size(x): a copy of the list (sets come back as arrays).
const copyList: Call = (u: Unpickler, [items]: unknown[]) => {
  if (items === undefined) return [];
  if (!Array.isArray(items)) u.fail('a list, tuple or set built from something other than a list');
  u.count(items.length);
  return [...items];
};

// bytes(), bytes(b), bytearray(b): the bytes (bytes and bytearrays are both Uint8Arrays here).
const asBytes: Call = (u: Unpickler, [b]: unknown[]) => {
  if (b === undefined) return new Uint8Array(0);
  if (!(b instanceof Uint8Array)) u.fail('bytes built from something other than bytes');
  return b;
};

const LATIN1 = new Set(['latin1', 'latin-1', 'latin_1', 'iso-8859-1', 'iso8859-1']);

// The tensor rebuild functions torch.save names, and what each returns.
const TENSOR_CALLS: Record<string, Call> = {
  'torch._utils._rebuild_tensor': (u, args) => u.rebuildTensor(args),
  'torch._utils._rebuild_tensor_v2': (u, args) => u.rebuildTensor(args),
  'torch._utils._rebuild_tensor_v3': (u, args) => u.rebuildTensor(args),
  'torch._utils._rebuild_parameter': (u, [t]) => u.tensorValue(t),
  'torch._utils._rebuild_parameter_with_state': (u, [t]) => u.tensorValue(t),
};

// Globals that may be called, and the value each call rebuilds.
const CALLS: Record<string, Call> = {
  ...TENSOR_CALLS,
  'collections.OrderedDict': () => new Map(),
  'builtins.dict': () => new Map(),
  'builtins.list': copyList,
  'builtins.tuple': copyList,
  'builtins.set': copyList,
  'builtins.frozenset': copyList,
  'torch.Size': copyList,
  'builtins.bytes': asBytes,
  'builtins.bytearray': asBytes,
  // Protocol 2 spells bytes as _codecs.encode(text, 'latin1'), one character per byte.
  '_codecs.encode': (u: Unpickler, [text, encoding]: unknown[]) => {
    if (typeof text !== 'string' || typeof encoding !== 'string' || !LATIN1.has(encoding.toLowerCase())) {
      u.fail(`_codecs.encode is only read for bytes (a string and 'latin1'), got encoding ${JSON.stringify(encoding)}`);
    }
    if (/[^\x00-\xff]/.test(text)) u.fail('_codecs.encode of a character outside latin1');
    u.countBytes(text.length);
    return new Uint8Array(Buffer.from(text, 'latin1'));
  },
  // _rebuild_from_type_v2(func, type, args, state): func(*args); the type (Tensor, Parameter) and state are dropped.
  'torch._tensor._rebuild_from_type_v2': (u: Unpickler, [fn, , args]: unknown[]) => {
    if (!isGlobal(fn) || !TENSOR_CALLS[fn.$global] || !Array.isArray(args)) u.fail('_rebuild_from_type_v2 of something other than a tensor rebuild');
    return TENSOR_CALLS[fn.$global](u, args);
  },
  'torch.device': (u: Unpickler, [type, index]: unknown[]) => {
    if (typeof type !== 'string') u.fail('torch.device of a non-string');
    return index === undefined ? type : `${type}:${String(index)}`;
  },
  'torch.serialization._get_layout': (u: Unpickler, [name]: unknown[]) => {
    if (typeof name !== 'string') u.fail('_get_layout of a non-string');
    return name;
  },
};

// torch's dtype names, as a pickle names them (torch.float32, ...).
const TORCH_DTYPES = [
  'float32', 'float64', 'float16', 'bfloat16', 'complex32', 'complex64', 'complex128',
  'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'bool',
];

// Globals that are only named, never called: storage classes (in persistent ids), dtypes, and the
// classes _rebuild_from_type_v2 names. They come back as inert `{ $global }` records.
const NAMED = new Set([
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch.${s}`),
  ...TORCH_DTYPES.map((d) => `torch.${d}`),
  'torch.Tensor',
  'torch.nn.parameter.Parameter',
]);

/** Every global a pickle may name; any other makes the file refused. */
export const ALLOWED_GLOBALS: readonly string[] = [...Object.keys(CALLS), ...NAMED];
const ALLOWED = new Set(ALLOWED_GLOBALS);

// ---------------------------------------------------------------- opcode handlers

type Handler = (u: Unpickler, op: number) => void;

// Protocol and framing headers carry nothing the reader needs.
const FRAMING: Record<number, Handler> = {
  [OP.PROTO]: (u) => void u.u8(),
  [OP.FRAME]: (u) => void u.take(8),
};

const CONTAINERS: Record<number, Handler> = {
  [OP.MARK]: (u) => u.mark(),
  [OP.EMPTY_TUPLE]: (u) => u.push([]),
  [OP.TUPLE]: (u) => u.push(u.popMark()),
  [OP.TUPLE1]: (u) => u.push([u.pop()]),
  [OP.TUPLE2]: (u) => u.push(u.popN(2)),
  [OP.TUPLE3]: (u) => u.push(u.popN(3)),
  [OP.EMPTY_LIST]: (u) => u.push([]),
  [OP.APPEND]: (u) => {
    const v = u.pop();
    u.topList('APPEND').push(v);
  },
  [OP.APPENDS]: (u) => {
    const items = u.popMark();
    const list = u.topList('APPENDS');
    for (const v of items) list.push(v);
  },
  [OP.EMPTY_DICT]: (u) => u.push(new Map()),
  [OP.SETITEM]: (u) => {
    const [k, v] = u.popN(2);
    u.topDict('SETITEM').set(k, v);
  },
  [OP.SETITEMS]: (u) => {
    const items = u.popMark();
    const d = u.topDict('SETITEMS');
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  },
  // Sets come back as arrays.
  [OP.EMPTY_SET]: (u) => u.push([]),
  [OP.ADDITEMS]: (u) => {
    const items = u.popMark();
    const set = u.topList('ADDITEMS');
    for (const v of items) set.push(v);
  },
  [OP.FROZENSET]: (u) => u.push(u.popMark()),
};

const MEMO: Record<number, Handler> = {
  [OP.BINPUT]: (u) => u.memo.set(u.u8(), u.top()),
  [OP.LONG_BINPUT]: (u) => u.memo.set(u.u32(), u.top()),
  [OP.MEMOIZE]: (u) => u.memo.set(u.memo.size, u.top()),
  [OP.BINGET]: (u) => u.push(u.recall(u.u8())),
  [OP.LONG_BINGET]: (u) => u.push(u.recall(u.u32())),
};

// Strings (utf8; the old 8-bit strings as latin1) and bytes, each with its length prefix.
const TEXT_AND_BYTES: Record<number, Handler> = {
  [OP.BINUNICODE]: (u) => u.push(u.sized(u.u32()).toString('utf8')),
  [OP.SHORT_BINUNICODE]: (u) => u.push(u.sized(u.u8()).toString('utf8')),
  [OP.BINUNICODE8]: (u) => u.push(u.sized(u.u64()).toString('utf8')),
  [OP.SHORT_BINSTRING]: (u) => u.push(u.sized(u.u8()).toString('latin1')),
  [OP.BINSTRING]: (u) => u.push(u.sized(u.i32()).toString('latin1')),
  [OP.SHORT_BINBYTES]: (u) => u.push(new Uint8Array(u.sized(u.u8()))),
  [OP.BINBYTES]: (u) => u.push(new Uint8Array(u.sized(u.u32()))),
  [OP.BINBYTES8]: (u) => u.push(new Uint8Array(u.sized(u.u64()))),
  [OP.BYTEARRAY8]: (u) => u.push(new Uint8Array(u.sized(u.u64()))),
};

const NUMBERS_AND_CONSTANTS: Record<number, Handler> = {
  [OP.BININT1]: (u) => u.push(u.u8()),
  [OP.BININT2]: (u) => u.push(u.take(2).readUInt16LE(0)),
  [OP.BININT]: (u) => u.push(u.take(4).readInt32LE(0)),
  [OP.LONG1]: (u) => u.push(littleEndianInteger(u.sized(u.u8()))),
  [OP.LONG4]: (u) => u.push(littleEndianInteger(u.sized(u.i32()))),
  [OP.BINFLOAT]: (u) => u.push(u.take(8).readDoubleBE(0)),
  [OP.NEWTRUE]: (u) => u.push(true),
  [OP.NEWFALSE]: (u) => u.push(false),
  [OP.NONE]: (u) => u.push(undefined),
};

// Globals, calls and persistent ids: where tensors are rebuilt (see Unpickler.reduce).
const OBJECTS: Record<number, Handler> = {
  [OP.GLOBAL]: (u) => {
    const mod = u.line();
    const name = u.line();
    u.push(u.global(mod, name));
  },
  [OP.STACK_GLOBAL]: (u: Unpickler) => {
    const [mod, name] = u.popN(2);
    if (typeof mod !== 'string' || typeof name !== 'string') u.fail('STACK_GLOBAL of something other than two strings');
    u.push(u.global(mod, name));
  },
  // ('storage', storage_type, key, location, numel)
  [OP.BINPERSID]: (u) => u.push(u.storageRef(u.pop())),
  [OP.REDUCE]: (u) => {
    const [fn, args] = u.popN(2);
    u.push(u.reduce(fn, args));
  },
  // cls.__new__(cls, *args)
  [OP.NEWOBJ]: (u) => {
    const [cls, args] = u.popN(2);
    u.push(u.reduce(cls, args));
  },
  // State for the object on top; OrderedDict metadata and tensor state are dropped.
  [OP.BUILD]: (u) => {
    const state = u.pop();
    const obj = u.top();
    if (typeof obj === 'object' && obj !== null && '$global' in obj) (obj as { state?: unknown }).state = state;
  },
};

// Opcode -> handler, for every opcode but STOP (which ends `load`).
const HANDLERS: (Handler | undefined)[] = [];
for (const group of [FRAMING, CONTAINERS, MEMO, TEXT_AND_BYTES, NUMBERS_AND_CONSTANTS, OBJECTS]) {
  for (const [op, handler] of Object.entries(group)) HANDLERS[Number(op)] = handler;
}

// A two's-complement little-endian integer (LONG1/LONG4): a number when it is safe, else a bigint.
function littleEndianInteger(b: Buffer): number | bigint {
  const n = b.length;
  if (n === 0) return 0;
  let v = BigInt(`0x${Buffer.from(b).reverse().toString('hex')}`);
  if (b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/**
 * Runs a pickle program over a stack and a memo, one handler per opcode. Storages are loaded
 * once each, on first use, through `loadStorage`; call `disposeStorages()` when done.
 */
export class Unpickler {
  /** @internal the memo (BINPUT/BINGET) */
  readonly memo = new Map<number, unknown>();
  private readonly stack: unknown[] = [];
  // Stack heights at each open MARK: values below the top one belong to the enclosing frame.
  private readonly marks: number[] = [];
  private pos = 0;
  private built = 0;
  private copiedBytes = 0;
  private readonly storages = new Map<string, { ref: StorageRef; tensor: Tensor }>();

  constructor(
    private readonly data: Buffer,
    private readonly file: string,
    private readonly loadStorage: StorageLoader,
  ) {}

  /**
   * Runs the program to its STOP and returns the value it leaves, after checking that value's
   * nesting, its size counting shared values once per place they appear, and that it does not
   * contain itself (so it can be walked recursively).
   */
  load(): unknown {
    for (;;) {
      const op = this.u8();
      if (op === OP.STOP) {
        const value = this.pop();
        this.checkTree(value);
        return value;
      }
      const handler = HANDLERS[op];
      if (!handler) this.fail(`unsupported opcode 0x${op.toString(16)}`);
      handler(this, op);
    }
  }

  /** Releases storage tensors (tensors built from them hold their own references). */
  disposeStorages(): void {
    for (const s of this.storages.values()) s.tensor.dispose();
  }

  // ---------------------------------------------------------------- reading (for the handlers)

  /** @internal */
  fail(what: string): never {
    throw corruptFile(this.file, `pickle: ${what} at byte ${this.pos}`);
  }
  /** @internal one byte */
  u8(): number {
    if (this.pos >= this.data.length) this.fail('unexpected end');
    return this.data[this.pos++];
  }
  /** @internal a 4-byte unsigned length or memo key */
  u32(): number {
    return this.take(4).readUInt32LE(0);
  }
  /** @internal a 4-byte signed length (BINSTRING, LONG4) */
  i32(): number {
    return this.take(4).readInt32LE(0);
  }
  /** @internal an 8-byte unsigned length */
  u64(): number {
    return Number(this.take(8).readBigUInt64LE(0));
  }
  /** @internal the next n bytes, n fixed by the opcode */
  take(n: number): Buffer {
    if (this.pos + n > this.data.length) this.fail('unexpected end');
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  /** @internal the next n bytes, n read from the file: never negative, never past the end */
  sized(n: number): Buffer {
    if (n < 0) this.fail(`negative length ${n}`);
    const left = this.data.length - this.pos;
    if (n > left) this.fail(`length ${n} runs past the end of the pickle (${left} byte${left === 1 ? '' : 's'} left)`);
    return this.take(n);
  }
  /** @internal a newline-terminated line (GLOBAL's module and name) */
  line(): string {
    const end = this.data.indexOf(10, this.pos);
    if (end < 0) this.fail('unterminated line');
    const s = this.data.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  // ---------------------------------------------------------------- stack and memo

  /** @internal counts `n` values built, refusing a program that builds too many */
  count(n: number): void {
    this.built += n;
    if (this.built > MAX_PICKLE_VALUES) this.fail(`the program builds more than ${MAX_PICKLE_VALUES} values`);
  }
  /**
   * @internal counts `n` bytes made from text already read (_codecs.encode): at most the pickle's
   * own length in all, as in any pickle Python writes (it memoises the bytes it made)
   */
  countBytes(n: number): void {
    this.copiedBytes += n;
    if (this.copiedBytes > this.data.length) this.fail(`the program copies more bytes (${this.copiedBytes}) than the pickle holds (${this.data.length})`);
  }
  /** @internal */
  push(v: unknown): void {
    this.count(1);
    this.stack.push(v);
  }
  private floor(): number {
    return this.marks.length ? this.marks[this.marks.length - 1] : 0;
  }
  /** @internal */
  pop(): unknown {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack.pop();
  }
  /** @internal the top n values, deepest first */
  popN(n: number): unknown[] {
    const out = new Array<unknown>(n);
    for (let i = n - 1; i >= 0; i--) out[i] = this.pop();
    return out;
  }
  /** @internal */
  mark(): void {
    this.marks.push(this.stack.length);
  }
  /** @internal everything above the last MARK, which is removed */
  popMark(): unknown[] {
    const k = this.marks.pop();
    if (k === undefined) this.fail('no mark');
    const items = this.stack.slice(k);
    this.stack.length = k;
    return items;
  }
  /** @internal */
  top(): unknown {
    if (this.stack.length <= this.floor()) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  /** @internal the list (or set) on top, for `op` to add to */
  topList(op: string): unknown[] {
    const t = this.top();
    if (!Array.isArray(t)) this.fail(`${op} to something other than a list`);
    return t;
  }
  /** @internal the dict on top, for `op` to set items of */
  topDict(op: string): Map<unknown, unknown> {
    const t = this.top();
    if (!(t instanceof Map)) this.fail(`${op} on something other than a dict`);
    return t;
  }
  /** @internal a memoised value */
  recall(k: number): unknown {
    if (!this.memo.has(k)) this.fail(`memo ${k} missing`);
    return this.memo.get(k);
  }

  // ---------------------------------------------------------------- objects

  /** @internal a global the pickle names: one of {@link ALLOWED_GLOBALS}, else the file is refused */
  global(mod: string, name: string): Global {
    // Protocol 2 spells Python 3's builtins module by its Python 2 name.
    const full = `${mod === '__builtin__' ? 'builtins' : mod}.${name}`;
    if (!ALLOWED.has(full)) {
      const shown = full.length > 200 ? `${full.slice(0, 200)}...` : full;
      throw refusedFile(
        this.file,
        `its pickle names the global ${shown} (at byte ${this.pos}), which is code, not data: a checkpoint that names ` +
          `code beyond torch.save's tensors, containers and plain values is refused, and nothing from it is run`,
      );
    }
    return { $global: full };
  }

  /** @internal a persistent id naming a storage: ('storage', storage_type, key, location, numel) */
  storageRef(pid: unknown): StorageRef {
    if (!Array.isArray(pid) || pid[0] !== 'storage') this.fail('unsupported persistent id');
    const [, type, key, , numel] = pid;
    if (!isGlobal(type)) this.fail('storage type is not a class');
    const dtype = STORAGE_DTYPES[type.$global.slice('torch.'.length)];
    if (!dtype || !type.$global.startsWith('torch.')) this.fail(`unsupported storage type ${type.$global}`);
    if (typeof key !== 'string' && typeof key !== 'number') this.fail('storage key is not a string');
    if (!isIndex(numel)) this.fail(`storage ${String(key)} has a bad element count`);
    return { $storage: true, dtype, key: String(key), numel };
  }

  /** @internal a call of an allowed global: the few torch.save uses, rebuilt */
  reduce(fn: unknown, args: unknown): unknown {
    if (!isGlobal(fn)) this.fail('REDUCE on a non-callable');
    if (!Array.isArray(args)) this.fail(`${fn.$global} called with arguments that are not a tuple`);
    const call = CALLS[fn.$global];
    if (!call) this.fail(`${fn.$global} is not something a checkpoint calls`);
    return call(this, args);
  }

  /** @internal a value that must be a tensor (a parameter's data) */
  tensorValue(t: unknown): Tensor {
    if (!(t instanceof Tensor)) this.fail('a parameter without a tensor');
    return t;
  }

  /**
   * @internal a tensor: a strided view (offset, size, stride) of its storage, checked against the
   * storage's bounds
   */
  rebuildTensor([st, offset, size, stride]: unknown[]): Tensor {
    if (!isStorageRef(st)) this.fail('tensor without storage');
    if (!isIndex(offset)) this.fail('tensor with a bad storage offset');
    if (!Array.isArray(size) || !Array.isArray(stride) || size.length !== stride.length || !size.every(isIndex) || !stride.every(isIndex)) {
      this.fail('tensor with a bad size or stride (non-negative integers, one per dimension)');
    }
    if (size.length > MAX_TENSOR_DIMS) this.fail(`tensor with ${size.length} dimensions (at most ${MAX_TENSOR_DIMS})`);
    const base = this.storage(st);
    if (size.some((s) => s === 0)) return wrap(addon.call(id(UNPICKLER_OPS.asStrided), base.h, size, stride, 0));
    const numel = size.reduce((a, s) => a * s, 1);
    if (numel >= 2 ** 63) this.fail(`tensor of ${numel} elements`);
    const need = size.reduce((acc, s, i) => acc + (s - 1) * stride[i], offset) + 1;
    if (need > st.numel) this.fail(`tensor view exceeds its storage (${need} > ${st.numel} elements)`);
    return wrap(addon.call(id(UNPICKLER_OPS.asStrided), base.h, size, stride, offset));
  }

  private storage(ref: StorageRef): Tensor {
    const s = this.storages.get(ref.key);
    if (s) {
      if (s.ref.dtype !== ref.dtype || s.ref.numel !== ref.numel) {
        this.fail(`storage ${ref.key} is named as ${s.ref.numel} ${s.ref.dtype} and as ${ref.numel} ${ref.dtype} elements`);
      }
      return s.tensor;
    }
    const tensor = this.loadStorage(ref.key, ref.dtype, ref.numel);
    this.storages.set(ref.key, { ref, tensor });
    return tensor;
  }

  // ---------------------------------------------------------------- the result

  // Sizes, depth and cycles of the value tree, walking shared values once (their sizes are kept).
  private checkTree(root: unknown): void {
    const sizes = new Map<object, number>();
    const open = new Set<object>();
    const visit = (v: unknown, depth: number): number => {
      if (typeof v !== 'object' || v === null || v instanceof Tensor || v instanceof Uint8Array) return 1;
      const known = sizes.get(v);
      if (known !== undefined) return known;
      if (open.has(v)) this.fail('the value contains itself (a reference cycle)');
      if (depth >= MAX_PICKLE_DEPTH) this.fail(`values nested more than ${MAX_PICKLE_DEPTH} deep`);
      open.add(v);
      let n = 1;
      const add = (x: unknown) => {
        n += visit(x, depth + 1);
        if (n > MAX_PICKLE_VALUES) {
          this.fail(`the value holds more than ${MAX_PICKLE_VALUES} values (a shared value counts once per place it appears)`);
        }
      };
      if (Array.isArray(v)) v.forEach(add);
      else if (v instanceof Map) {
        for (const [k, x] of v) {
          add(k);
          add(x);
        }
      } else if ('state' in v) add((v as { state: unknown }).state);
      open.delete(v);
      sizes.set(v, n);
      return n;
    };
    visit(root, 0);
  }
}
