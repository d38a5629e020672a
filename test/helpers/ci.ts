/**
 * What the tests may skip outside CI but must run under it (`CI` set, as .ci/run does): the
 * PyTorch reference (test/helpers/reference.ts) and the staged benchmark data
 * (test/helpers/shared-data.ts).
 */

/** Whether the tests run under CI. */
export const underCi = (): boolean => Boolean(process.env.CI);

/**
 * Returns `present`; when it is false under CI, throws `CI: <what> ...` instead, which fails the
 * test file that asked (a skip would let the run pass without the tests).
 */
export function requiredUnderCi(present: boolean, what: string): boolean {
  if (!present && underCi()) throw new Error(`CI: ${what}; the tests that need it must run in CI`);
  return present;
}
