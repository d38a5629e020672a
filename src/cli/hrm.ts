#!/usr/bin/env node
/**
 * The `hrm` command line. `hrm doctor` reports the libtorch found and the addon's state.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { addonPath, buildRecord, native, packageRoot } from '../native';

function doctor(): number {
  const lines: string[] = [];
  const put = (k: string, v: unknown) => lines.push(`${k.padEnd(22)} ${v}`);
  const rec = buildRecord();
  put('hrm-torch', JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version);
  put('node', `${process.version} (N-API ${process.versions.napi})`);
  put('addon', addonPath() ?? 'not built');
  put('libtorch (built)', `${rec.version ?? rec.torchVersion ?? '?'} from ${rec.source ?? '?'}`);
  put('libtorch lib folder', rec.libtorchDir ?? '?');
  let ok = true;
  try {
    const n = native();
    const b = n.buildInfo();
    const runtime = /TORCH_VERSION=([0-9][^,\s]*)/.exec(b.runtimeConfig)?.[1];
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
  doctor [--trace]   libtorch path and version, C++ ABI, CUDA, threads; the search trace on failure`);
  return 0;
}

function main(argv: string[]): number {
  const cmd = argv[0];
  switch (cmd) {
    case 'doctor':
      return doctor();
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

process.exitCode = main(process.argv.slice(2));
