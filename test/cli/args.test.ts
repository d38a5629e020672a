/** Command-line parsing: options, flags, key=value overrides, typed accessors and their errors. */
import { Options, parseArgs, rejectExtraWords } from '../../src/cli/args';
import { hasErrorCode } from '../../src/util/errors';
import { errorOf } from '../helpers/errors';

const options = (...argv: string[]) => new Options(parseArgs(argv).options);

describe('parseArgs', () => {
  test('--key value, --key=value, bare flags, --no-flag, positional words', () => {
    const a = parseArgs(['stats', '--data', 'd', '--seed=7', '--resume', '--threads', '2', '--no-adaptive', 'more', '--trace']);
    expect(a.positional).toEqual(['stats', 'more']);
    expect([...a.options]).toEqual([
      ['data', 'd'],
      ['seed', '7'],
      ['resume', true],
      ['threads', '2'],
      ['adaptive', false],
      ['trace', true],
    ]);
    expect(a.overrides).toEqual([]);
  });

  test('key=value words are overrides, in order, dotted keys and values with = kept', () => {
    const a = parseArgs(['--task', 'sudoku', 'lr=3e-4', 'arch.hiddenSize=128', 'name=a=b']);
    expect(a.options.get('task')).toBe('sudoku');
    expect(a.overrides).toEqual([
      ['lr', '3e-4'],
      ['arch.hiddenSize', '128'],
      ['name', 'a=b'],
    ]);
  });

  test('an option followed by an override or another option is a flag, not their value', () => {
    const a = parseArgs(['--resume', 'epochs=2', '--adaptive', '--data', 'x']);
    expect(a.options.get('resume')).toBe(true);
    expect(a.options.get('adaptive')).toBe(true);
    expect(a.options.get('data')).toBe('x');
    expect(a.overrides).toEqual([['epochs', '2']]);
  });
});

describe('Options', () => {
  test('strings, lists, numbers, ints and flags', () => {
    const o = options('--name', 'n', '--scaling', '1, 2,,4', '--lr', '0.5', '--steps', '3', '--resume', '--fast=false', '--one=1');
    expect(o.string('name')).toBe('n');
    expect(o.string('absent', 'fallback')).toBe('fallback');
    expect(o.list('scaling')).toEqual(['1', '2', '4']);
    expect(o.list('absent')).toEqual([]);
    expect(o.number('lr')).toBe(0.5);
    expect(o.int('steps')).toBe(3);
    expect(o.int('absent', 9)).toBe(9);
    expect(options('--steps', '1024').int('steps', undefined, { min: 1, max: 1024 })).toBe(1024);
    expect(o.flag('resume')).toBe(true);
    expect(o.flag('fast', true)).toBe(false);
    expect(o.flag('one')).toBe(true);
    expect(o.flag('absent')).toBe(false);
    expect(o.flag('absent', true)).toBe(true);
  });

  test('bad values are INVALID_ARGUMENT errors naming the option', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => options().requireString('task'), /--task is required/],
      [() => options('--data').string('data'), /--data needs a value/],
      [() => options('--lr', 'fast').number('lr'), /--lr must be a number, got "fast"/],
      [() => options('--steps', '1.5').int('steps'), /--steps must be an integer, got 1.5/],
      [() => options('--resume=maybe').flag('resume'), /--resume is a flag \(true\/false\), got "maybe"/],
      [() => options('--steps', '-1').int('steps', undefined, { min: 1, max: 1024 }), /^--steps must be an integer from 1 to 1024, got -1$/],
      [() => options('--steps', '1e9').int('steps', undefined, { min: 1, max: 1024 }), /^--steps must be an integer from 1 to 1024, got 1e9$/],
      [() => options('--puzzles', '1').int('puzzles', 100, { min: 2 }), /^--puzzles must be an integer >= 2, got 1$/],
      [() => options('--steps').int('steps'), /^--steps needs a number$/],
      [() => options('--steps=').int('steps'), /^--steps must be a number, got ""$/],
    ];
    for (const [fn, message] of cases) {
      const e = errorOf(fn);
      expect(hasErrorCode(e, 'INVALID_ARGUMENT')).toBe(true);
      expect(e).toBeInstanceOf(TypeError);
      expect((e as Error).message).toMatch(message);
    }
  });

  test('rejectUnknown names every option no accessor asked for, with the nearest one the command has', () => {
    const o = options('--data', 'd', '--bogus', '3', '--other');
    o.string('data');
    const e = errorOf(() => o.rejectUnknown('data maze'));
    expect(hasErrorCode(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as Error).message).toBe("data maze: unknown option(s) --bogus, --other; run 'hrm data maze --help' for its options");
    const near = options('--halt-max-step', '3');
    near.int('halt-max-steps');
    expect(errorOf(() => near.rejectUnknown('eval')).message).toBe("eval: unknown option(s) --halt-max-step (did you mean --halt-max-steps?); run 'hrm eval --help' for its options");
    const hinted = options('--epochs', '1');
    expect(errorOf(() => hinted.rejectUnknown('train', (k, v) => (k === 'epochs' ? `write ${k}=${v}` : undefined))).message).toBe('train: write epochs=1');
    const known = options('--data', 'd');
    known.string('data');
    expect(() => known.rejectUnknown('x')).not.toThrow();
  });
});

describe('rejectExtraWords', () => {
  test('positional words always, overrides unless the command takes them', () => {
    const withOverride = parseArgs(['lr=1']);
    expect(() => rejectExtraWords('hrm train', withOverride, true)).not.toThrow();
    expect(errorOf(() => rejectExtraWords('hrm eval', withOverride)).message).toBe('hrm eval: unexpected lr=1');
    const e = errorOf(() => rejectExtraWords('hrm train', parseArgs(['extra', 'lr=1']), true));
    expect(hasErrorCode(e, 'INVALID_ARGUMENT')).toBe(true);
    expect((e as Error).message).toBe('hrm train: unexpected extra');
  });
});

