/**
 * `hrm doctor`: the libtorch found and the addon's state (versions, C++ ABI, CUDA, threads), and
 * the build's libtorch search trace when loading fails.
 * @module
 */
import { addonPath, buildRecord, loadedLibtorchDir, native } from '../native';
import { availableBackends } from '../distributed';
import { cpuBf16Support } from '../util/cpu';
import { torchVersionOf } from '../util/version';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, packageVersion } from './common';

const DOCTOR_HELP = `hrm doctor [--trace]
  Prints the libtorch path and version, the C++ ABI, CUDA, the process-group backends
  compiled in (gloo, nccl), whether the CPU runs bf16 natively
  (forwardDtype bfloat16 is then fast on the CPU) and threads; with --trace (or when the
  addon does not load) also how the build searched for libtorch.`;

/**
 * Doctor's one-line CUDA state. A CUDA build on a machine without a GPU or driver is a normal
 * state (it runs on the CPU), so it is told apart from a CPU-only build.
 * @param builtWithCuda whether the addon was compiled against a CUDA libtorch
 * @param available whether libtorch sees a usable CUDA device
 * @param devices how many CUDA devices libtorch sees
 */
export function cudaSummary(builtWithCuda: boolean, available: boolean, devices: number): string {
  if (!builtWithCuda) return 'not built (CPU-only libtorch)';
  if (!available || devices === 0) return 'built, no device (no NVIDIA GPU or driver found; runs on the CPU)';
  return `built, ${devices} device${devices === 1 ? '' : 's'}`;
}

function doctor(args: ParsedArgs): number {
  const o = new Options(args.options);
  const trace = o.flag('trace');
  o.rejectUnknown('doctor');
  rejectExtraWords('hrm doctor', args);
  const lines: string[] = [];
  const put = (k: string, v: unknown) => lines.push(`${k.padEnd(22)} ${v}`);
  const rec = buildRecord();
  put('hrm-torch', packageVersion());
  put('node', `${process.version} (N-API ${process.versions.napi})`);
  put('addon', addonPath() ?? 'not built');
  if (process.env.HRM_TORCH_ADDON) put('HRM_TORCH_ADDON', process.env.HRM_TORCH_ADDON);
  put('libtorch (built)', `${rec.version ?? rec.torchVersion ?? '?'} from ${rec.source ?? '?'}`);
  put('libtorch lib folder', rec.libtorchDir ?? '?');
  let ok = true;
  try {
    const n = native();
    const b = n.buildInfo();
    put('libtorch (compiled)', b.torchVersion);
    put('libtorch (loaded)', torchVersionOf(b.runtimeConfig) ?? '?');
    const loadedFrom = loadedLibtorchDir();
    if (loadedFrom) put('libtorch loaded from', loadedFrom);
    put('C++11 ABI', b.cxx11Abi);
    const cudaAvailable = n.cudaIsAvailable();
    const cudaDevices = n.cudaDeviceCount();
    put('CUDA', cudaSummary(b.builtWithCuda, cudaAvailable, cudaDevices));
    put('CUDA built', b.builtWithCuda);
    put('CUDA available', cudaAvailable);
    put('CUDA devices', cudaDevices);
    const bf16 = cpuBf16Support();
    const backends = availableBackends();
    for (const b of ['gloo', 'nccl'] as const) put(`distributed: ${b}`, backends[b] ? 'compiled in' : backends.missing[b]);
    put('CPU bf16', `${bf16.native ? 'native' : 'not native'} (${bf16.detail})`);
    put('intra-op threads', n.getNumThreads());
    put('inter-op threads', n.getNumInteropThreads());
    put('python for tests', rec.python ?? 'none recorded');
  } catch (e) {
    ok = false;
    put('load', `FAILED: ${(e as Error).message}`);
  }
  console.log(lines.join('\n'));
  if (!ok || trace) {
    console.log('\nlibtorch search trace (at build time):');
    for (const t of rec.trace ?? ['(no record: the addon was never built)']) console.log(`  - ${t}`);
  }
  return ok ? 0 : 1;
}

/** `hrm doctor [--trace]`. */
export const doctorCommand: Command = { help: DOCTOR_HELP, run: doctor };
