/** `hrm launch` (src/cli/launch.ts): torchrun's environment, rank-prefixed output, a failing rank, forwarded signals. */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { DIST } from '../helpers/child';
import { FIXTURES, glooAvailable } from '../helpers/distributed';
import { hrm, run } from './helpers';

const node = process.execPath;

test('each rank gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and a free MASTER_PORT; output is prefixed with the rank', () => {
  const show = 'console.log([process.env.RANK, process.env.WORLD_SIZE, process.env.LOCAL_RANK, process.env.LOCAL_WORLD_SIZE, process.env.GROUP_RANK, process.env.MASTER_ADDR, process.env.MASTER_PORT, process.env.OMP_NUM_THREADS].join(" ")); console.error("to stderr")';
  const r = run('launch', '--nproc-per-node', '2', '--', node, '-e', show);
  expect(r.status).toBe(0);
  const lines = r.stdout.trim().split('\n').sort();
  expect(lines).toHaveLength(2);
  const [port0, port1] = lines.map((l) => Number(l.split(' ')[8]));
  expect(port0).toBe(port1);
  expect(port0).toBeGreaterThan(0);
  expect(lines).toEqual([`[rank 0] 0 2 0 2 0 127.0.0.1 ${port0} 1`, `[rank 1] 1 2 1 2 0 127.0.0.1 ${port0} 1`]);
  expect(r.stderr.trim().split('\n').sort()).toEqual(['[rank 0] to stderr', '[rank 1] to stderr']);
});

test('--nnodes and --node-rank place the ranks: node 1 of 2 with 2 processes runs ranks 2 and 3', () => {
  const r = run('launch', '--nproc-per-node', '2', '--nnodes', '2', '--node-rank', '1', '--master-addr', '10.0.0.1', '--master-port', '29400', '--', node, '-e', 'console.log(process.env.RANK, process.env.WORLD_SIZE, process.env.LOCAL_RANK, process.env.GROUP_RANK, process.env.MASTER_ADDR, process.env.MASTER_PORT)');
  expect(r.status).toBe(0);
  expect(r.stdout.trim().split('\n').sort()).toEqual(['[rank 2] 2 4 0 1 10.0.0.1 29400', '[rank 3] 3 4 1 1 10.0.0.1 29400']);
});

test('a rank that fails ends the others at once; the launcher exits with its status, naming it and its error output', () => {
  const script = 'if (process.env.RANK === "1") { console.error("line one"); console.error("Error: the data folder is missing"); process.exit(7); } setTimeout(() => {}, 60000)';
  const t0 = Date.now();
  const r = run('launch', '--nproc-per-node', '2', '--', node, '-e', script);
  expect(Date.now() - t0).toBeLessThan(20_000); // rank 0 would sleep for 60 s
  expect(r.status).toBe(7);
  expect(r.stderr).toContain('hrm launch: rank 1 exited with status 7; the other ranks were stopped; the end of its error output:\n  line one\n  Error: the data folder is missing');
});

test('a command that cannot start fails the launch, naming it', () => {
  const r = run('launch', '--nproc-per-node', '1', '--', 'hrm-no-such-command');
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/hrm launch: rank 0 could not start 'hrm-no-such-command': spawn hrm-no-such-command ENOENT/);
});

test('SIGTERM to the launcher reaches every rank; it exits 143 once they have', async () => {
  const script = 'process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(0); }); console.log("ready"); setTimeout(() => {}, 60000)';
  // a long grace period: on a loaded machine a rank may take seconds to run its handler
  const child = spawn(node, [hrm, 'launch', '--nproc-per-node', '2', '--grace-seconds', '30', '--', node, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let sent = false;
  child.stderr.on('data', (d) => (err += d));
  const status = await new Promise<number | null>((resolve) => {
    child.stdout.on('data', (d) => {
      out += d;
      // once: a second signal to the launcher means "stop now" (SIGKILL to the ranks)
      if (!sent && (out.match(/ready/g) ?? []).length === 2) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('close', (s) => {
      clearTimeout(timer);
      resolve(s);
    });
  });
  expect(status).toBe(143);
  expect(out.split('\n').filter((l) => l.endsWith('got SIGTERM')).sort()).toEqual(['[rank 0] got SIGTERM', '[rank 1] got SIGTERM']);
  expect(err).toContain('hrm launch: stopped by SIGTERM');
});

test.each([
  [['--', 'node'], /--nproc-per-node is required/],
  [['--nproc-per-node', '2'], /no command to run; give it after --: hrm launch --nproc-per-node 2 -- node train.js/],
  [['--nproc-per-node', '0', '--', 'node'], /--nproc-per-node must be an integer from 1 to 1024, got 0/],
  [['--nproc-per-node', '2', '--nnodes', '2', '--', 'node'], /--master-port is required with --nnodes > 1/],
  [['--nproc-per-node', '2', '--nnodes', '2', '--node-rank', '2', '--master-port', '1', '--', 'node'], /--node-rank must be an integer from 0 to 1, got 2/],
  [['--nproc-per-node', '2', 'node', 'train.js'], /unexpected node train.js before '--'; the command to run goes after it: hrm launch --nproc-per-node 2 -- node train.js/],
  [['--nproc-per-node', '2', '--nproc', '3', '--', 'node'], /unknown option\(s\) --nproc/],
])('hrm launch %j is refused with status 2', (args, message) => {
  const r = run('launch', ...args);
  expect([r.status, r.stderr]).toEqual([2, expect.stringMatching(message)]);
});

(glooAvailable() ? test : test.skip)('the launched ranks join one process group from that environment', () => {
  const launched = ['launch', '--nproc-per-node', '2', '--', node, path.join(FIXTURES, 'launched.js')];
  const r = spawnSync(node, [hrm, ...launched], { encoding: 'utf8', env: { ...process.env, HRM_DIST: DIST }, timeout: 50_000 });
  expect([r.status, r.stderr]).toEqual([0, '']);
  const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l.replace(/^\[rank \d\] /, ''))).sort((a, b) => a.rank - b.rank);
  expect(results).toEqual([{ rank: 0, worldSize: 2, sum: 3, localRank: '0' }, { rank: 1, worldSize: 2, sum: 3, localRank: '1' }]);
});

