/**
 * Data types and devices: names, libtorch codes, element sizes and the TypedArray each one reads
 * back into.
 * @module
 */
import { addon } from '../native';
import { describeValue, hrmError, invalidArgument } from '../util/errors';

export { invalidArgument };

/** The element types a tensor can hold. */
export type DType = 'float32' | 'float64' | 'bfloat16' | 'float16' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8' | 'int16';

/** Floating-point element types (the ones that can require gradients). */
export type FloatDType = 'float32' | 'float64' | 'bfloat16' | 'float16';

/** A device: the CPU, the current CUDA device, or a numbered one. */
export type Device = 'cpu' | 'cuda' | `cuda:${number}`;

/** The TypedArray a dtype reads back into (int64 -> BigInt64Array, half types -> their raw bits). */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int32'
      ? Int32Array
      : D extends 'int64'
        ? BigInt64Array
        : D extends 'bfloat16' | 'float16'
          ? Uint16Array
          : D extends 'int16'
            ? Int16Array
            : D extends 'int8'
              ? Int8Array
              : Uint8Array;

/** Any TypedArray a tensor reads back into. */
export type AnyTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint16Array
  | Int16Array
  | Int8Array
  | Uint8Array;

// c10::ScalarType values.
const CODES: Record<DType, number> = {
  uint8: 0,
  int8: 1,
  int16: 2,
  int32: 3,
  int64: 4,
  float16: 5,
  float32: 6,
  float64: 7,
  bool: 11,
  bfloat16: 15,
};

const BY_CODE: (DType | undefined)[] = [];
for (const [name, code] of Object.entries(CODES)) BY_CODE[code] = name as DType;

const SIZES: Record<DType, number> = {
  uint8: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
  bool: 1,
  bfloat16: 2,
};

/** Every dtype name. */
export const DTYPES = Object.keys(CODES) as DType[];

/** Whether `x` is a dtype name. */
export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(CODES, x);
}

/** libtorch's ScalarType code of a dtype; a named INVALID_ARGUMENT error for anything else. */
export function dtypeCode(d: DType, argName = 'dtype'): number {
  if (!isDType(d)) throw invalidArgument(`${argName} must be one of ${DTYPES.join(', ')}; got ${describeValue(d)}`);
  return CODES[d];
}

/** The dtype of a libtorch ScalarType code. */
export function dtypeFromCode(code: number): DType {
  const d = BY_CODE[code];
  if (!d) throw hrmError('NATIVE_ERROR', `hrm-torch: libtorch returned a tensor of an unsupported dtype (ScalarType ${code})`);
  return d;
}

/** Bytes per element. */
export function elementSize(d: DType): number {
  return SIZES[d];
}

/** Whether a dtype is floating point (can require gradients). */
export function isFloating(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64' || d === 'bfloat16' || d === 'float16';
}

// The TypedArray each dtype reads back into.
const ARRAY_TYPES: Record<DType, new (buf: ArrayBuffer, byteOffset: number, length: number) => AnyTypedArray> = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bfloat16: Uint16Array,
  float16: Uint16Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Wraps raw bytes of a dtype in the matching TypedArray (no copy). */
export function typedArrayOf<D extends DType>(d: D, buf: ArrayBuffer, byteOffset = 0, length?: number): TypedArrayFor<D> {
  dtypeCode(d, 'typedArrayOf(): dtype');
  if (!((buf as unknown) instanceof ArrayBuffer) && !(typeof SharedArrayBuffer !== 'undefined' && (buf as unknown) instanceof SharedArrayBuffer)) throw invalidArgument(`typedArrayOf(): buf must be an ArrayBuffer, got ${describeValue(buf)}`);
  if (typeof byteOffset !== 'number' || !Number.isSafeInteger(byteOffset) || byteOffset < 0) throw invalidArgument(`typedArrayOf(): byteOffset must be a non-negative integer, got ${describeValue(byteOffset)}`);
  if (length !== undefined && (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0)) throw invalidArgument(`typedArrayOf(): length must be a non-negative integer, got ${describeValue(length)}`);
  const n = length ?? (buf.byteLength - byteOffset) / SIZES[d];
  return new (ARRAY_TYPES[d] ?? Uint8Array)(buf, byteOffset, n) as TypedArrayFor<D>;
}

/** The dtype a TypedArray maps to by default. */
export function dtypeOfTypedArray(a: ArrayBufferView): DType {
  if (!ArrayBuffer.isView(a) || a instanceof DataView) throw invalidArgument(`dtypeOfTypedArray(): a must be a TypedArray, got ${describeValue(a)}`);
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) {
    throw invalidArgument('a Uint16Array is ambiguous: pass dtype "float16" or "bfloat16" explicitly');
  }
  throw invalidArgument(`unsupported TypedArray ${a.constructor.name}: use Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array, Int8Array or Int16Array`);
}

/** `d` as a Device, or a named INVALID_ARGUMENT error. */
export function checkDevice(d: unknown, argName = 'device'): Device {
  if (d === 'cpu' || d === 'cuda' || (typeof d === 'string' && /^cuda:(0|[1-9]\d{0,3})$/.test(d))) return d as Device;
  throw invalidArgument(`${argName} must be 'cpu', 'cuda' or 'cuda:N' (N a device index); got ${describeValue(d)}`);
}

/**
 * Throws a `CUDA_UNAVAILABLE` error when `device` is a CUDA device and CUDA is not available;
 * `action` says what needed it ("cannot create a tensor on").
 */
export function requireDeviceAvailable(device: Device, action: string): void {
  if (device === 'cpu') return;
  if (!addon.cudaIsAvailable()) {
    throw hrmError('CUDA_UNAVAILABLE', `${action} '${device}': CUDA is not available in this build or on this machine (see \`hrm doctor\`)`);
  }
  const index = device === 'cuda' ? 0 : Number(device.slice(5));
  const count = addon.cudaDeviceCount();
  if (index >= count) {
    throw hrmError('CUDA_UNAVAILABLE', `${action} '${device}': this machine has ${count} CUDA device${count === 1 ? '' : 's'} (cuda:0${count > 1 ? ` to cuda:${count - 1}` : ''})`);
  }
}

// ---------------------------------------------------------------- which values a dtype holds

// The integer dtypes' ranges (int64's upper bound 2^63 is exclusive: it is the first value past the end).
const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  bool: [0, 1],
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
};
const INT64_MIN = -(2 ** 63);
const INT64_END = 2 ** 63;
const BIG_RANGES: Partial<Record<DType, [bigint, bigint]>> = {
  bool: [0n, 1n],
  uint8: [0n, 255n],
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
// A finite number at or beyond this magnitude rounds to infinity in the float dtype: its largest
// finite value plus half a unit in the last place.
const FLOAT_OVERFLOW: Partial<Record<DType, number>> = {
  float16: 65520,
  bfloat16: 2 ** 128 * (1 - 2 ** -9),
  float32: 2 ** 128 * (1 - 2 ** -25),
  float64: Infinity,
};
const FLOAT_MAX: Partial<Record<DType, string>> = { float16: '65504', bfloat16: '3.3895e38', float32: '3.4028e38', float64: '1.7977e308' };

function numberTest(d: DType): (v: number) => boolean {
  if (d === 'int64') return (v) => Number.isInteger(v) && v >= INT64_MIN && v < INT64_END;
  const r = INT_RANGES[d];
  if (r) {
    const [lo, hi] = r;
    return (v) => Number.isInteger(v) && v >= lo && v <= hi;
  }
  const overflow = FLOAT_OVERFLOW[d]!;
  return (v) => !(Math.abs(v) >= overflow) || !Number.isFinite(v); // NaN and the infinities are float values
}
const NUMBER_TESTS = Object.fromEntries(DTYPES.map((d) => [d, numberTest(d)])) as Record<DType, (v: number) => boolean>;

/**
 * The test of whether a JS number is a value of dtype `d`, for loops over many values: for the
 * integer dtypes an integer within range (no truncation, no wrap-around, no NaN); for bool 0 or
 * 1; for the float dtypes anything but a finite number so large it would round to infinity
 * (NaN and the infinities are float values; rounding to the nearest float is not an error).
 * The one rule behind every "does this value fit" check of the SDK (see {@link valueFits}).
 */
export function numberFitsIn(d: DType): (v: number) => boolean {
  const test = NUMBER_TESTS[d];
  if (!test) throw invalidArgument(`dtype must be one of ${DTYPES.join(', ')}; got ${describeValue(d)}`);
  return test;
}

/** Whether a JS value (number, boolean or bigint) is a value of dtype `d`; booleans are 0 and 1 in every dtype. */
export function valueFits(v: unknown, d: DType): boolean {
  if (typeof v === 'number') return numberFitsIn(d)(v);
  if (typeof v === 'boolean') return true;
  if (typeof v === 'bigint') {
    const r = BIG_RANGES[d];
    return r ? v >= r[0] && v <= r[1] : numberFitsIn(d)(Number(v)) && Number.isFinite(Number(v));
  }
  return false;
}

/** What dtype `d` holds, in words, for messages ("integers from 0 to 255"). */
export function dtypeValues(d: DType): string {
  if (d === 'bool') return 'true and false (or 0 and 1)';
  if (d === 'int64') return 'integers from -2^63 to 2^63-1';
  const r = INT_RANGES[d];
  if (r) return `integers from ${r[0]} to ${r[1]}`;
  return `numbers up to \u00b1${FLOAT_MAX[d]}, NaN and \u00b1Infinity`;
}

/**
 * The INVALID_ARGUMENT error for a value that is not one of dtype `d`'s, or for a value that is
 * not a number, boolean or bigint at all; `where` names it (`"full(): value"`, `"tensor(): data[0][2]"`).
 */
export function valueError(v: unknown, d: DType, where: string): Error {
  if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
    return invalidArgument(`${where} must be a number, boolean or bigint, got ${describeValue(v)}`);
  }
  const text = typeof v === 'bigint' ? `${v}n` : String(v);
  return invalidArgument(`${where} is ${text}, which ${d} cannot hold (${d} holds ${dtypeValues(d)})`);
}

/** Throws {@link valueError} unless `v` is a value of dtype `d`. */
export function checkValueFits(v: unknown, d: DType, where: string): void {
  if (!valueFits(v, d)) throw valueError(v, d, where);
}

/**
 * Whether every value of dtype `from` is also a value of dtype `to`, so a cast needs no
 * per-element check (int16 to float32 yes; float32 to int32, int32 to float16 or uint8 to bool no).
 */
export function castAlwaysFits(from: DType, to: DType): boolean {
  dtypeCode(from, 'castAlwaysFits(): from');
  dtypeCode(to, 'castAlwaysFits(): to');
  if (from === to || to === 'float64') return true;
  if (isFloating(from)) return false;
  if (to === 'bool') return false;
  const [lo, hi] = from === 'int64' ? [INT64_MIN, INT64_END - 1] : INT_RANGES[from]!;
  const r = INT_RANGES[to];
  if (r) return lo >= r[0] && hi <= r[1];
  if (to === 'int64') return true;
  return Math.max(-lo, hi) < FLOAT_OVERFLOW[to]!;
}
