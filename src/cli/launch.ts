/**
 * `hrm launch`: starts one process per rank with torchrun's environment (RANK, WORLD_SIZE,
 * LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR, MASTER_PORT), so that
 * `initProcessGroup()` in each finds its place; prefixes their output with the rank, forwards
 * SIGINT/SIGTERM to them, and when one rank fails stops the others and exits non-zero naming it.
 * @module
 */
import { ChildProcess, spawn } from 'child_process';
import { freePort } from '../util/net';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs } from './args';
import { Command } from './common';

const LAUNCH_HELP = `hrm launch --nproc-per-node N [--nnodes M --node-rank R --master-addr A --master-port P] -- <command...>
  Runs <command> N times on this node, as ranks R*N .. R*N+N-1 of a group of M*N, with torchrun's
  environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK, MASTER_ADDR,
  MASTER_PORT); initProcessGroup() reads it. Each line of output is prefixed with its rank.
  --nproc-per-node N   processes on this node (required)
  --nnodes M           nodes taking part (default 1); run 'hrm launch' once on each
  --node-rank R        this node's place, 0..M-1 (default 0); node 0 serves the rendezvous
  --master-addr A      node 0's address (default 127.0.0.1)
  --master-port P      the rendezvous port (default: a free one; required with --nnodes > 1)
  --grace-seconds S    how long stopped ranks may take to exit before they are killed (default 5)
  OMP_NUM_THREADS is set to 1 for the ranks when N > 1 and it is not set already (as torchrun does).
  When a rank exits non-zero the others are stopped, and hrm launch exits with that rank's status,
  naming it and showing the end of its error output. Ctrl-C (SIGINT) and SIGTERM are passed on.`;

/** The environment of one rank: torchrun's variables over the launcher's own. */
export function rankEnvironment(base: NodeJS.ProcessEnv, o: { nprocPerNode: number; nnodes: number; nodeRank: number; masterAddr: string; masterPort: number }, localRank: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    RANK: String(o.nodeRank * o.nprocPerNode + localRank),
    WORLD_SIZE: String(o.nnodes * o.nprocPerNode),
    LOCAL_RANK: String(localRank),
    LOCAL_WORLD_SIZE: String(o.nprocPerNode),
    GROUP_RANK: String(o.nodeRank),
    MASTER_ADDR: o.masterAddr,
    MASTER_PORT: String(o.masterPort),
  };
  // Several ranks on one machine each running all cores' worth of threads oversubscribe it.
  if (o.nprocPerNode > 1 && base.OMP_NUM_THREADS === undefined) env.OMP_NUM_THREADS = '1';
  return env;
}

/** The last `max` characters of `text`, cut at a line start. */
function tail(text: string, max = 2000): string {
  if (text.length <= max) return text;
  const cut = text.slice(-max);
  const nl = cut.indexOf('\n');
  return nl >= 0 ? cut.slice(nl + 1) : cut;
}

/** Writes `chunk` to `out` line by line, each complete line prefixed; returns the unfinished rest. */
function writePrefixed(out: NodeJS.WritableStream, prefix: string, pending: string, chunk: string): string {
  const text = pending + chunk;
  const lines = text.split('\n');
  const rest = lines.pop()!;
  if (lines.length) out.write(lines.map((l) => prefix + l + '\n').join(''));
  return rest;
}

interface Rank {
  rank: number;
  child: ChildProcess;
  stderrTail: string;
  exited: boolean;
}

async function launch(args: ParsedArgs): Promise<number> {
  const o = new Options(args.options);
  const nprocPerNode = o.int('nproc-per-node', undefined, { min: 1, max: 1024 });
  const nnodes = o.int('nnodes', 1, { min: 1, max: 65536 })!;
  const nodeRank = o.int('node-rank', 0, { min: 0, max: nnodes - 1 })!;
  const masterAddr = o.string('master-addr', '127.0.0.1')!;
  const givenPort = o.int('master-port', undefined, { min: 1, max: 65535 });
  const graceMs = o.number('grace-seconds', 5)! * 1000;
  o.rejectUnknown('launch');
  if (nprocPerNode === undefined) throw invalidArgument('--nproc-per-node is required (how many processes to start on this node)');
  if (args.positional.length || args.overrides.length) {
    const words = [...args.positional, ...args.overrides.map(([k, v]) => `${k}=${v}`)];
    throw invalidArgument(`unexpected ${words.join(' ')} before '--'; the command to run goes after it: hrm launch --nproc-per-node ${nprocPerNode} -- ${words.join(' ')}`);
  }
  if (!args.rest.length) throw invalidArgument('no command to run; give it after --: hrm launch --nproc-per-node 2 -- node train.js');
  if (!(graceMs >= 0)) throw invalidArgument(`--grace-seconds must be >= 0, got ${graceMs / 1000}`);
  if (givenPort === undefined && nnodes > 1) throw invalidArgument('--master-port is required with --nnodes > 1 (every node must name the same port)');
  const masterPort = givenPort ?? (await freePort(masterAddr));
  const setting = { nprocPerNode, nnodes, nodeRank, masterAddr, masterPort };
  const [cmd, ...cmdArgs] = args.rest;

  const ranks: Rank[] = [];
  let failed: { rank: Rank; status: number | null; signal: NodeJS.Signals | null; spawnError?: string } | undefined;
  let stopping: NodeJS.Signals | undefined;
  let killTimer: NodeJS.Timeout | undefined;

  const stopAll = (signal: NodeJS.Signals) => {
    for (const r of ranks) if (!r.exited) r.child.kill(signal);
    killTimer ??= setTimeout(() => {
      for (const r of ranks) if (!r.exited) r.child.kill('SIGKILL');
    }, graceMs);
    killTimer.unref();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      for (const r of ranks) if (!r.exited) r.child.kill('SIGKILL'); // a second Ctrl-C: no more waiting
      return;
    }
    stopping = signal;
    stopAll(signal);
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const done = Array.from({ length: nprocPerNode }, (_, local) => {
    const env = rankEnvironment(process.env, setting, local);
    const rankNo = Number(env.RANK);
    const child = spawn(cmd, cmdArgs, { env, stdio: ['inherit', 'pipe', 'pipe'] });
    const r: Rank = { rank: rankNo, child, stderrTail: '', exited: false };
    ranks.push(r);
    const prefix = `[rank ${rankNo}] `;
    let outRest = '';
    let errRest = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (outRest = writePrefixed(process.stdout, prefix, outRest, d)));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      r.stderrTail = tail(r.stderrTail + d, 8000);
      errRest = writePrefixed(process.stderr, prefix, errRest, d);
    });
    return new Promise<void>((resolve) => {
      let spawnError: string | undefined;
      child.on('error', (e) => (spawnError = `could not start '${cmd}': ${e.message}`));
      child.on('close', (status, signal) => {
        r.exited = true;
        if (outRest) process.stdout.write(prefix + outRest + '\n');
        if (errRest) process.stderr.write(prefix + errRest + '\n');
        if ((status !== 0 || spawnError) && !failed && !stopping) {
          failed = { rank: r, status, signal, spawnError };
          stopAll('SIGTERM');
        }
        resolve();
      });
    });
  });
  try {
    await Promise.all(done);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    if (killTimer) clearTimeout(killTimer);
  }
  if (stopping) {
    console.error(`hrm launch: stopped by ${stopping}; the ranks were sent it`);
    return stopping === 'SIGINT' ? 130 : 143;
  }
  if (failed) {
    const how = failed.spawnError ?? (failed.signal ? `was killed by ${failed.signal}` : `exited with status ${failed.status}`);
    const errTail = tail(failed.rank.stderrTail).trimEnd();
    const shown = errTail ? `; the end of its error output:\n${errTail.split('\n').map((l) => `  ${l}`).join('\n')}` : '; it wrote no error output';
    console.error(`hrm launch: rank ${failed.rank.rank} ${how}; the other ranks were stopped${shown}`);
    return failed.status && failed.status > 0 ? failed.status : 1;
  }
  return 0;
}

/** `hrm launch --nproc-per-node N [...] -- <command...>`. */
export const launchCommand: Command = { help: LAUNCH_HELP, run: launch };
