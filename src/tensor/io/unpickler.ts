/**
 * A restricted unpickler for the pickle torch.save writes: dicts and OrderedDicts, lists, tuples,
 * sets, numbers, strings, bytes, tensors and parameters. It never runs code from the file:
 * unknown globals come back as inert `{ $global, args }` records. libtorch's own C++ unpickler is
 * not used because it rejects the memoised OrderedDict that every `module.state_dict()` archive
 * contains.
 * @module
 */
import { addon } from '../../native';
import { corruptFile } from '../../util/errors';
import { DType } from '../dtype';
import { id, ops } from '../ops';
import { Tensor, wrapHandle as wrap } from '../tensor';
import { PICKLE_OPCODES as OP } from './pickle-opcodes';

// The one operator the unpickler needs: a tensor is a strided view of its storage.
const UNPICKLER_OPS = ops({ asStrided: 'aten::as_strided' });

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
const MARK = Symbol('mark');

function isGlobal(x: unknown): x is Global {
  return typeof x === 'object' && x !== null && '$global' in x && !('args' in x);
}

type Handler = (u: Unpickler, op: number) => void;

// Protocol and framing headers carry nothing the reader needs.
const FRAMING: Record<number, Handler> = {
  [OP.PROTO]: (u) => void u.u8(),
  [OP.FRAME]: (u) => void u.take(8),
};

const CONTAINERS: Record<number, Handler> = {
  [OP.MARK]: (u) => u.push(MARK),
  [OP.EMPTY_TUPLE]: (u) => u.push([]),
  [OP.TUPLE]: (u) => u.push(u.popMark()),
  [OP.TUPLE1]: (u) => u.push([u.pop()]),
  [OP.TUPLE2]: (u) => u.push(u.popN(2)),
  [OP.TUPLE3]: (u) => u.push(u.popN(3)),
  [OP.EMPTY_LIST]: (u) => u.push([]),
  [OP.APPEND]: (u) => {
    const v = u.pop();
    (u.top() as unknown[]).push(v);
  },
  [OP.APPENDS]: (u) => {
    const items = u.popMark();
    (u.top() as unknown[]).push(...items);
  },
  [OP.EMPTY_DICT]: (u) => u.push(new Map()),
  [OP.SETITEM]: (u) => {
    const [k, v] = u.popN(2);
    (u.top() as Map<unknown, unknown>).set(k, v);
  },
  [OP.SETITEMS]: (u) => {
    const items = u.popMark();
    const d = u.top() as Map<unknown, unknown>;
    for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
  },
  // Sets come back as arrays.
  [OP.EMPTY_SET]: (u) => u.push([]),
  [OP.ADDITEMS]: (u) => {
    const items = u.popMark();
    (u.top() as unknown[]).push(...items);
  },
  [OP.FROZENSET]: (u) => u.push(u.popMark()),
};

const MEMO: Record<number, Handler> = {
  [OP.BINPUT]: (u) => u.memo.set(u.u8(), u.top()),
  [OP.LONG_BINPUT]: (u) => u.memo.set(u.take(4).readUInt32LE(0), u.top()),
  [OP.MEMOIZE]: (u) => u.memo.set(u.memo.size, u.top()),
  [OP.BINGET]: (u) => u.push(u.recall(u.u8())),
  [OP.LONG_BINGET]: (u) => u.push(u.recall(u.take(4).readUInt32LE(0))),
};

// Strings (utf8; the old 8-bit strings as latin1) and bytes, each with its length prefix.
const TEXT_AND_BYTES: Record<number, Handler> = {
  [OP.BINUNICODE]: (u) => u.push(u.take(u.take(4).readUInt32LE(0)).toString('utf8')),
  [OP.SHORT_BINUNICODE]: (u) => u.push(u.take(u.u8()).toString('utf8')),
  [OP.BINUNICODE8]: (u) => u.push(u.take(Number(u.take(8).readBigUInt64LE(0))).toString('utf8')),
  [OP.SHORT_BINSTRING]: (u) => u.push(u.take(u.u8()).toString('latin1')),
  [OP.BINSTRING]: (u) => u.push(u.take(u.take(4).readInt32LE(0)).toString('latin1')),
  [OP.SHORT_BINBYTES]: (u) => u.push(new Uint8Array(u.take(u.u8()))),
  [OP.BINBYTES]: (u) => u.push(new Uint8Array(u.take(u.take(4).readUInt32LE(0)))),
  [OP.BINBYTES8]: (u) => u.push(new Uint8Array(u.take(Number(u.take(8).readBigUInt64LE(0))))),
};

const NUMBERS_AND_CONSTANTS: Record<number, Handler> = {
  [OP.BININT1]: (u) => u.push(u.u8()),
  [OP.BININT2]: (u) => u.push(u.take(2).readUInt16LE(0)),
  [OP.BININT]: (u) => u.push(u.take(4).readInt32LE(0)),
  [OP.LONG1]: (u) => u.push(littleEndianInteger(u.take(u.u8()))),
  [OP.LONG4]: (u) => u.push(littleEndianInteger(u.take(u.take(4).readInt32LE(0)))),
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
    u.push({ $global: `${mod}.${name}` });
  },
  [OP.STACK_GLOBAL]: (u) => {
    const [mod, name] = u.popN(2) as [string, string];
    u.push({ $global: `${mod}.${name}` });
  },
  // ('storage', storage_type, key, location, numel)
  [OP.BINPERSID]: (u) => u.push(u.storageRef(u.pop())),
  [OP.REDUCE]: (u) => {
    const [fn, args] = u.popN(2) as [unknown, unknown[]];
    u.push(u.reduce(fn, args));
  },
  // cls.__new__(cls, *args)
  [OP.NEWOBJ]: (u) => {
    const [cls, args] = u.popN(2) as [unknown, unknown[]];
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
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
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
  private pos = 0;
  private readonly storages = new Map<string, Tensor>();

  constructor(
    private readonly data: Buffer,
    private readonly file: string,
    private readonly loadStorage: StorageLoader,
  ) {}

  /** Runs the program to its STOP and returns the value it leaves. */
  load(): unknown {
    for (;;) {
      const op = this.u8();
      if (op === OP.STOP) return this.pop();
      const handler = HANDLERS[op];
      if (!handler) this.fail(`unsupported opcode 0x${op.toString(16)}`);
      handler(this, op);
    }
  }

  /** Releases storage tensors (tensors built from them hold their own references). */
  disposeStorages(): void {
    for (const t of this.storages.values()) t.dispose();
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
  /** @internal the next n bytes */
  take(n: number): Buffer {
    if (this.pos + n > this.data.length) this.fail('unexpected end');
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
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

  /** @internal */
  push(v: unknown): void {
    this.stack.push(v);
  }
  /** @internal */
  pop(): unknown {
    if (!this.stack.length) this.fail('stack underflow');
    return this.stack.pop();
  }
  /** @internal the top n values, deepest first */
  popN(n: number): unknown[] {
    const out = new Array<unknown>(n);
    for (let i = n - 1; i >= 0; i--) out[i] = this.pop();
    return out;
  }
  /** @internal everything above the last MARK, which is removed */
  popMark(): unknown[] {
    const k = this.stack.lastIndexOf(MARK);
    if (k < 0) this.fail('no mark');
    const items = this.stack.slice(k + 1);
    this.stack.length = k;
    return items;
  }
  /** @internal */
  top(): unknown {
    if (!this.stack.length) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }
  /** @internal a memoised value */
  recall(k: number): unknown {
    if (!this.memo.has(k)) this.fail(`memo ${k} missing`);
    return this.memo.get(k);
  }

  // ---------------------------------------------------------------- objects

  /** @internal a persistent id naming a storage: ('storage', storage_type, key, location, numel) */
  storageRef(pid: unknown): StorageRef {
    if (!Array.isArray(pid) || pid[0] !== 'storage') this.fail('unsupported persistent id');
    const type = (pid[1] as Global).$global.split('.').pop()!;
    const dtype = STORAGE_DTYPES[type];
    if (!dtype) this.fail(`unsupported storage type ${type}`);
    return { $storage: true, dtype, key: String(pid[2]), numel: Number(pid[4]) };
  }

  /** @internal a call of a global: the few torch.save uses, rebuilt; any other, an inert record */
  reduce(fn: unknown, args: unknown[]): unknown {
    if (!isGlobal(fn)) this.fail('REDUCE on a non-callable');
    switch (fn.$global) {
      case 'collections.OrderedDict':
      case 'builtins.dict':
        return new Map();
      case 'builtins.set':
      case 'builtins.frozenset':
      case 'builtins.list':
      case 'builtins.tuple':
        return Array.isArray(args[0]) ? [...(args[0] as unknown[])] : [];
      case 'torch._utils._rebuild_tensor':
      case 'torch._utils._rebuild_tensor_v2':
      case 'torch._utils._rebuild_tensor_v3':
        return this.rebuildTensor(args as [StorageRef, number, number[], number[]]);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return args[0];
      case 'torch._tensor._rebuild_from_type_v2':
        return this.reduce(args[0], args[2] as unknown[]);
      case 'torch.device':
      case 'torch.serialization._get_layout':
        return String(args[0]);
      default:
        return { $global: fn.$global, args };
    }
  }

  // A tensor is a strided view (size, stride, offset) of its storage, checked against its bounds.
  private rebuildTensor([st, offset, size, stride]: [StorageRef, number, number[], number[]]): Tensor {
    if (!st || (st as StorageRef).$storage !== true) this.fail('tensor without storage');
    const base = this.storage(st);
    const need = size.reduce((acc, s, i) => acc + (s > 0 ? (s - 1) * stride[i] : 0), offset) + 1;
    if (size.some((s) => s === 0)) return wrap(addon.call(id(UNPICKLER_OPS.asStrided), base.h, size, stride, 0));
    if (need > st.numel) this.fail(`tensor view exceeds its storage (${need} > ${st.numel} elements)`);
    return wrap(addon.call(id(UNPICKLER_OPS.asStrided), base.h, size, stride, offset));
  }

  private storage(ref: StorageRef): Tensor {
    let t = this.storages.get(ref.key);
    if (!t) {
      t = this.loadStorage(ref.key, ref.dtype, ref.numel);
      this.storages.set(ref.key, t);
    }
    return t;
  }
}
