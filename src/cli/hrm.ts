#!/usr/bin/env node
/**
 * The `hrm` command line: finds the command, prints usage and the version, and turns errors into
 * messages and exit codes (2 for a bad argument, 1 otherwise). Each command lives in its own file.
 * @module
 */
import { hasErrorCode, invalidArgument } from '../util/errors';
import { didYouMean } from '../util/suggest';
import { Options, parseArgs } from './args';
import { Command, packageVersion } from './common';
import { DATA_VIEW_HELP, dataStats, dataUsage, dataView } from './data';

// Loaded on demand, so that `hrm --help` or `hrm data` never pulls in the training stack.
const COMMANDS = new Map<string, () => Promise<Command>>([
  ['doctor', async () => (await import('./doctor')).doctorCommand],
  ['train', async () => (await import('./train')).trainCommand],
  ['eval', async () => (await import('./eval')).evalCommand],
  ['solve', async () => (await import('./solve')).solveCommand],
  ['viz', async () => (await import('./viz')).vizCommand],
  ['analyze', async () => (await import('./analyze')).analyzeCommand],
  ['ablate', async () => (await import('./ablate')).ablateCommand],
  ['launch', async () => (await import('./launch')).launchCommand],
]);

function usage(): number {
  console.log(`usage: hrm <command>

commands:
  doctor [--trace]   libtorch path and version, C++ ABI, CUDA, threads; the search trace on failure
  data <command>     build datasets (sudoku, maze, arc, custom), describe them (stats), draw them (view)
  train              train an HRM (--task sudoku|maze|arc|custom --data DIR [--preset cpu|full] [key=value ...])
  eval               evaluate a checkpoint (accuracy, halting, inference-time scaling, ARC voting)
  solve              solve one puzzle with a checkpoint, step by step
  viz                the first puzzles of a dataset through a checkpoint, step by step, on one page
  analyze pr         participation ratio of z_H and z_L, trained vs untrained
  ablate             the same data, budget and seeds for HRM, its ablations and TRM: a table
  launch             run a command as N data-parallel ranks (--nproc-per-node N -- <command...>)
  demo               an HRM learns 4x4 Sudoku from scratch on the CPU (minutes)
  example <name>     the runnable examples: sudoku, maze, arc, custom, addition ('hrm example --help')

run 'hrm <command> --help' for its options; 'hrm --version' prints the version`);
  return 0;
}

/** `hrm data <builder|stats|view>`: the builders are loaded only when one is asked for. */
async function data(argv: string[]): Promise<number> {
  const sub = argv[0];
  const { positional, options } = parseArgs(argv.slice(1));
  if (!sub || sub === 'help' || sub === '--help') {
    console.log(dataUsage());
    return 0;
  }
  if (sub === 'stats') {
    if (!positional[0]) throw invalidArgument('hrm data stats <dir>: the dataset folder is missing');
    console.log(dataStats(positional[0]));
    return 0;
  }
  if (sub === 'view') {
    if (options.get('help') || positional.includes('-h')) {
      console.log(DATA_VIEW_HELP);
      return 0;
    }
    console.log(`dataset page: ${await dataView(positional, new Options(options))}`);
    return 0;
  }
  const builders = await import('./data-builders');
  if (!builders.DATA_COMMANDS[sub]) throw invalidArgument(`hrm data: unknown command '${sub}'${didYouMean(sub, [...Object.keys(builders.DATA_COMMANDS), 'stats', 'view'])}\n\n${dataUsage()}`);
  if (options.get('help') || positional.includes('-h')) {
    console.log(builders.DATA_HELP[sub]);
    return 0;
  }
  return builders.runDataBuild(sub, options, positional); // in a worker thread, so that Ctrl-C can stop it
}

async function main(argv: string[]): Promise<number> {
  const name = argv[0];
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') return usage();
  if (name === '-v' || name === '--version' || name === 'version') {
    console.log(packageVersion());
    return 0;
  }
  if (name === 'data') return data(argv.slice(1));
  if (name === 'example' || name === 'demo') return (await import('./example')).exampleCommand(name, argv.slice(1));
  const load = COMMANDS.get(name);
  if (!load) {
    console.error(`hrm: unknown command '${name}'${didYouMean(name, [...COMMANDS.keys(), 'data'])}\n`);
    usage();
    return 2;
  }
  const command = await load();
  const args = parseArgs(argv.slice(1));
  if (args.options.get('help') || args.positional.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  return command.run(args);
}

// Errors a user causes and can fix from the message alone: no stack, even with HRM_DEBUG.
const userCaused = (e: unknown) =>
  hasErrorCode(e, 'INVALID_ARGUMENT') || hasErrorCode(e, 'INVALID_DATA') || hasErrorCode(e, 'CORRUPT_FILE') || hasErrorCode(e, 'STATE_DICT_MISMATCH') || hasErrorCode(e, 'CUDA_UNAVAILABLE') || hasErrorCode(e, 'BACKEND_UNAVAILABLE') || (e as { code?: unknown } | null)?.code === 'ENOENT';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error) => {
    console.error(`hrm: ${e.message}`);
    if (process.env.HRM_DEBUG && !userCaused(e)) console.error(e.stack);
    process.exitCode = hasErrorCode(e, 'INVALID_ARGUMENT') ? 2 : 1;
  },
);
