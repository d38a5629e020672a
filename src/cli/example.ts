/**
 * `hrm demo` and `hrm example <name>`: the runnable examples shipped with the package (compiled
 * into dist/examples; they import the package by its name, as your code would), each run in a
 * child process with the words given after its name.
 * @module
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { packageRoot } from '../native';
import { invalidArgument } from '../util/errors';
import { Options, parseArgs } from './args';

/** One example: its compiled file, what it does, the words it takes, where it writes. */
interface Example {
  file: string;
  what: string;
  /** the words it takes after its name, and what they are (none when absent) */
  args?: string;
  argsHelp?: string;
  /** the variable naming its output folder, and that folder's default (relative to the working folder) */
  outputVar?: string;
  output?: string;
}

const EXAMPLES: Record<string, Example> = {
  demo: {
    file: 'demo.js',
    what: 'an HRM learns 4x4 Sudoku from scratch, then solves a held-out puzzle (CPU, about 7 minutes on 2 cores)',
    outputVar: 'DEMO_DIR',
    output: 'runs/demo',
  },
  sudoku: {
    file: 'sudoku/main.js',
    what: '6x6 Sudoku (generated puzzles, 18 of 36 cells given) or your CSVs: train, evaluate held out, solve one (CPU, minutes)',
    args: '[train.csv test.csv]',
    argsHelp: 'your puzzles instead of generated ones: CSVs with source,question,answer,rating (the reference schema)',
    outputVar: 'EXAMPLE_DIR',
    output: 'runs/example-sudoku',
  },
  maze: {
    file: 'maze/main.js',
    what: 'generated 6x6 mazes that need search, or Maze-Hard CSVs: train, evaluate, draw the path found in a new maze (CPU, minutes)',
    args: '[train.csv test.csv]',
    argsHelp: 'Maze-Hard CSVs instead of generated mazes (30x30: a GPU run, `hrm train --task maze --preset full`)',
    outputVar: 'EXAMPLE_DIR',
    output: 'runs/example-maze',
  },
  arc: {
    file: 'arc/main.js',
    what: 'ARC-AGI-1 tasks that fit a 10x10 canvas: build, train on one CPU thread, pass@1 / pass@2 by voting',
    args: '<folder> [more folders]',
    argsHelp: 'each holding training/ and evaluation/ task JSONs (ARC-AGI-1: the data/ folder of github.com/fchollet/ARC-AGI)',
    outputVar: 'EXAMPLE_DIR',
    output: 'runs/example-arc',
  },
  custom: {
    file: 'custom/main.js',
    what: 'your own task, shown on sorting 8 digits: JSONL -> the custom builder (with an augmentation) -> train, evaluate held out, sort one (CPU, minutes)',
    outputVar: 'EXAMPLE_DIR',
    output: 'runs/example-custom',
  },
  addition: {
    file: 'autograd-addition.js',
    what: 'tensors and autograd only: a small network learns binary addition (seconds)',
  },
};

/** `hrm example --help`: every example. */
function listHelp(): string {
  const names = Object.keys(EXAMPLES).filter((n) => n !== 'demo');
  return [
    `hrm example <${names.join('|')}> [args] [--output DIR]`,
    'hrm demo [--output DIR]',
    '  Runs one of the examples shipped with hrm-torch (its source is in the package, dist/examples/).',
    '',
    ...Object.entries(EXAMPLES).map(([name, e]) => `  ${(name === 'demo' ? 'demo' : `example ${name}`).padEnd(17)} ${e.what}`),
    '',
    "run 'hrm example <name> --help' for its arguments",
  ].join('\n');
}

/** `hrm example <name> --help`. */
function exampleHelp(name: string, e: Example): string {
  const command = name === 'demo' ? 'hrm demo' : `hrm example ${name}`;
  const lines = [`${command}${e.args ? ` ${e.args}` : ''}${e.output ? ' [--output DIR]' : ''}`, `  ${e.what}.`];
  if (e.args) lines.push(`  ${e.args}: ${e.argsHelp}.`);
  if (e.output) lines.push(`  --output DIR   where the data, checkpoints and report.html go (default ${e.output}, in the current folder).`);
  lines.push(`  Source: ${path.join(packageRoot, 'dist', 'examples', e.file)}`);
  return lines.join('\n');
}

/** Runs `file` with node and `args` in the foreground; resolves to its exit code. Ctrl-C reaches the example (training checkpoints on it) and this process waits for it. */
function runNode(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => () => {
      if (signal !== 'SIGINT') child.kill(signal); // the terminal sends SIGINT to the example itself
    };
    const handlers = (['SIGINT', 'SIGTERM'] as const).map((s) => [s, forward(s)] as const);
    for (const [s, h] of handlers) process.on(s, h);
    const done = () => {
      for (const [s, h] of handlers) process.off(s, h);
    };
    child.on('error', (e) => {
      done();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      done();
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}

/**
 * `hrm example <name> [args]` (`command` 'example') or `hrm demo` (`command` 'demo'): prints the
 * help, or runs the example and resolves to its exit code.
 */
export async function exampleCommand(command: 'example' | 'demo', argv: string[]): Promise<number> {
  const words = command === 'demo' ? ['demo', ...argv] : argv;
  const name = words[0];
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(listHelp());
    return 0;
  }
  const e = Object.prototype.hasOwnProperty.call(EXAMPLES, name) ? EXAMPLES[name] : undefined;
  if (!e) {
    throw invalidArgument(`hrm example: unknown example '${name}' (expected one of ${Object.keys(EXAMPLES).join(', ')})\n\n${listHelp()}`);
  }
  const args = parseArgs(words.slice(1));
  const o = new Options(args.options);
  if (o.flag('help')) {
    console.log(exampleHelp(name, e));
    return 0;
  }
  const output = e.output ? o.string('output') : undefined;
  o.rejectUnknown(command === 'demo' ? 'hrm demo' : `hrm example ${name}`);
  if (args.overrides.length) throw invalidArgument(`hrm example ${name}: unexpected ${args.overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (!e.args && args.positional.length) throw invalidArgument(`${command === 'demo' ? 'hrm demo' : `hrm example ${name}`}: takes no arguments, got ${args.positional.join(' ')}`);
  const file = path.join(packageRoot, 'dist', 'examples', e.file);
  if (!fs.existsSync(file)) throw invalidArgument(`hrm example ${name}: ${file} is missing (in a checkout of hrm-torch, build it with 'npm run build:ts')`);
  const env = { ...process.env };
  if (output !== undefined && e.outputVar) env[e.outputVar] = output;
  return runNode(file, args.positional, env);
}
