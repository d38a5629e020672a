/**
 * The benchmarks' command line: flags read in order by their handlers, and the flags every
 * side-by-side benchmark takes.
 */

/** Prints a benchmark's usage on stderr and exits with status 2. */
export function exitWithUsage(text: string): never {
  console.error(text);
  process.exit(2);
}

/** The argument after a flag, as its handler reads it (each read prints the usage when it is missing or wrong). */
export interface FlagValue {
  /** the flag as given, e.g. `--threads` */
  readonly name: string;
  /** the next argument as it is */
  string(): string;
  /** the next argument as a number above 0 */
  positive(): number;
  /** the next argument as an integer above 0 */
  positiveInteger(): number;
  /** the next argument as a comma-separated list, every item one of `allowed` */
  list(allowed: string[]): string[];
}

/** What each flag does, by flag (`--help` and `-h` always print the usage). */
export type FlagHandlers = Record<string, (value: FlagValue) => void>;

/** Runs the handler of every flag in `argv`, in order; an unknown flag prints the usage. */
export function parseFlags(argv: string[], handlers: FlagHandlers, usage: () => never): void {
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === '--help' || name === '-h') usage();
    const handler = Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
    if (!handler) {
      console.error(`unknown argument ${name}`);
      usage();
    }
    const next = () => argv[++i] ?? usage();
    const positive = (integer: boolean): number => {
      const v = argv[++i];
      const n = Number(v);
      if (v === undefined || !(integer ? Number.isInteger(n) : Number.isFinite(n)) || n <= 0) {
        console.error(`${name} needs a positive ${integer ? 'integer' : 'number'}`);
        usage();
      }
      return n;
    };
    const list = (allowed: string[]) => {
      const items = next().split(',').filter(Boolean);
      for (const item of items) if (!allowed.includes(item)) usage();
      return items;
    };
    handler({ name, string: next, positive: () => positive(false), positiveInteger: () => positive(true), list });
  }
}

/** The options of a side-by-side benchmark (the SDK and a PyTorch child in the same run). */
export interface SideBySideOptions {
  /** fewer, shorter repetitions */
  quick: boolean;
  /** intra-op threads on both sides */
  threads: number;
  /** where to write the JSON report */
  json?: string;
  /** the workload or configuration ids to run (all when absent) */
  only?: string[];
  /** --python as given; resolvePython() supplies the default */
  python?: string;
}

/** The handlers of --quick, --threads N, --json FILE, --only id,id (ids from `ids`) and --python PATH. */
export function sideBySideFlags(o: SideBySideOptions, ids: string[]): FlagHandlers {
  return {
    '--quick': () => (o.quick = true),
    '--threads': (v) => (o.threads = Math.floor(v.positive())),
    '--json': (v) => (o.json = v.string()),
    '--only': (v) => (o.only = v.list(ids)),
    '--python': (v) => (o.python = v.string()),
  };
}
