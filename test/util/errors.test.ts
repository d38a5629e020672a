/** The one error factory (src/util/errors.ts): codes, classes, the code check, and the list the README documents. */
import * as fs from 'fs';
import * as path from 'path';
import { ERROR_CODES, corruptFile, hasErrorCode, hrmError, invalidArgument, invalidData } from '../../src/util/errors';
import * as subject from '../../src/util/errors';
import { expectInvalidArgument } from '../helpers/errors';

describe('factories', () => {
  test('each factory sets its code and class; INVALID_ARGUMENT errors are TypeErrors', () => {
    const arg = invalidArgument('shape must be an array');
    expect([arg instanceof TypeError, arg.code, arg.message]).toEqual([true, 'INVALID_ARGUMENT', 'shape must be an array']);
    const data = invalidData('row 3: bad cell');
    expect([data instanceof TypeError, data instanceof Error, data.code, data.message]).toEqual([false, true, 'INVALID_DATA', 'row 3: bad cell']);
    const file = corruptFile('/tmp/x.pt', 'no data.pkl');
    expect([file instanceof TypeError, file.code, file.message]).toEqual([false, 'CORRUPT_FILE', 'corrupt or truncated file /tmp/x.pt: no data.pkl']);
    for (const code of ERROR_CODES) {
      const e = hrmError(code, 'm');
      expect([code, e.code, e instanceof TypeError, e.message]).toEqual([code, code, code === 'INVALID_ARGUMENT', 'm']);
    }
  });
});

describe('hasErrorCode', () => {
  test('matches a given code, or any hrm-torch code when none is given', () => {
    const e = invalidData('x');
    expect(hasErrorCode(e, 'INVALID_DATA')).toBe(true);
    expect(hasErrorCode(e, 'CORRUPT_FILE')).toBe(false);
    expect(hasErrorCode(e)).toBe(true);
  });

  test('is false for other errors and non-errors: Node codes, plain errors, null, strings', () => {
    expect(hasErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe(false);
    expect(hasErrorCode(Object.assign(new Error('x'), { code: 'ENOENT' }), 'ENOENT' as never)).toBe(true); // an exact match is an exact match
    expect(hasErrorCode(new Error('x'))).toBe(false);
    expect(hasErrorCode(null)).toBe(false);
    expect(hasErrorCode(undefined, 'INVALID_DATA')).toBe(false);
    expect(hasErrorCode('INVALID_DATA')).toBe(false);
    expect(hasErrorCode({ code: 42 })).toBe(false);
  });
});

test("ERROR_CODES is exactly the README's table under ### Errors, in its order", () => {
  const readme = fs.readFileSync(path.resolve(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split(/^### Errors$/m)[1]?.split(/^#{1,3} /m)[0];
  expect(section).toBeDefined();
  const documented = [...section!.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
  expect(documented).toEqual([...ERROR_CODES]);
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('checkObject, checkArray, checkArrayLike, checkString and checkFiniteNumber return a good value and name a bad one', () => {
    const o = { a: 1 };
    expect(subject.checkObject(o, 'f(): opts')).toBe(o);
    expect(subject.checkArray([1], 'f(): xs')).toEqual([1]);
    expect(subject.checkArrayLike(new Int32Array(2), 'f(): grid')).toHaveLength(2);
    expect(subject.checkString('s', 'f(): name')).toBe('s');
    expect(subject.checkFiniteNumber(1.5, 'f(): x')).toBe(1.5);
    expectInvalidArgument(() => subject.checkObject(null, 'f(): opts'), 'f(): opts must be an object, got null');
    expectInvalidArgument(() => subject.checkObject([1], 'f(): opts', 'a config'), 'f(): opts must be a config, got an array of length 1');
    expectInvalidArgument(() => subject.checkArray('ab', 'f(): xs'), 'f(): xs must be an array, got string "ab"');
    expectInvalidArgument(() => subject.checkArrayLike(new DataView(new ArrayBuffer(2)), 'f(): grid'), 'f(): grid must be an array or a typed array, got a DataView');
    expectInvalidArgument(() => subject.checkString(3, 'f(): name'), 'f(): name must be a string, got number 3');
    expectInvalidArgument(() => subject.checkFiniteNumber(NaN, 'f(): x'), 'f(): x must be a finite number, got number NaN');
  });
});
