/**
 * Command-line arguments: `--key value`, `--key=value`, `--flag`, `--no-flag`, bare `key=value`
 * overrides, and positional words. Keys are kept as written (kebab-case), with camelCase lookups.
 * @module
 */
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | boolean>;
  /** bare key=value words, in order */
  overrides: [string, string][];
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | boolean>();
  const overrides: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
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
  return { positional, options, overrides };
}

export class ArgError extends Error {
  readonly code = 'INVALID_ARGUMENT';
}

/** Typed accessors that name the option in their errors. */
export class Options {
  private readonly used = new Set<string>();
  constructor(private readonly opts: Map<string, string | boolean>) {}

  private raw(key: string): string | boolean | undefined {
    this.used.add(key);
    return this.opts.get(key);
  }
  string(key: string, fallback?: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') throw new ArgError(`--${key} needs a value`);
    return v;
  }
  requireString(key: string): string {
    const v = this.string(key);
    if (v === undefined) throw new ArgError(`--${key} is required`);
    return v;
  }
  list(key: string): string[] {
    const v = this.string(key);
    return v === undefined ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
  }
  number(key: string, fallback?: number): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (typeof v === 'boolean' || !Number.isFinite(n)) throw new ArgError(`--${key} must be a number, got ${JSON.stringify(v)}`);
    return n;
  }
  int(key: string, fallback?: number): number | undefined {
    const n = this.number(key, fallback);
    if (n !== undefined && !Number.isInteger(n)) throw new ArgError(`--${key} must be an integer, got ${n}`);
    return n;
  }
  flag(key: string, fallback = false): boolean {
    const v = this.raw(key);
    if (v === undefined) return fallback;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw new ArgError(`--${key} is a flag (true/false), got ${JSON.stringify(v)}`);
  }
  /** Throws if an option was given that no accessor asked for. */
  rejectUnknown(command: string): void {
    const unknown = [...this.opts.keys()].filter((k) => !this.used.has(k));
    if (unknown.length) throw new ArgError(`${command}: unknown option(s) ${unknown.map((k) => `--${k}`).join(', ')}`);
  }
}
