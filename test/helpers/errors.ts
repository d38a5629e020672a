/** Test helper: the error a function throws, for asserting on its code and message. */

/** Runs `f` and returns the error it throws; fails when it returns normally. */
export function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
