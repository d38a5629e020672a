/**
 * NumPy .npy files (format versions 1.0-3.0, C order): a reader that reads rows from disk on
 * demand (nothing large enters the JS heap), a whole-array reader for index arrays, and a
 * streaming writer (rows appended, the shape patched in on close, then an atomic rename).
 * Supported dtypes: uint8, int8, int16, int32, int64, float32, float64, bool.
 * @module
 */
import * as fs from 'fs';
import { AtomicFile } from '../../util/atomic';
import { corruptFile, describeValue, invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';

/** The element types a .npy file may hold here. */
export type NpyDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'bool';

const DESCR: Record<NpyDType, string> = {
  uint8: '|u1', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8', float32: '<f4', float64: '<f8', bool: '|b1',
};
const FROM_DESCR: Record<string, NpyDType> = Object.fromEntries(Object.entries(DESCR).map(([k, v]) => [v, k as NpyDType]));
// numpy also writes these equivalent spellings
Object.assign(FROM_DESCR, { '<u1': 'uint8', '<i1': 'int8', '<b1': 'bool', '|i2': 'int16' });
const SIZE: Record<NpyDType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float32: 4, float64: 8, bool: 1 };

/** The typed array holding a .npy file's data, by dtype. */
export type NpyArray = Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array;

/** Bytes per element of a dtype. */
export function npyElementSize(d: NpyDType): number {
  return SIZE[d];
}

/** The bytes of a buffer as a typed array of the dtype (a copy, aligned). */
export function npyView(dtype: NpyDType, buf: Buffer): NpyArray {
  if (typeof dtype !== 'string' || !Object.prototype.hasOwnProperty.call(DESCR, dtype)) throw invalidArgument(`npyView(): dtype must be one of ${Object.keys(DESCR).join(', ')}, got ${describeValue(dtype)}`);
  if (!(buf instanceof Uint8Array)) throw invalidArgument(`npyView(): buf must be a Buffer, got ${describeValue(buf)}`);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  switch (dtype) {
    case 'int8':
      return new Int8Array(ab);
    case 'int16':
      return new Int16Array(ab);
    case 'int32':
      return new Int32Array(ab);
    case 'int64':
      return new BigInt64Array(ab);
    case 'float32':
      return new Float32Array(ab);
    case 'float64':
      return new Float64Array(ab);
    default:
      return new Uint8Array(ab);
  }
}

interface Header {
  dtype: NpyDType;
  shape: number[];
  dataOffset: number;
}

function parseHeader(file: string, head: Buffer, size: number): Header {
  if (head.length < 10 || head.readUInt8(0) !== 0x93 || head.toString('latin1', 1, 6) !== 'NUMPY') throw corruptFile(file, 'missing the \\x93NUMPY magic');
  const major = head.readUInt8(6);
  let len: number;
  let start: number;
  if (major === 1) {
    len = head.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) throw corruptFile(file, 'header too short');
    len = head.readUInt32LE(8);
    start = 12;
  } else throw corruptFile(file, `unsupported format version ${major}`);
  if (start + len > head.length) throw corruptFile(file, 'header longer than the file');
  const text = head.toString(major === 3 ? 'utf8' : 'latin1', start, start + len);
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw corruptFile(file, `unreadable header ${JSON.stringify(text.trim())}`);
  const dtype = FROM_DESCR[descr];
  if (!dtype) throw corruptFile(file, `unsupported dtype '${descr}' (supported: ${Object.values(DESCR).join(', ')})`);
  if (fortran === 'True') throw corruptFile(file, 'Fortran-ordered arrays are not supported; save with C order');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw corruptFile(file, `bad shape (${shapeText})`);
  const dataOffset = start + len;
  const need = shape.reduce((a, b) => a * b, 1) * SIZE[dtype];
  if (size - dataOffset < need) throw corruptFile(file, `data holds ${size - dataOffset} bytes, shape [${shape}] of ${dtype} needs ${need}`);
  return { dtype, shape, dataOffset };
}

/** An open .npy file whose rows (slices along the first axis) are read on demand. */
export class NpyFile {
  /** element type */
  readonly dtype: NpyDType;
  /** array shape */
  readonly shape: number[];
  /** bytes per row (product of the trailing dims times the element size) */
  readonly rowBytes: number;
  private readonly fd: number;
  private readonly dataOffset: number;

  /**
   * Opens `file` and reads its header.
   * @param file the .npy file
   */
  constructor(readonly file: string) {
    checkPath(file, 'NpyFile: file');
    this.fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(this.fd).size;
      const head = Buffer.alloc(Math.min(size, 65536 + 12));
      fs.readSync(this.fd, head, 0, head.length, 0);
      const h = parseHeader(file, head, size);
      this.dtype = h.dtype;
      this.shape = h.shape;
      this.dataOffset = h.dataOffset;
      this.rowBytes = h.shape.slice(1).reduce((a, b) => a * b, 1) * SIZE[h.dtype];
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  /** Length of the first axis (1 for a 0-d array). */
  get rows(): number {
    return this.shape[0] ?? 1;
  }

  /** Rows [start, start + count) as raw bytes. */
  readRowsRaw(start: number, count: number, into?: Buffer, intoOffset = 0): Buffer {
    if (!(start >= 0 && count >= 0 && start + count <= this.rows)) {
      throw invalidArgument(`${this.file}: rows [${start}, ${start + count}) are outside [0, ${this.rows})`);
    }
    const n = count * this.rowBytes;
    const buf = into ?? Buffer.alloc(n);
    let done = 0;
    while (done < n) {
      const r = fs.readSync(this.fd, buf, intoOffset + done, n - done, this.dataOffset + start * this.rowBytes + done);
      if (r <= 0) throw corruptFile(this.file, 'unexpected end of file');
      done += r;
    }
    return buf;
  }

  /** The whole array (use for index arrays; large data should be read by rows). */
  readAll(): NpyArray {
    return npyView(this.dtype, this.readRowsRaw(0, this.rows));
  }

  /** Releases the file. */
  close(): void {
    fs.closeSync(this.fd);
  }
}

/** Reads a whole .npy file: its dtype, shape and data. */
export function readNpy(file: string): {
  /** element type */
  dtype: NpyDType;
  /** array shape */
  shape: number[];
  /** every element, row-major */
  data: NpyArray;
} {
  const f = new NpyFile(checkPath(file, 'readNpy(): file'));
  try {
    return { dtype: f.dtype, shape: f.shape, data: f.readAll() };
  } finally {
    f.close();
  }
}

function headerBytes(dtype: NpyDType, shape: number[], minLength = 0): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so that magic + length + header is a multiple of 64, ending in '\n'.
  const total = Math.max(Math.ceil((10 + dict.length + 1) / 64) * 64, minLength);
  dict = dict.padEnd(total - 10 - 1, ' ') + '\n';
  const out = Buffer.alloc(10 + dict.length);
  out.writeUInt8(0x93, 0);
  out.write('NUMPY', 1, 'latin1');
  out.writeUInt8(1, 6);
  out.writeUInt8(0, 7);
  out.writeUInt16LE(dict.length, 8);
  out.write(dict, 10, 'latin1');
  return out;
}

function bytesOf(data: NpyArray | Buffer): Buffer {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Writes an array as .npy (version 1.0, C order), atomically. */
export function writeNpy(file: string, data: NpyArray | Buffer, shape: number[], dtype: NpyDType): void {
  checkPath(file, 'writeNpy(): file');
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.byteLength !== n * SIZE[dtype]) throw invalidArgument(`writeNpy(${file}): ${data.byteLength} bytes do not fit shape [${shape}] of ${dtype}`);
  const w = new NpyWriter(file, dtype, shape.slice(1));
  w.append(bytesOf(data), shape[0] ?? 1);
  w.close();
}

/**
 * Streams rows into a .npy file: append rows, then close() writes the final shape into the
 * header (which reserves room for it) and renames the temporary file into place.
 */
export class NpyWriter {
  private readonly out: AtomicFile;
  private rows = 0;
  private readonly rowBytes: number;
  private static readonly HEADER = 128;

  /**
   * Starts `file` with rows of `rowShape` elements of `dtype`.
   * @param file the .npy file written (atomically, at close())
   * @param dtype the element type
   * @param rowShape the shape of one row (the array's shape less its first axis)
   */
  constructor(
    readonly file: string,
    readonly dtype: NpyDType,
    readonly rowShape: number[],
  ) {
    checkPath(file, 'NpyWriter: file');
    this.rowBytes = rowShape.reduce((a, b) => a * b, 1) * SIZE[dtype];
    this.out = new AtomicFile(file);
    this.out.write(headerBytes(dtype, [0, ...rowShape], NpyWriter.HEADER));
  }

  /** Appends `count` rows given as their raw bytes. */
  append(bytes: Uint8Array, count: number): void {
    if (bytes.byteLength !== count * this.rowBytes) throw invalidArgument(`${this.file}: ${bytes.byteLength} bytes are not ${count} rows of ${this.rowBytes} bytes`);
    this.out.write(bytes);
    this.rows += count;
  }

  /** Rows appended so far. */
  get rowCount(): number {
    return this.rows;
  }

  /** Patches the final shape into the header and renames the file into place. */
  close(): void {
    const shape = this.rowShape.length === 0 && this.rows === 1 ? [] : [this.rows, ...this.rowShape];
    const h = headerBytes(this.dtype, this.rowShape.length === 0 ? [this.rows] : shape, NpyWriter.HEADER);
    if (h.length !== NpyWriter.HEADER) throw invalidArgument(`npy header for shape [${shape}] does not fit the reserved ${NpyWriter.HEADER} bytes`);
    this.out.writeAt(h, 0);
    this.out.commit();
  }

  /** Abandons the file (the temporary is removed; the target is untouched). */
  abort(): void {
    this.out.abort();
  }
}
