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

/**
 * Runs `f` and asserts it throws an `INVALID_ARGUMENT` error whose message contains `message`
 * (a string) or matches it (a RegExp): for checks that a bad argument is named in the message.
 */
export function expectInvalidArgument(f: () => unknown, message: string | RegExp): void {
  const e = errorOf(f) as Error & { code?: unknown };
  expect({ code: e.code, message: e.message }).toEqual({ code: 'INVALID_ARGUMENT', message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) });
}
