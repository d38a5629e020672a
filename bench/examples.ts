/**
 * The learning benchmark of the examples: runs each example as a user would (`node
 * dist/examples/...`), then collects what it wrote to `<example>/summary.json` (recipe, training
 * time, held-out exact, and ARC's pass@k) into one markdown table and a JSON report.
 *
 *   npm run build:ts
 *   node dist/bench/examples.js [--only demo,sudoku,maze,arc,custom] [--root runs/bench-examples] [--json out.json]
 *
 * Each example trains from scratch with its own fixed seeds; the training time is wall time on
 * this machine with the threads libtorch picks (all cores), so run it on a machine with nothing
 * else running. Targets: demo >= 95%, sudoku >= 50%, maze >= 50%, custom (sorting) >= 80% held-out
 * exact, ARC pass@2 > 0, each in at most 10 minutes of training.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exitWithUsage, parseFlags } from './flags';
import { log, machineInfo, mdTable, runMain, writeJsonReport } from './harness';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** An example the benchmark can run: its script, the folder variable it honours, and its target. */
const EXAMPLES: Record<string, { script: string; dirVar: string; target: string; args?: string[] }> = {
  demo: { script: 'examples/demo.js', dirVar: 'DEMO_DIR', target: '>= 95% exact' },
  sudoku: { script: 'examples/sudoku/main.js', dirVar: 'EXAMPLE_DIR', target: '>= 50% exact' },
  maze: { script: 'examples/maze/main.js', dirVar: 'EXAMPLE_DIR', target: '>= 50% exact' },
  arc: { script: 'examples/arc/main.js', dirVar: 'EXAMPLE_DIR', target: 'pass@2 > 0' },
  custom: { script: 'examples/custom/main.js', dirVar: 'EXAMPLE_DIR', target: '>= 80% exact' },
};

interface Summary {
  example: string;
  task: string;
  trainingSeconds: number;
  steps: number;
  heldOutExact: number;
  parameters: number;
  threads: number;
  metrics?: Record<string, unknown>;
}

async function main(): Promise<void> {
  let names = Object.keys(EXAMPLES);
  let root = path.resolve('runs/bench-examples');
  let json: string | undefined;
  const usage = () => exitWithUsage(`usage: node dist/bench/examples.js [--only ${names.join(',')}] [--root DIR] [--json FILE]`);
  parseFlags(
    process.argv.slice(2),
    {
      '--only': (v) => (names = v.list(Object.keys(EXAMPLES))),
      '--root': (v) => (root = path.resolve(v.string())),
      '--json': (v) => (json = v.string()),
    },
    usage,
  );
  const rows: string[][] = [];
  const summaries: Summary[] = [];
  for (const name of names) {
    const ex = EXAMPLES[name];
    const dir = path.join(root, name);
    log(`running ${name} in ${dir}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', ex.script), ...(ex.args ?? [])], { cwd: REPO_ROOT, env: { ...process.env, [ex.dirVar]: dir }, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`${name} exited with ${r.status ?? r.signal}`);
    const s = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) as Summary;
    summaries.push(s);
    const passAt2 = typeof s.metrics?.passAt2 === 'number' ? ` (pass@2 ${(s.metrics.passAt2 * 100).toFixed(1)}%)` : '';
    rows.push([name, s.task, s.parameters.toLocaleString(), String(s.steps), `${s.trainingSeconds} s`, `${(s.heldOutExact * 100).toFixed(1)}%${passAt2}`, ex.target, `${Math.round((Date.now() - started) / 1000)} s`]);
  }
  const m = machineInfo();
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${m.cores} cores (${m.cpuModel}), threads ${summaries[0]?.threads}\n`);
  console.log(mdTable(['example', 'task', 'parameters', 'steps', 'training', 'held-out exact', 'target', 'whole run'], rows));
  if (json) writeJsonReport(json, { machine: m, summaries });
}

runMain(main);
