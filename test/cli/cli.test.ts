/** The `hrm` command line, run as a user would (built dist/, child processes). */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tmpDir } from '../helpers/reference';

const hrm = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'hrm.js');
const run = (...args: string[]) => spawnSync(process.execPath, [hrm, ...args], { encoding: 'utf8' });

describe('hrm CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = tmpDir('cli-');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('doctor and help', () => {
    const d = run('doctor');
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/libtorch \(loaded\)\s+2\./);
    expect(run('--help').stdout).toMatch(/train .*eval .*solve/s);
    expect(run('train', '--help').stdout).toMatch(/--task sudoku\|maze\|arc/);
    expect(run('doctor', '--help').stdout).toMatch(/^hrm doctor \[--trace\]/);
    const v = run('--version');
    expect(v.status).toBe(0);
    expect(v.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')).version);
    const unknown = run('bogus');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'bogus'/);
  });

  test('data -> train -> resume -> eval -> solve on generated 4x4 sudoku', () => {
    const data = path.join(dir, 'data');
    const b = run('data', 'sudoku', '--generate', '96', '--generate-test', '16', '--size', '4', '--output-dir', data);
    expect(b.status).toBe(0);
    expect(b.stdout).toMatch(/train: seq_len 16, vocab 6/);
    const out = path.join(dir, 'run');
    const tiny = ['arch.hiddenSize=16', 'arch.numHeads=2', 'arch.hLayers=1', 'arch.lLayers=1', 'arch.haltMaxSteps=2', 'globalBatchSize=16', 'epochs=2', 'evalInterval=1'];
    const t = run('train', '--task', 'sudoku', '--data', data, '--output', out, '--threads', '1', ...tiny);
    expect(t.stderr).toMatch(/finished at step 12\/12/);
    expect(t.status).toBe(0);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
    const again = run('train', '--task', 'sudoku', '--data', data, '--output', out, '--resume', '--threads', '1', ...tiny);
    expect(again.stderr).toMatch(/resume: .*step_00000012/);
    const ckpt = path.join(out, 'checkpoints', 'step_00000012.safetensors');
    const e = run('eval', '--checkpoint', ckpt, '--data', data, '--scaling', '1,3');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/halt limit 1: exact accuracy [\d.]+%/);
    expect(e.stdout).toMatch(/halt limit 3: .*\n.*1:[\d.]+% 2:[\d.]+% 3:[\d.]+%/);
    const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...'); // a run folder: its newest checkpoint
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/answer after [12] step\(s\), halting confidence/);
  });

  test('Ctrl-C (SIGINT) during training saves a checkpoint at the current step, and --resume continues', async () => {
    const data = path.join(dir, 'data-sig');
    expect(run('data', 'sudoku', '--generate', '200', '--generate-test', '8', '--size', '4', '--output-dir', data).status).toBe(0);
    const out = path.join(dir, 'run-sig');
    const args = ['train', '--task', 'sudoku', '--data', data, '--output', out, '--threads', '1', 'arch.hiddenSize=16', 'arch.numHeads=2', 'arch.hLayers=1', 'arch.lLayers=1', 'globalBatchSize=8', 'epochs=40'];
    const child = spawn(process.execPath, [hrm, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const metrics = path.join(out, 'metrics.jsonl');
    // wait until a few steps are logged, then interrupt
    for (let i = 0; i < 200 && !(fs.existsSync(metrics) && fs.readFileSync(metrics, 'utf8').split('\n').length > 5); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    const m = /stopped at step (\d+)\/1000/.exec(stderr);
    expect(m).not.toBeNull();
    const step = Number(m![1]);
    expect(step).toBeLessThan(1000);
    expect(fs.existsSync(path.join(out, 'checkpoints', `step_${String(step).padStart(8, '0')}.safetensors`))).toBe(true);
    const again = run(...args, '--resume', 'stopAfterSteps=2');
    expect(again.stderr).toMatch(new RegExp(`resume: .*step_${String(step).padStart(8, '0')}`));
    expect(again.stderr).toMatch(new RegExp(`stopped at step ${step + 2}/1000`));
  }, 120000);

  test('ARC: build, train a few steps, evaluate with voting', () => {
    const src = path.join(dir, 'arc-src');
    const arc = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'arc', 'arc-agi-1');
    for (const sub of ['training', 'evaluation']) {
      fs.mkdirSync(path.join(src, sub), { recursive: true });
      for (const f of fs.readdirSync(path.join(arc, sub)).sort().slice(0, 3)) fs.copyFileSync(path.join(arc, sub, f), path.join(src, sub, f));
    }
    const data = path.join(dir, 'arc-data');
    expect(run('data', 'arc', '--dataset-dirs', src, '--num-aug', '2', '--output-dir', data).status).toBe(0);
    const out = path.join(dir, 'arc-run');
    const t = run('train', '--task', 'arc', '--data', data, '--output', out, '--threads', '1', 'arch.hiddenSize=16', 'arch.numHeads=2', 'arch.hLayers=1', 'arch.lLayers=1', 'arch.haltMaxSteps=1', 'arch.puzzleEmbNdim=16', 'globalBatchSize=4', 'epochs=1', 'evalMaxExamples=8');
    expect(t.status).toBe(0);
    const ckpt = fs.readdirSync(path.join(out, 'checkpoints')).sort().pop()!;
    const e = run('eval', '--checkpoint', path.join(out, 'checkpoints', ckpt), '--data', data, '--max-examples', '12');
    expect(e.status).toBe(0);
    expect(e.stdout).toMatch(/ARC \(3 tasks\): pass@1 [\d.]+%, pass@2 [\d.]+%/);
  });

  test('bad input: clear messages and exit codes, no stack traces', () => {
    const u = run('train', '--task', 'chess', '--data', dir);
    expect(u.status).toBe(2);
    expect(u.stderr).toMatch(/--task must be sudoku, maze or arc, got 'chess'/);
    const m = run('train', '--task', 'sudoku', '--data', path.join(dir, 'nope'));
    expect(m.stderr).toMatch(/dataset.json not found/);
    const x = run('data', 'maze', '--output-dir', path.join(dir, 'm'), '--bogus', '3');
    expect(x.status).toBe(2);
    expect(x.stderr).toMatch(/unknown option\(s\) --bogus/);
    const extra = run('eval', '--checkpoint', dir, '--data', dir, 'lr=1');
    expect(extra.status).toBe(2);
    expect(extra.stderr).toMatch(/hrm eval: unexpected lr=1/);
    const missing = run('eval', '--checkpoint', path.join(dir, 'nope.safetensors'), '--data', dir);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--checkpoint: .*nope.safetensors does not exist/);
    const st = run('data', 'stats', path.join(dir, 'nothing-here'));
    expect(st.stderr).toMatch(/does not exist/);
    expect(st.stderr).not.toMatch(/\n\s+at /);
  });
});
