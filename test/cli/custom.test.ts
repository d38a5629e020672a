/** `hrm data custom`, `hrm train --task custom` and a custom dataset through eval, solve and data view, run as a user would. */
import * as fs from 'fs';
import * as path from 'path';
import { run, scratchFolder, TINY_ARCH } from './helpers';

const scratch = scratchFolder('cli-custom-');

/** 64 rows of 4 digits and their reversal, as JSONL. */
function reversalJsonl(file: string): string {
  const rows = Array.from({ length: 64 }, (_, i) => {
    const input = String(1000 + i * 37).slice(-4);
    return JSON.stringify({ input, output: [...input].reverse().join('') });
  });
  fs.writeFileSync(file, rows.join('\n') + '\n');
  return file;
}

test('data custom builds a JSONL file with a held-out fraction; a second build is refused without --overwrite; bad input names the line', () => {
  const input = reversalJsonl(path.join(scratch(), 'rows.jsonl'));
  const data = path.join(scratch(), 'data');
  const args = ['data', 'custom', '--input', input, '--test-fraction', '0.25', '--vocab', '10', '--seq-len', '4', '--output-dir', data];
  const b = run(...args);
  expect(b.status).toBe(0);
  expect(b.stdout).toMatch(/train: seq_len 4, vocab 11, pad 0, ignore_label 0, identifiers 1, groups 48/);
  expect(b.stdout).toMatch(/test: seq_len 4, vocab 11, .* groups 16/);
  expect(fs.existsSync(path.join(data, 'custom.json'))).toBe(true);
  const again = run(...args);
  expect(again.status).toBe(2);
  expect(again.stderr).toMatch(/already holds a dataset .*; pass --overwrite to replace it/);
  expect(run(...args, '--overwrite').status).toBe(0);
  // A symbol outside --vocab: exit 1, the file and line named, no stack.
  const bad = path.join(scratch(), 'bad.jsonl');
  fs.writeFileSync(bad, '{"input": "12", "output": "21"}\n{"input": "1a", "output": "a1"}\n');
  const r = run('data', 'custom', '--input', bad, '--vocab', '10', '--seq-len', '4', '--output-dir', path.join(scratch(), 'bad-data'));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`${bad} line 2: input: symbol 2 ("a") is not in the vocabulary (10 symbols: 0 1 2 3 4 5 6 7 8 9)`);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(fs.existsSync(path.join(scratch(), 'bad-data'))).toBe(false);
  const noLen = run('data', 'custom', '--input', input, '--vocab', '10', '--output-dir', path.join(scratch(), 'x'));
  expect(noLen.status).toBe(2);
  expect(noLen.stderr).toMatch(/--seq-len N is required/);
  expect(run('data', 'custom', '--help').stdout).toMatch(/hrm data custom --output-dir DIR --input train\.jsonl\|\.csv/);
});

test('train --task custom runs 3 steps; eval scores the test split; solve takes a sequence; data view shows the symbols; the task must match the data', () => {
  const data = path.join(scratch(), 'data'); // built by the test above: 48 training rows
  const out = path.join(scratch(), 'run');
  const t = run('train', '--task', 'custom', '--data', data, '--output', out, '--threads', '1', ...TINY_ARCH, 'arch.haltMaxSteps=2', 'globalBatchSize=16', 'epochs=1', 'evalInterval=1');
  expect(t.status).toBe(0);
  expect(t.stderr).toMatch(/hrm train: custom \(cpu preset\), [\d,]+ parameters, 3 steps of batch 16/);
  expect(t.stderr).toMatch(/finished at step 3\/3/);
  const e = run('eval', '--checkpoint', out, '--data', data);
  expect(e.status).toBe(0);
  expect(e.stdout).toMatch(/\[all\] halt limit 2: exact accuracy [\d.]+%, token accuracy [\d.]+%, .* over 16 examples/);
  const s = run('solve', '--checkpoint', out, '--data', data, '--input', '4021');
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/^checkpoint: .*\npuzzle:\n4021\n/);
  expect(s.stdout).toMatch(/answer after \d step\(s\), halting confidence [\d.]+:\n[0-9.?]{4}\n/);
  const long = run('solve', '--checkpoint', out, '--data', data, '--input', '40211');
  expect(long.status).toBe(2);
  expect(long.stderr).toMatch(/--input: custom puzzle: 5 symbols is more than seqLen 4/);
  const noData = run('solve', '--checkpoint', out, '--input', '4021');
  expect(noData.stderr).toMatch(/hrm solve --input needs --data DIR/);
  const page = path.join(scratch(), 'view.html');
  expect(run('data', 'view', data, '--output', page).status).toBe(0);
  const html = fs.readFileSync(page, 'utf8');
  expect(html).toContain('data-key="task (from the metadata)">custom</td>');
  expect(html).toContain("as the task's symbols");
  const wrong = run('train', '--task', 'sudoku', '--data', data, '--output', path.join(scratch(), 'run2'));
  expect(wrong.status).toBe(2);
  expect(wrong.stderr).toMatch(/is a custom dataset \(built by 'hrm data custom'\): pass --task custom/);
});

test('train --task custom on a dataset of another task says to build it with hrm data custom', () => {
  const sudoku = path.join(scratch(), 'sudoku');
  expect(run('data', 'sudoku', '--generate', '8', '--generate-test', '2', '--size', '4', '--output-dir', sudoku).status).toBe(0);
  const r = run('train', '--task', 'custom', '--data', sudoku, '--output', path.join(scratch(), 'run3'));
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/is not a custom dataset \(it has no custom\.json\): build it with 'hrm data custom'/);
});
