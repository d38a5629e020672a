/**
 * safetensors files (the format Python's `safetensors` reads and writes): encoding, decoding with
 * validation of truncated or inconsistent files, and atomic saving.
 * @module
 */
import * as fs from 'fs';
import { addon } from '../../native';
import { writeFileAtomic } from '../../util/atomic';
import { checkObject, checkString, corruptFile, describeValue } from '../../util/errors';
import { DType, dtypeCode, elementSize, invalidArgument } from '../dtype';
import { Tensor, handleOf, wrapHandle as wrap } from '../tensor';
import { checkPath } from '../../util/path';

// safetensors' dtype names.
const ST_TO_DTYPE: Record<string, DType> = {
  F64: 'float64', F32: 'float32', F16: 'float16', BF16: 'bfloat16', I64: 'int64', I32: 'int32', I16: 'int16', I8: 'int8',
  U8: 'uint8', BOOL: 'bool',
};
const DTYPE_TO_ST: Record<DType, string> = Object.fromEntries(Object.entries(ST_TO_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

/** Encodes tensors as safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array[] {
  checkObject(tensors, 'encodeSafetensors(): tensors', 'an object of named tensors');
  if (metadata !== undefined) checkObject(metadata, 'encodeSafetensors(): metadata', 'an object of strings');
  const header: Record<string, unknown> = {};
  if (metadata) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw invalidArgument(`safetensors metadata values must be strings; '${k}' is ${typeof v}`);
    }
    header.__metadata__ = metadata;
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    handleOf(t, `tensors['${name}']`);
    const bytes = new Uint8Array(addon.toBuffer(t.h));
    header[name] = { dtype: DTYPE_TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    datas.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const pad = (8 - (Buffer.byteLength(json) % 8)) % 8; // header is padded with spaces to 8 bytes
  json += ' '.repeat(pad);
  const jsonBytes = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(jsonBytes.length));
  return [len, jsonBytes, ...datas];
}

/** Saves named tensors to a .safetensors file (atomically). Tensors on a GPU are copied to the host. */
export function saveSafetensors(file: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  checkPath(file, 'saveSafetensors(): file');
  checkObject(tensors, 'saveSafetensors(): tensors', 'an object of named tensors');
  writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

/** The tensors (on the CPU) and the `__metadata__` strings of a safetensors file. */
export interface SafetensorsFile {
  /** name -> tensor */
  tensors: Record<string, Tensor>;
  /** the header's `__metadata__` strings ({} when absent) */
  metadata: Record<string, string>;
}

/** Decodes safetensors bytes, validating the header against the data. */
export function decodeSafetensors(bytes: Uint8Array, label = '<buffer>'): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument(`decodeSafetensors(): bytes must be a Uint8Array (or a Buffer), got ${describeValue(bytes)}`);
  checkString(label, 'decodeSafetensors(): label');
  if (bytes.length < 8) throw corruptFile(label, `${bytes.length} bytes is too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = view.getBigUint64(0, true);
  if (headerLen > BigInt(bytes.length - 8) || headerLen > 100_000_000n) {
    throw corruptFile(label, `header length ${headerLen} exceeds the file (${bytes.length} bytes)`);
  }
  const hl = Number(headerLen);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 8, hl).toString('utf8'));
  } catch (e) {
    throw corruptFile(label, `header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw corruptFile(label, 'header is not a JSON object');
  const dataStart = 8 + hl;
  const dataLen = bytes.length - dataStart;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors: Record<string, Tensor> = {};
  const spans: [number, number, string][] = [];
  try {
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const e = entry as { dtype?: string; shape?: number[]; data_offsets?: number[] };
      const dtype = ST_TO_DTYPE[e?.dtype ?? ''];
      if (!dtype) throw corruptFile(label, `tensor '${name}' has unsupported dtype ${JSON.stringify(e?.dtype)}`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw corruptFile(label, `tensor '${name}' has a bad shape`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
        throw corruptFile(label, `tensor '${name}' has bad data_offsets`);
      }
      const numel = e.shape.reduce((a, b) => a * b, 1);
      if (off[1] - off[0] !== numel * elementSize(dtype)) {
        throw corruptFile(label, `tensor '${name}' spans ${off[1] - off[0]} bytes but shape ${JSON.stringify(e.shape)} of ${dtype} needs ${numel * elementSize(dtype)}`);
      }
      if (off[1] > dataLen) throw corruptFile(label, `tensor '${name}' ends at byte ${off[1]} but the data section has ${dataLen} bytes (truncated?)`);
      spans.push([off[0], off[1], name]);
      const slice = bytes.subarray(dataStart + off[0], dataStart + off[1]);
      tensors[name] = wrap(addon.fromBuffer(slice, dtypeCode(dtype), e.shape));
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) {
      if (spans[i][0] < spans[i - 1][1]) throw corruptFile(label, `tensors '${spans[i - 1][2]}' and '${spans[i][2]}' overlap`);
    }
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/** Reads only the metadata (`__metadata__`) of a .safetensors file, without its tensors. */
export function readSafetensorsMetadata(file: string): Record<string, string> {
  checkPath(file, 'readSafetensorsMetadata(): file');
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    if (fs.readSync(fd, len, 0, 8, 0) !== 8) throw corruptFile(file, 'too short for a safetensors header');
    const n = Number(len.readBigUInt64LE(0));
    if (n > 100_000_000 || n > fs.fstatSync(fd).size - 8) throw corruptFile(file, `header length ${n} exceeds the file`);
    const head = Buffer.alloc(n);
    fs.readSync(fd, head, 0, n, 8);
    try {
      return (JSON.parse(head.toString('utf8')).__metadata__ ?? {}) as Record<string, string>;
    } catch (e) {
      throw corruptFile(file, `header is not valid JSON (${(e as Error).message})`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Loads every tensor (and the metadata) of a .safetensors file onto the CPU. */
export function loadSafetensors(file: string): SafetensorsFile {
  checkPath(file, 'loadSafetensors(): file');
  const bytes = fs.readFileSync(file);
  return decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}
