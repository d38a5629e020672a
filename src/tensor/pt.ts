/**
 * A reader for PyTorch's torch.save archives (the default zip format), written in TypeScript:
 * a zip reader (stored entries, zip64 included) plus a small pickle machine that understands the
 * objects torch.save writes (dicts and OrderedDicts, lists, tuples, numbers, strings, tensors and
 * parameters). It never runs code from the file: unknown globals come back as inert
 * `{ $global, args }` records. libtorch's own C++ unpickler is not used because it rejects the
 * memoised OrderedDict that every `module.state_dict()` archive contains.
 * @module
 */
import * as fs from 'fs';
import { addon } from '../native';
import { DType, dtypeCode, elementSize } from './dtype';
import { id, ops } from './ops';
import { Tensor, wrapHandle as wrap } from './tensor';

const P = ops({ asStrided: 'aten::as_strided' });

/** A value read from a torch.save archive. */
export type PtValue =
  | Tensor
  | number
  | bigint
  | boolean
  | string
  | undefined
  | Uint8Array
  | PtValue[]
  | Map<string | number, PtValue>
  | { $global: string; args?: PtValue[]; state?: PtValue };

function corrupt(file: string, what: string): Error {
  return Object.assign(new Error(`corrupt or truncated file ${file}: ${what}`), { code: 'CORRUPT_FILE' });
}

// ---------------------------------------------------------------- zip

interface ZipEntry {
  name: string;
  method: number;
  size: number;
  localOffset: number;
}

class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly fd: number;
  private readonly size: number;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'r');
    this.size = fs.fstatSync(this.fd).size;
    try {
      this.readDirectory();
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private read(pos: number, len: number): Buffer {
    if (pos < 0 || pos + len > this.size) throw corrupt(this.file, `read past the end (offset ${pos}, ${len} bytes, file ${this.size} bytes)`);
    const b = Buffer.alloc(len);
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, b, done, len - done, pos + done);
      if (n <= 0) throw corrupt(this.file, 'unexpected end of file');
      done += n;
    }
    return b;
  }

  private readDirectory(): void {
    if (this.size < 22) throw corrupt(this.file, 'too short for a zip archive');
    const tailLen = Math.min(this.size, 65557);
    const tail = this.read(this.size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corrupt(this.file, 'not a zip archive (no end-of-directory record; torch.save files are zip archives)');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    if (dirOffset === 0xffffffff || count === 0xffff) {
      // zip64: the locator sits just before the classic record.
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw corrupt(this.file, 'zip64 locator missing');
      const recPos = Number(tail.readBigUInt64LE(loc + 8));
      const rec = this.read(recPos, 56);
      if (rec.readUInt32LE(0) !== 0x06064b50) throw corrupt(this.file, 'zip64 directory record missing');
      count = Number(rec.readBigUInt64LE(32));
      dirSize = Number(rec.readBigUInt64LE(40));
      dirOffset = Number(rec.readBigUInt64LE(48));
    }
    const dir = this.read(dirOffset, dirSize);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50) throw corrupt(this.file, 'bad zip central directory');
      const method = dir.readUInt16LE(p + 10);
      let size = dir.readUInt32LE(p + 24);
      const nameLen = dir.readUInt16LE(p + 28);
      const extraLen = dir.readUInt16LE(p + 30);
      const commentLen = dir.readUInt16LE(p + 32);
      let localOffset = dir.readUInt32LE(p + 42);
      const name = dir.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extra field: the 0xffffffff fields, in order (uncompressed, compressed, offset).
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const tag = dir.readUInt16LE(e);
        const len = dir.readUInt16LE(e + 2);
        if (tag === 0x0001) {
          let q = e + 4;
          if (size === 0xffffffff) {
            size = Number(dir.readBigUInt64LE(q));
            q += 8;
          }
          if (dir.readUInt32LE(p + 20) === 0xffffffff) q += 8;
          if (localOffset === 0xffffffff) localOffset = Number(dir.readBigUInt64LE(q));
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, size, localOffset });
      p += 46 + nameLen + extraLen + commentLen;
    }
  }

  /** The bytes of a stored (uncompressed) entry. */
  bytes(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) throw corrupt(this.file, `missing archive entry ${name}`);
    if (e.method !== 0) throw corrupt(this.file, `entry ${name} is compressed (method ${e.method}); torch.save writes stored entries`);
    const local = this.read(e.localOffset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw corrupt(this.file, `bad local header for ${name}`);
    const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    return this.read(start, e.size);
  }
}

// ---------------------------------------------------------------- pickle

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

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

class Unpickler {
  private stack: unknown[] = [];
  private memo = new Map<number, unknown>();
  private pos = 0;
  private readonly storages = new Map<string, Tensor>();

  constructor(
    private readonly data: Buffer,
    private readonly file: string,
    private readonly loadStorage: (key: string, dtype: DType, numel: number) => Tensor,
  ) {}

  private fail(what: string): never {
    throw corrupt(this.file, `pickle: ${what} at byte ${this.pos}`);
  }
  private u8(): number {
    if (this.pos >= this.data.length) this.fail('unexpected end');
    return this.data[this.pos++];
  }
  private take(n: number): Buffer {
    if (this.pos + n > this.data.length) this.fail('unexpected end');
    const b = this.data.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private line(): string {
    const end = this.data.indexOf(10, this.pos);
    if (end < 0) this.fail('unterminated line');
    const s = this.data.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  private pop(): unknown {
    if (!this.stack.length) this.fail('stack underflow');
    return this.stack.pop();
  }
  private popMark(): unknown[] {
    const k = this.stack.lastIndexOf(MARK);
    if (k < 0) this.fail('no mark');
    const items = this.stack.slice(k + 1);
    this.stack.length = k;
    return items;
  }
  private top(): unknown {
    if (!this.stack.length) this.fail('stack underflow');
    return this.stack[this.stack.length - 1];
  }

  /** Releases storage tensors (tensors built from them hold their own references). */
  disposeStorages(): void {
    for (const t of this.storages.values()) t.dispose();
  }

  load(): unknown {
    for (;;) {
      const op = this.u8();
      switch (op) {
        case 0x80: // PROTO
          this.u8();
          break;
        case 0x95: // FRAME
          this.take(8);
          break;
        case 0x28: // MARK
          this.stack.push(MARK);
          break;
        case 0x2e: // STOP
          return this.pop();
        case 0x29: // EMPTY_TUPLE
          this.stack.push([]);
          break;
        case 0x74: // TUPLE
          this.stack.push(this.popMark());
          break;
        case 0x85: // TUPLE1
          this.stack.push([this.pop()]);
          break;
        case 0x86: {
          const b = this.pop();
          const a = this.pop();
          this.stack.push([a, b]);
          break;
        }
        case 0x87: {
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.stack.push([a, b, c]);
          break;
        }
        case 0x5d: // EMPTY_LIST
          this.stack.push([]);
          break;
        case 0x61: {
          const v = this.pop();
          (this.top() as unknown[]).push(v);
          break;
        }
        case 0x65: {
          const items = this.popMark();
          (this.top() as unknown[]).push(...items);
          break;
        }
        case 0x7d: // EMPTY_DICT
          this.stack.push(new Map());
          break;
        case 0x73: {
          const v = this.pop();
          const k = this.pop();
          (this.top() as Map<unknown, unknown>).set(k, v);
          break;
        }
        case 0x75: {
          const items = this.popMark();
          const d = this.top() as Map<unknown, unknown>;
          for (let i = 0; i + 1 < items.length; i += 2) d.set(items[i], items[i + 1]);
          break;
        }
        case 0x8f: // EMPTY_SET
          this.stack.push([]);
          break;
        case 0x90: {
          const items = this.popMark();
          (this.top() as unknown[]).push(...items);
          break;
        }
        case 0x91: // FROZENSET
          this.stack.push(this.popMark());
          break;
        case 0x63: {
          const mod = this.line();
          const name = this.line();
          this.stack.push({ $global: `${mod}.${name}` });
          break;
        }
        case 0x93: {
          const name = this.pop() as string;
          const mod = this.pop() as string;
          this.stack.push({ $global: `${mod}.${name}` });
          break;
        }
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72:
          this.memo.set(this.take(4).readUInt32LE(0), this.top());
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: {
          const k = this.u8();
          if (!this.memo.has(k)) this.fail(`memo ${k} missing`);
          this.stack.push(this.memo.get(k));
          break;
        }
        case 0x6a: {
          const k = this.take(4).readUInt32LE(0);
          if (!this.memo.has(k)) this.fail(`memo ${k} missing`);
          this.stack.push(this.memo.get(k));
          break;
        }
        case 0x58: {
          const n = this.take(4).readUInt32LE(0);
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x8c: {
          const n = this.u8();
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x8d: {
          const n = Number(this.take(8).readBigUInt64LE(0));
          this.stack.push(this.take(n).toString('utf8'));
          break;
        }
        case 0x55: {
          const n = this.u8();
          this.stack.push(this.take(n).toString('latin1'));
          break;
        }
        case 0x54: {
          const n = this.take(4).readInt32LE(0);
          this.stack.push(this.take(n).toString('latin1'));
          break;
        }
        case 0x43: {
          const n = this.u8();
          this.stack.push(new Uint8Array(this.take(n)));
          break;
        }
        case 0x42: {
          const n = this.take(4).readUInt32LE(0);
          this.stack.push(new Uint8Array(this.take(n)));
          break;
        }
        case 0x8e: {
          const n = Number(this.take(8).readBigUInt64LE(0));
          this.stack.push(new Uint8Array(this.take(n)));
          break;
        }
        case 0x4b: // BININT1
          this.stack.push(this.u8());
          break;
        case 0x4d:
          this.stack.push(this.take(2).readUInt16LE(0));
          break;
        case 0x4a:
          this.stack.push(this.take(4).readInt32LE(0));
          break;
        case 0x8a:
        case 0x8b: {
          const n = op === 0x8a ? this.u8() : this.take(4).readInt32LE(0);
          const b = this.take(n);
          let v = 0n;
          for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
          if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
          this.stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
          break;
        }
        case 0x47:
          this.stack.push(this.take(8).readDoubleBE(0));
          break;
        case 0x88:
          this.stack.push(true);
          break;
        case 0x89:
          this.stack.push(false);
          break;
        case 0x4e:
          this.stack.push(undefined);
          break;
        case 0x51: {
          // BINPERSID: ('storage', storage_type, key, location, numel)
          const pid = this.pop() as unknown[];
          if (!Array.isArray(pid) || pid[0] !== 'storage') this.fail('unsupported persistent id');
          const type = (pid[1] as Global).$global.split('.').pop()!;
          const dtype = STORAGE_DTYPES[type];
          if (!dtype) this.fail(`unsupported storage type ${type}`);
          this.stack.push({ $storage: true, dtype, key: String(pid[2]), numel: Number(pid[4]) } as StorageRef);
          break;
        }
        case 0x52: {
          const args = this.pop() as unknown[];
          const fn = this.pop();
          this.stack.push(this.reduce(fn, args));
          break;
        }
        case 0x81: {
          // NEWOBJ: cls.__new__(cls, *args)
          const args = this.pop() as unknown[];
          const cls = this.pop();
          this.stack.push(this.reduce(cls, args));
          break;
        }
        case 0x62: {
          // BUILD: state for the object on top; OrderedDict metadata and tensor state are dropped.
          const state = this.pop();
          const obj = this.top();
          if (typeof obj === 'object' && obj !== null && '$global' in obj) (obj as { state?: unknown }).state = state;
          break;
        }
        default:
          this.fail(`unsupported opcode 0x${op.toString(16)}`);
      }
    }
  }

  private storage(ref: StorageRef): Tensor {
    let t = this.storages.get(ref.key);
    if (!t) {
      t = this.loadStorage(ref.key, ref.dtype, ref.numel);
      this.storages.set(ref.key, t);
    }
    return t;
  }

  private reduce(fn: unknown, args: unknown[]): unknown {
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
      case 'torch._utils._rebuild_tensor_v3': {
        const [st, offset, size, stride] = args as [StorageRef, number, number[], number[]];
        if (!st || (st as StorageRef).$storage !== true) this.fail('tensor without storage');
        const base = this.storage(st);
        const need = size.reduce((acc, s, i) => acc + (s > 0 ? (s - 1) * stride[i] : 0), offset) + 1;
        if (size.some((s) => s === 0)) return wrap(addon.call(id(P.asStrided), base.h, size, stride, 0));
        if (need > st.numel) this.fail(`tensor view exceeds its storage (${need} > ${st.numel} elements)`);
        return wrap(addon.call(id(P.asStrided), base.h, size, stride, offset));
      }
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
}

function toPublic(v: unknown): PtValue {
  if (v instanceof Tensor || v === undefined || v === null) return (v ?? undefined) as PtValue;
  if (Array.isArray(v)) return v.map(toPublic);
  if (v instanceof Map) {
    const m = new Map<string | number, PtValue>();
    for (const [k, x] of v) m.set(typeof k === 'number' ? k : String(k), toPublic(x));
    return m;
  }
  return v as PtValue;
}

/** Reads a torch.save archive (zip format) into JS values; tensors come back on the CPU. */
export function readTorchArchive(file: string): PtValue {
  const zip = new ZipReader(file);
  try {
    const pkl = [...zip.entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (!pkl) throw corrupt(file, 'no data.pkl in the archive (not a torch.save file?)');
    const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
    const order = zip.entries.has(`${prefix}byteorder`) ? zip.bytes(`${prefix}byteorder`).toString().trim() : 'little';
    if (order !== 'little') throw corrupt(file, `byte order ${order} is not supported`);
    const u = new Unpickler(zip.bytes(pkl), file, (key, dtype, numel) => {
      const bytes = zip.bytes(`${prefix}data/${key}`);
      if (bytes.length < numel * elementSize(dtype)) throw corrupt(file, `storage ${key} holds ${bytes.length} bytes, needs ${numel * elementSize(dtype)}`);
      return wrap(addon.fromBuffer(bytes.subarray(0, numel * elementSize(dtype)), dtypeCode(dtype), [numel]));
    });
    try {
      return toPublic(u.load());
    } finally {
      u.disposeStorages();
    }
  } finally {
    zip.close();
  }
}

// ---------------------------------------------------------------- writing

const STORAGE_NAMES: Record<DType, string> = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

let crcTable: Uint32Array | undefined;
function crc32(b: Uint8Array, crc = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

class PickleWriter {
  private parts: Buffer[] = [];
  op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  global(mod: string, name: string): this {
    this.parts.push(Buffer.from(`c${mod}\n${name}\n`, 'utf8'));
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    this.parts.push(h, b);
    return this;
  }
  int(v: number): this {
    if (v >= -(2 ** 31) && v < 2 ** 31) {
      const h = Buffer.alloc(5);
      h[0] = 0x4a;
      h.writeInt32LE(v, 1);
      this.parts.push(h);
    } else {
      const h = Buffer.alloc(10);
      h[0] = 0x8a;
      h[1] = 8;
      h.writeBigInt64LE(BigInt(v), 2);
      this.parts.push(h);
    }
    return this;
  }
  tuple(vals: number[]): this {
    this.op(0x28);
    for (const v of vals) this.int(v);
    return this.op(0x74);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/**
 * Writes name -> tensor as a torch.save archive (an OrderedDict of CPU tensors), the same layout
 * torch.save produces, so `torch.load(file, weights_only=True)` reads it. Returns the file bytes.
 */
export function encodeTorchArchive(entries: [string, Tensor][], archiveName = 'archive'): Buffer {
  const p = new PickleWriter();
  const records: [string, Buffer][] = [];
  p.op(0x80, 2).global('collections', 'OrderedDict').op(0x29, 0x52, 0x28);
  entries.forEach(([name, t], k) => {
    const c = t.detach().cpu().contiguous();
    const data = Buffer.from(addon.toBuffer(c.h));
    const shape = c.shape;
    const dtype = c.dtype;
    c.dispose();
    const stride: number[] = new Array(shape.length);
    let s = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      stride[i] = s;
      s *= Math.max(shape[i], 1);
    }
    const key = String(k);
    records.push([`${archiveName}/data/${key}`, data]);
    p.str(name).global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    p.op(0x28).str('storage').global('torch', STORAGE_NAMES[dtype]).str(key).str('cpu').int(data.length / elementSize(dtype)).op(0x74, 0x51);
    p.int(0).tuple(shape).tuple(stride).op(0x89).global('collections', 'OrderedDict').op(0x29, 0x52);
    p.op(0x74, 0x52);
  });
  p.op(0x75, 0x2e);
  const files: [string, Buffer][] = [
    [`${archiveName}/data.pkl`, p.bytes()],
    [`${archiveName}/byteorder`, Buffer.from('little')],
    ...records,
    [`${archiveName}/version`, Buffer.from('3\n')],
  ];
  return zipStored(files);
}

// A zip of stored entries, data aligned to 64 bytes as torch.save does (via the extra field).
function zipStored(files: [string, Buffer][]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameB = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const headerLen = 30 + nameB.length;
    const pad = (64 - ((offset + headerLen + 4) % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x4653, 0); // an unregistered id, skipped by readers
    extra.writeUInt16LE(pad, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameB.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(data.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(nameB.length, 28);
    cen.writeUInt32LE(offset, 42);
    central.push(cen, nameB);
    out.push(local, nameB, extra, data);
    offset += local.length + nameB.length + extra.length + data.length;
    if (offset > 0xfffffff0) throw new Error('savePt: archives over 4 GB are not supported yet; use saveSafetensors');
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dir, end]);
}
