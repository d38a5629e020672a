/**
 * Command-line arguments: `--key value`, `--key=value`, `--flag`, `--no-flag`, bare `key=value`
 * overrides, and positional words. Keys are kept as written (kebab-case).
 * @module
 */
import { invalidArgument } from '../util/errors';
import { didYouMean } from '../util/suggest';

/** A command line split into positional words, `--options` and bare `key=value` overrides. */
export interface ParsedArgs {
  /** words that are neither options nor overrides, in order */
  positional: string[];
  /** `--key value` / `--key=value` as strings, `--flag` as true, `--no-flag` as false */
  options: Map<string, string | boolean>;
  /** bare key=value words, in order */
  overrides: [string, string][];
  /** the words after a bare `--`, verbatim (a command line for `hrm launch` to run) */
  rest: string[];
}

/** Splits `argv` (the words after the command) into {@link ParsedArgs}. */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | boolean>();
  const overrides: [string, string][] = [];
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      if (eq >= 0) options.set(body.slice(0, eq), body.slice(eq + 1));
      else if (body.startsWith('no-')) options.set(body.slice(3), false);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--') && !/^[A-Za-z_][\w.]*=/.test(argv[i + 1])) options.set(body, argv[++i]);
      else options.set(body, true);
    } else if (/^[A-Za-z_][\w.]*=/.test(a)) {
      const eq = a.indexOf('=');
      overrides.push([a.slice(0, eq), a.slice(eq + 1)]);
    } else positional.push(a);
  }
  return { positional, options, overrides, rest };
}

/** Throws if the command line has positional words, or `key=value` overrides unless the command takes them. */
export function rejectExtraWords(command: string, args: ParsedArgs, takesOverrides = false): void {
  const extra = [...args.positional, ...(takesOverrides ? [] : args.overrides.map(([k, v]) => `${k}=${v}`)), ...(args.rest.length ? ['--', ...args.rest] : [])];
  if (extra.length) throw invalidArgument(`${command}: unexpected ${extra.join(' ')}`);
}

/** Typed accessors that name the option in their errors. */
export class Options {
  private readonly used = new Set<string>();
  /** Wraps parsed `--options` (from {@link parseArgs}). */
  constructor(private readonly opts: Map<string, string | boolean>) {}

  private raw(key: string): string | boolean | undefined {
    this.used.add(key);
    return this.opts.get(key);
  }
  /** The option's string value (`fallback` when absent); a bare flag is an error. */
  string(key: string, fallback?: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') throw invalidArgument(`--${key} needs a value`);
    return v;
  }
  /** The option's string value; an error when absent. */
  requireString(key: string): string {
    const v = this.string(key);
    if (v === undefined) throw invalidArgument(`--${key} is required`);
    return v;
  }
  /** A comma-separated option as a list of trimmed, non-empty strings ([] when absent). */
  list(key: string): string[] {
    const v = this.string(key);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
  }
  /** The option as a finite number (`fallback` when absent). */
  number(key: string, fallback?: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') throw invalidArgument(`--${key} needs a number`);
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw invalidArgument(`--${key} must be a number, got ${JSON.stringify(v)}`);
    return n;
  }
  /**
   * The option as an integer (`fallback` when absent), within `range` when given: an error names
   * the option, the value and the range ("--steps must be an integer from 1 to 1024, got -1").
   */
  int(key: string, fallback?: number, range: IntRange = {}): number | undefined {
    const n = this.number(key, fallback);
    if (n === undefined) return n;
    const { min = -Infinity, max = Infinity } = range;
    if (!Number.isInteger(n) || n < min || n > max) throw invalidArgument(`--${key} must be ${describeRange(range)}, got ${this.opts.get(key) ?? n}`);
    return n;
  }
  /** A flag: `--x`, `--no-x`, `--x=true|false|1|0` (`fallback` when absent). */
  flag(key: string, fallback = false): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalidArgument(`--${key} is a flag (true/false), got ${JSON.stringify(v)}`);
  }
  /**
   * Throws if an option was given that no accessor asked for, naming it with the nearest option
   * the command has; `hint` may explain an unknown option instead (e.g. a setting given as a flag).
   */
  rejectUnknown(command: string, hint?: (key: string, value: string | boolean) => string | undefined): void {
    const unknown = [...this.opts.keys()].filter((k) => !this.used.has(k));
    if (!unknown.length) return;
    for (const k of unknown) {
      const explained = hint?.(k, this.opts.get(k)!);
      if (explained) throw invalidArgument(`${command}: ${explained}`);
    }
    const named = unknown.map((k) => `--${k}${didYouMean(k, this.used, (n) => `--${n}`)}`);
    throw invalidArgument(`${command}: unknown option(s) ${named.join(', ')}; run 'hrm ${command} --help' for its options`);
  }
}

/** Bounds of an integer option (inclusive). */
export interface IntRange {
  /** the smallest value allowed */
  min?: number;
  /** the largest value allowed */
  max?: number;
}

/** "an integer from 1 to 1024", "an integer >= 2", "an integer". */
export function describeRange({ min, max }: IntRange): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer >= ${min}`;
  if (max !== undefined) return `an integer <= ${max}`;
  return 'an integer';
}
