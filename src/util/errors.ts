/**
 * Every error hrm-torch raises on purpose is made here, with a code from one list, so callers
 * can branch on `e.code` and the README can document exactly these codes.
 * @module
 */

/**
 * The codes an hrm-torch error carries in `e.code`:
 * - `INVALID_ARGUMENT`: the caller passed a bad value (shape, dtype, device, option, CLI flag).
 * - `INVALID_DATA`: input data is well-formed as a file but wrong as content (a CSV cell, a maze, a puzzle).
 * - `CORRUPT_FILE`: a file is truncated, damaged or not of the expected format, or refused because
 *   reading it would mean running code it names (a pickle naming a function).
 * - `STATE_DICT_MISMATCH`: a state dict's keys or shapes do not fit the module it is loaded into.
 * - `TENSOR_DISPOSED`: a tensor was used after `dispose()` (or after its scope ended).
 * - `CUDA_UNAVAILABLE`: a CUDA device was asked for where none is available.
 * - `OUT_OF_MEMORY`: an allocator (CPU or CUDA) could not allocate.
 * - `TORCH_ERROR`: libtorch raised an error; its message is kept.
 * - `NATIVE_ERROR`: the native addon failed outside libtorch (a C++ exception of another kind).
 * - `ADDON_UNAVAILABLE`: the native addon is not built, or could not be loaded.
 * - `BACKEND_UNAVAILABLE`: a process-group backend (gloo, nccl) is not compiled into the addon.
 * - `DISTRIBUTED_ERROR`: a rendezvous or collective failed: a peer exited, or did not answer
 *   within the timeout; the process group is unusable afterwards.
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_DATA',
  'CORRUPT_FILE',
  'STATE_DICT_MISMATCH',
  'TENSOR_DISPOSED',
  'CUDA_UNAVAILABLE',
  'OUT_OF_MEMORY',
  'TORCH_ERROR',
  'NATIVE_ERROR',
  'ADDON_UNAVAILABLE',
  'BACKEND_UNAVAILABLE',
  'DISTRIBUTED_ERROR',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An Error (or TypeError, for bad arguments) with one of the {@link ErrorCode}s. */
export type HrmError<E extends Error = Error> = E & {
  /** what kind of error it is: one of {@link ERROR_CODES} */
  code: ErrorCode;
};

/** Makes an error with a code; `INVALID_ARGUMENT` errors are TypeErrors, as JS's own are. */
export function hrmError(code: ErrorCode, message: string): HrmError {
  const e = code === 'INVALID_ARGUMENT' ? new TypeError(message) : new Error(message);
  return Object.assign(e, { code });
}

/** True when `e` is an error carrying `code` (or any hrm-torch code when none is given). */
export function hasErrorCode(e: unknown, code?: ErrorCode): e is HrmError {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && (code === undefined ? (ERROR_CODES as readonly string[]).includes(c) : c === code);
}

/** The caller passed a bad value: a TypeError with code `INVALID_ARGUMENT`. */
export function invalidArgument(message: string): HrmError<TypeError> {
  return hrmError('INVALID_ARGUMENT', message) as HrmError<TypeError>;
}

/** Data content is wrong (a CSV cell, a grid): code `INVALID_DATA`, naming where. */
export function invalidData(message: string): HrmError {
  return hrmError('INVALID_DATA', message);
}

/** A file is damaged or of the wrong format: code `CORRUPT_FILE`, naming the file. */
export function corruptFile(file: string, what: string): HrmError {
  return hrmError('CORRUPT_FILE', `corrupt or truncated file ${file}: ${what}`);
}

/**
 * A file is refused (well-formed, perhaps, but not something hrm-torch will read, such as a pickle
 * that names code): code `CORRUPT_FILE`, naming the file and why.
 */
export function refusedFile(file: string, why: string): HrmError {
  return hrmError('CORRUPT_FILE', `refused file ${file}: ${why}`);
}

/**
 * A value as an error message shows it: its type and, for primitives, the value itself
 * (`number 1.5`, `string "tpu"`, `bigint 5n`, `undefined`, `an array of length 3`, `a Tensor`).
 */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  switch (typeof x) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'boolean':
      return `${typeof x} ${String(x)}`;
    case 'bigint':
      return `bigint ${x}n`;
    case 'string':
      return `string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}...` : x)}`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default: {
      if (Array.isArray(x)) return `an array of length ${x.length}`;
      const name = (x as object).constructor?.name;
      return name && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}

/** Returns `fn` when it is a function; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkFunction<F>(fn: F, what: string): F {
  if (typeof fn !== 'function') throw invalidArgument(`${what} must be a function, got ${describeValue(fn)}`);
  return fn;
}

/**
 * Returns `x` when it is an object (not null, not an array, not a function); otherwise
 * `INVALID_ARGUMENT`: "`what` must be `expected`, got ...". For options, configs and records.
 */
export function checkObject<T extends object>(x: unknown, what: string, expected = 'an object'): T {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw invalidArgument(`${what} must be ${expected}, got ${describeValue(x)}`);
  return x as T;
}

/** Returns `x` when it is an array; otherwise `INVALID_ARGUMENT` naming `what`, `expected` and the value. */
export function checkArray<T>(x: unknown, what: string, expected = 'an array'): T[] {
  if (!Array.isArray(x)) throw invalidArgument(`${what} must be ${expected}, got ${describeValue(x)}`);
  return x as T[];
}

/** Returns `x` when it is a string; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkString(x: unknown, what: string): string {
  if (typeof x !== 'string') throw invalidArgument(`${what} must be a string, got ${describeValue(x)}`);
  return x;
}

/** Returns `x` when it is a finite number; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkFiniteNumber(x: unknown, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidArgument(`${what} must be a finite number, got ${describeValue(x)}`);
  return x;
}

/** Returns `x` when it is an array or a typed array; otherwise `INVALID_ARGUMENT` naming `what` and the value. */
export function checkArrayLike<T = number>(x: unknown, what: string, expected = 'an array or a typed array'): ArrayLike<T> {
  if (!Array.isArray(x) && !(ArrayBuffer.isView(x) && !(x instanceof DataView))) throw invalidArgument(`${what} must be ${expected}, got ${describeValue(x)}`);
  return x as ArrayLike<T>;
}
