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
  const n = length ?? (buf.byteLength - byteOffset) / SIZES[d];
  return new (ARRAY_TYPES[d] ?? Uint8Array)(buf, byteOffset, n) as TypedArrayFor<D>;
}

/** The dtype a TypedArray maps to by default. */
export function dtypeOfTypedArray(a: ArrayBufferView): DType {
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
  if (d === 'cpu' || d === 'cuda' || (typeof d === 'string' && /^cuda:\d+$/.test(d))) return d as Device;
  throw invalidArgument(`${argName} must be 'cpu', 'cuda' or 'cuda:N'; got ${describeValue(d)}`);
}

/**
 * Throws a `CUDA_UNAVAILABLE` error when `device` is a CUDA device and CUDA is not available;
 * `action` says what needed it ("cannot create a tensor on").
 */
export function requireDeviceAvailable(device: Device, action: string): void {
  if (device !== 'cpu' && !addon.cudaIsAvailable()) {
    throw hrmError('CUDA_UNAVAILABLE', `${action} '${device}': CUDA is not available in this build or on this machine (see \`hrm doctor\`)`);
  }
}
