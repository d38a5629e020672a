/**
 * Test helpers for process groups: whether the addon has Gloo (a missing backend skips the tests
 * outside CI and fails them under it), and a runner that starts one child process per rank with
 * torchrun's environment and collects each one's report.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import { availableBackends } from '../../src/distributed';
import { freePort } from '../../src/util/net';
import { requiredUnderCi } from './ci';
import { DIST, lastJsonLine } from './child';

/** Whether the Gloo backend is compiled in; under CI its absence throws (fails the test file). */
export function glooAvailable(): boolean {
  return requiredUnderCi(availableBackends().gloo, 'the addon was built without the Gloo backend (apt-get install libgloo-dev, then npm run build:native)');
}

/** How one rank's process ended, and what it reported. */
export interface RankOutcome {
  rank: number;
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** the JSON of the last stdout line, if any */
  result?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** milliseconds from the start until it exited */
  ms: number;
}

/** The folder of the child scripts. */
export const FIXTURES = path.join(__dirname, '..', 'distributed', 'fixtures');

/**
 * Runs `fixtures/<script>` once per rank (or what `command(rank)` names for that rank) (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, a
 * free MASTER_PORT, HRM_DIST=<the built SDK>, plus `env`), killing any still running after `timeoutMs`.
 */
export async function runRanks(
  script: string,
  worldSize: number,
  opts: { env?: Record<string, string>; timeoutMs?: number; args?: (rank: number) => string[]; command?: (rank: number) => [string, string[]] | undefined } = {},
): Promise<RankOutcome[]> {
  const port = await freePort();
  const started = Date.now();
  return Promise.all(
    Array.from({ length: worldSize }, (_, rank) => {
      const env = { ...process.env, OMP_NUM_THREADS: '1', HRM_DIST: DIST, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), RANK: String(rank), LOCAL_RANK: String(rank), WORLD_SIZE: String(worldSize), ...opts.env };
      const [file, args] = opts.command?.(rank) ?? [process.execPath, [path.join(FIXTURES, script), ...(opts.args?.(rank) ?? [])]];
      const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
      return new Promise<RankOutcome>((resolve) => {
        child.on('close', (status, signal) => {
          clearTimeout(timer);
          resolve({ rank, status, signal, stdout, stderr, result: lastJsonLine(stdout), ms: Date.now() - started });
        });
      });
    }),
  );
}
