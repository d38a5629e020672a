/**
 * The check every public function taking a file or folder path makes first. Node's `fs` treats a
 * number as a file descriptor (`fs.readFileSync(0)` reads standard input and can block forever),
 * so a path that is not a non-empty string is an `INVALID_ARGUMENT` error naming the argument.
 * @module
 */
import { invalidArgument } from './errors';

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return x === '' ? 'an empty string' : 'string';
  if (typeof x === 'object') return (x as object).constructor?.name ?? 'an object';
  if (typeof x === 'number' || typeof x === 'bigint' || typeof x === 'boolean') return `${typeof x} ${String(x)}`;
  return typeof x;
}

/**
 * Returns `value` when it is a usable path: a non-empty string without NUL characters. Otherwise
 * throws `INVALID_ARGUMENT`: "`what` must be a path (a non-empty string), got ...".
 * @param value the argument as passed
 * @param what the function and argument, as the message names them: `loadSafetensors(): file`
 */
export function checkPath(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidArgument(`${what} must be a path (a non-empty string), got ${describe(value)}`);
  }
  if (value.includes('\0')) throw invalidArgument(`${what} must be a path, got a string with a NUL character`);
  return value;
}

/** {@link checkPath} for each path of a list (`what[i]` names the one that is wrong). */
export function checkPaths(values: unknown, what: string): string[] {
  if (!Array.isArray(values)) throw invalidArgument(`${what} must be an array of paths, got ${describe(values)}`);
  return values.map((v, i) => checkPath(v, `${what}[${i}]`));
}
