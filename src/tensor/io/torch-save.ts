/**
 * PyTorch's torch.save archives (the default zip format): reading them into JS values with the
 * restricted unpickler (no code from the file is run; a file naming code is refused), and writing
 * state dicts that `torch.load(..., weights_only=True)` reads. Every entry read is checked
 * against its CRC-32. Writes are atomic.
 * @module
 */
import { addon } from '../../native';
import { writeFileAtomic } from '../../util/atomic';
import { corruptFile } from '../../util/errors';
import { checkPath } from '../../util/path';
import { DType, dtypeCode, elementSize } from '../dtype';
import { Tensor, handleOf, wrapHandle as wrap } from '../tensor';
import { PICKLE_OPCODES as OP } from './pickle-opcodes';
import { PickleWriter } from './pickle-writer';
import { STORAGE_DTYPES, Unpickler } from './unpickler';
import { ZipReader, zipStored } from './zip';

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
  | PtObject;

/**
 * A global the pickle names as a value without calling it (a dtype such as `torch.float32`, a
 * class such as `torch.Tensor`), kept inert. Only globals on the unpickler's allow-list get here:
 * a file naming any other is refused.
 */
export interface PtObject {
  /** "module.name" of the class or value */
  $global: string;
  /** the state set on it (BUILD) */
  state?: PtValue;
}

// ---------------------------------------------------------------- reading

// The unpickler's values as the public types: dict keys become strings (or stay numbers). A value
// the pickle shares (memoised) stays one shared value, as in Python. The unpickler has checked the
// tree (no cycle, bounded depth and size), so recursion is safe here.
function toPublic(v: unknown, done = new Map<object, PtValue>()): PtValue {
  if (v instanceof Tensor || v === undefined || v === null) return (v ?? undefined) as PtValue;
  if (typeof v !== 'object' || v instanceof Uint8Array) return v as PtValue;
  const known = done.get(v);
  if (known !== undefined) return known;
  let out: PtValue;
  if (Array.isArray(v)) out = v.map((x) => toPublic(x, done));
  else if (v instanceof Map) {
    const m = new Map<string | number, PtValue>();
    for (const [k, x] of v) m.set(typeof k === 'number' ? k : String(k), toPublic(x, done));
    out = m;
  } else if ('$global' in v) {
    const { $global, state } = v as PtObject;
    out = state === undefined ? { $global } : { $global, state: toPublic(state, done) };
  } else out = v as PtValue;
  done.set(v, out);
  return out;
}

/**
 * Reads a torch.save archive (the default zip format) into JS values; tensors land on the CPU.
 * Errors are `CORRUPT_FILE`: a damaged archive (every entry is checked against its CRC-32), a
 * malformed pickle, or one naming code outside the unpickler's allow-list (refused, never run).
 */
export function loadPt(file: string): PtValue {
  const zip = new ZipReader(checkPath(file, 'loadPt(): file'));
  try {
    const pkl = [...zip.entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
    if (!pkl) throw corruptFile(file, 'no data.pkl in the archive (not a torch.save file?)');
    const prefix = pkl.slice(0, pkl.length - 'data.pkl'.length);
    const order = zip.entries.has(`${prefix}byteorder`) ? zip.bytes(`${prefix}byteorder`).toString().trim() : 'little';
    if (order !== 'little') throw corruptFile(file, `byte order ${order} is not supported`);
    const u = new Unpickler(zip.bytes(pkl), file, (key, dtype, numel) => {
      const bytes = zip.bytes(`${prefix}data/${key}`);
      if (bytes.length < numel * elementSize(dtype)) throw corruptFile(file, `storage ${key} holds ${bytes.length} bytes, needs ${numel * elementSize(dtype)}`);
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

/**
 * Reads a state dict (name -> tensor) from a torch.save archive, flattening nested dicts with
 * dots as PyTorch names them. Non-tensor entries are skipped.
 */
export function loadStateDictPt(file: string): Map<string, Tensor> {
  const v = loadPt(checkPath(file, 'loadStateDictPt(): file'));
  const out = new Map<string, Tensor>();
  const walk = (x: PtValue, prefix: string) => {
    if (x instanceof Tensor) out.set(prefix, x);
    else if (x instanceof Map) for (const [k, vv] of x) walk(vv, prefix ? `${prefix}.${k}` : String(k));
  };
  if (!(v instanceof Map)) {
    if (v instanceof Tensor) v.dispose();
    throw corruptFile(file, 'expected a dict of tensors (a state dict)');
  }
  // (keys are strings in a state dict; numeric keys are joined as text)
  walk(v, '');
  return out;
}

// ---------------------------------------------------------------- writing

// dtype -> torch storage class name.
const STORAGE_NAMES: Record<DType, string> = Object.fromEntries(Object.entries(STORAGE_DTYPES).map(([k, v]) => [v, k])) as Record<DType, string>;

/**
 * Writes name -> tensor as a torch.save archive (an OrderedDict of CPU tensors), the same layout
 * torch.save produces, so `torch.load(file, weights_only=True)` reads it. Returns the file bytes.
 */
export function encodeTorchArchive(entries: [string, Tensor][], archiveName = 'archive'): Buffer {
  const p = new PickleWriter();
  const records: [string, Buffer][] = [];
  // OrderedDict() then, between MARK and SETITEMS, name -> _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()).
  p.op(OP.PROTO, 2).global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE, OP.REDUCE, OP.MARK);
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
    p.str(name).global('torch._utils', '_rebuild_tensor_v2').op(OP.MARK);
    const numel = data.length / elementSize(dtype);
    p.op(OP.MARK).str('storage').global('torch', STORAGE_NAMES[dtype]).str(key).str('cpu').int(numel).op(OP.TUPLE, OP.BINPERSID);
    p.int(0).tuple(shape).tuple(stride).op(OP.NEWFALSE).global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE, OP.REDUCE);
    p.op(OP.TUPLE, OP.REDUCE);
  });
  p.op(OP.SETITEMS, OP.STOP);
  const files: [string, Buffer][] = [
    [`${archiveName}/data.pkl`, p.bytes()],
    [`${archiveName}/byteorder`, Buffer.from('little')],
    ...records,
    [`${archiveName}/version`, Buffer.from('3\n')],
  ];
  return zipStored(files);
}

/** Writes a state dict as a torch.save archive that `torch.load(..., weights_only=True)` reads (atomically). */
export function savePt(file: string, tensors: Record<string, Tensor> | Map<string, Tensor>): void {
  checkPath(file, 'savePt(): file');
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  entries.forEach(([k, t]) => handleOf(t, `tensors['${k}']`));
  writeFileAtomic(file, [encodeTorchArchive(entries)]);
}
