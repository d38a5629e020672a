/**
 * Under CI (`CI` set, as .ci/run does) what the tests need must be there: a missing PyTorch
 * reference or benchmark data folder fails the test file instead of skipping it.
 */
import { requiredUnderCi } from './helpers/ci';
import { haveSharedData, sharedDataPath } from './helpers/shared-data';

const withCi = (value: string | undefined, fn: () => void) => {
  const saved = process.env.CI;
  if (value === undefined) delete process.env.CI;
  else process.env.CI = value;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  }
};

test('a missing data folder is a skip outside CI and a failure naming the folder under CI', () => {
  const missing = ['no-such-benchmark', 'train.csv'];
  withCi(undefined, () => expect(haveSharedData(...missing)).toBe(false));
  withCi('true', () => expect(() => haveSharedData(...missing)).toThrow(`CI: ${sharedDataPath(...missing)} is missing`));
});

test('what is present passes either way', () => {
  withCi('true', () => expect(requiredUnderCi(true, 'anything')).toBe(true));
  withCi(undefined, () => expect(requiredUnderCi(false, 'anything')).toBe(false));
  withCi('1', () => expect(() => requiredUnderCi(false, 'no Python with torch')).toThrow(/^CI: no Python with torch; the tests that need it must run in CI$/));
});
