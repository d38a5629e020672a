#!/usr/bin/env node
/**
 * The `hrm` command line. `hrm doctor` reports the libtorch found and the addon's state.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { addonPath, buildRecord, native, packageRoot } from '../native';
import { torchVersionOf } from '../util/version';
import { ArgError, Options, parseArgs } from './args';
import { dataStats, dataUsage } from './data';

function doctor(): number {
  const lines: string[] = [];
  const put = (k: string, v: unknown) => lines.push(`${k.padEnd(22)} ${v}`);
  const rec = buildRecord();
  put('hrm-torch', JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version);
  put('node', `${process.version} (N-API ${process.versions.napi})`);
  put('addon', addonPath() ?? 'not built');
  if (process.env.HRM_TORCH_ADDON) put('HRM_TORCH_ADDON', process.env.HRM_TORCH_ADDON);
  put('libtorch (built)', `${rec.version ?? rec.torchVersion ?? '?'} from ${rec.source ?? '?'}`);
  put('libtorch lib folder', rec.libtorchDir ?? '?');
  let ok = true;
  try {
    const n = native();
    const b = n.buildInfo();
    const runtime = torchVersionOf(b.runtimeConfig);
    put('libtorch (compiled)', b.torchVersion);
    put('libtorch (loaded)', runtime ?? '?');
    put('C++11 ABI', b.cxx11Abi);
    put('CUDA built', b.builtWithCuda);
    put('CUDA available', n.cudaIsAvailable());
    put('CUDA devices', n.cudaDeviceCount());
    put('intra-op threads', n.getNumThreads());
    put('inter-op threads', n.getNumInteropThreads());
    put('python for tests', rec.python ?? 'none recorded');
  } catch (e) {
    ok = false;
    put('load', `FAILED: ${(e as Error).message}`);
  }
  console.log(lines.join('\n'));
  if (!ok || process.argv.includes('--trace')) {
    console.log('\nlibtorch search trace (at build time):');
    for (const t of rec.trace ?? ['(no record: the addon was never built)']) console.log(`  - ${t}`);
  }
  return ok ? 0 : 1;
}

function usage(): number {
  console.log(`usage: hrm <command>

commands:
  doctor [--trace]   libtorch path and version, C++ ABI, CUDA, threads; the search trace on failure
  data <command>     build datasets (sudoku, maze, arc) and describe them (stats)
  train              train an HRM (--task sudoku|maze|arc --data DIR [--preset cpu|full] [key=value ...])
  eval               evaluate a checkpoint (accuracy, halting, inference-time scaling, ARC voting)
  solve              solve one puzzle with a checkpoint, step by step

run 'hrm <command> --help' for its options`);
  return 0;
}

async function data(argv: string[]): Promise<number> {
  const sub = argv[0];
  const { positional, options } = parseArgs(argv.slice(1));
  const opts = new Options(options);
  if (!sub || sub === 'help' || sub === '--help') {
    console.log(dataUsage());
    return 0;
  }
  if (sub === 'stats') {
    if (!positional[0]) throw new ArgError('hrm data stats <dir>: the dataset folder is missing');
    console.log(dataStats(positional[0]));
    return 0;
  }
  const builders = await import('./data-builders');
  const cmd = builders.DATA_COMMANDS[sub];
  if (!cmd) throw new ArgError(`hrm data: unknown command '${sub}'\n\n${dataUsage()}`);
  if (options.get('help')) {
    console.log(builders.DATA_HELP[sub]);
    return 0;
  }
  return cmd(opts, positional);
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  switch (cmd) {
    case 'doctor':
      return doctor();
    case 'data':
      return data(argv.slice(1));
    case 'train':
    case 'eval':
    case 'solve': {
      const t = await import('./train');
      const { positional, options, overrides } = parseArgs(argv.slice(1));
      if (options.get('help')) {
        console.log(cmd === 'train' ? t.TRAIN_HELP : cmd === 'eval' ? t.EVAL_HELP : t.SOLVE_HELP);
        return 0;
      }
      const opts = new Options(options);
      if (cmd === 'train') return t.trainCommand(opts, positional, overrides);
      if (overrides.length) throw new ArgError(`hrm ${cmd}: unexpected ${overrides.map(([k, v]) => `${k}=${v}`).join(' ')}`);
      return cmd === 'eval' ? t.evalCommand(opts) : t.solveCommand(opts);
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return usage();
    default:
      console.error(`hrm: unknown command '${cmd}'\n`);
      usage();
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: Error & { code?: string }) => {
    // User errors get their message only; anything else also its stack, to report.
    console.error(`hrm: ${e.message}`);
    if (e.code !== 'INVALID_ARGUMENT' && e.code !== 'CORRUPT_FILE' && e.code !== 'ENOENT' && process.env.HRM_DEBUG) console.error(e.stack);
    process.exitCode = e.code === 'INVALID_ARGUMENT' ? 2 : 1;
  },
);
