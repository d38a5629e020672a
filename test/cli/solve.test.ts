/**
 * `hrm solve` (src/cli/solve.ts): one puzzle through a tiny trained run, run as a user would: bad
 * arguments, the verdicts on the puzzle and the answer, and reference (torch.save) checkpoints.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify as stringifyYaml } from 'yaml';
import * as ht from '../../src';
import { mazePathProblem } from '../../src/data/maze';
import { countSolutions, sudokuSolutionProblem } from '../../src/data/sudoku';
import { MAX_HALT_STEPS } from '../../src/models/hrm/config';
import { describeWithTorch, runPython } from '../helpers/reference';
import { TinySudokuRun, run, scratchFolder, trainTinySudoku } from './helpers';

const scratch = scratchFolder('cli-solve-');

test('solve with a run folder uses its newest checkpoint and prints the answer and halting confidence', () => {
  const { out } = trainTinySudoku(scratch());
  const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...'); // a run folder: its newest checkpoint
  expect(s.status).toBe(0);
  expect(s.stdout).toMatch(/answer after [12] step\(s\), halting confidence/);
});

test('solve --html writes the reasoning page: one frame per inner update and per step', () => {
  const dir = scratch();
  const { out } = trainTinySudoku(dir);
  const page = path.join(dir, 'reasoning.html');
  const s = run('solve', '--checkpoint', out, '--sudoku', '1...3..2..4.2...', '--html', page);
  expect(s.status).toBe(0);
  expect(s.stdout).toContain(`reasoning page: ${page}`);
  const html = fs.readFileSync(page, 'utf8');
  const steps = Number(/answer after (\d+) step/.exec(s.stdout)![1]);
  const config = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).model as { hCycles: number; lCycles: number };
  // Each step shows its inner updates (hCycles x (lCycles + 1), the last being the step itself).
  expect((html.match(/<div class="frame" /g) ?? []).length).toBe(steps * config.hCycles * (config.lCycles + 1));
  expect((html.match(/<div class="thumb/g) ?? []).length).toBe(steps);
});

describe('bad arguments and verdicts', () => {
  let tiny: TinySudokuRun;
  beforeAll(() => {
    tiny = trainTinySudoku(path.join(scratch(), 'shared'));
  });
  const noStack = (r: { stderr: string }) => expect(r.stderr).not.toMatch(/\n\s+at /);
  const PUZZLE = '.4.3.3.......1.4';

  test('--steps is an integer from 1 to 1024: 1e9, -1, 0 and 1.5 are errors naming the flag and the range', () => {
    for (const steps of ['1e9', '-1', '0', '1.5', '1025']) {
      const r = run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE, '--steps', steps);
      expect([steps, r.status]).toEqual([steps, 2]);
      expect(r.stderr).toContain(`--steps must be an integer from 1 to ${MAX_HALT_STEPS}, got ${steps}`);
      noStack(r);
    }
    expect(MAX_HALT_STEPS).toBe(1024);
    const ok = run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE, '--steps', '3', '--no-adaptive');
    expect(ok.stdout).toMatch(/answer after 3 step\(s\)/);
  });

  test('a 35-character sudoku is named in CLI terms (16, 36 or 81 cells, or --box RxC); --box gives the board', () => {
    const r = run('solve', '--checkpoint', tiny.out, '--sudoku', '1'.repeat(35));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--sudoku has 35 cells; a 4x4, 6x6 or 9x9 board has 16, 36 or 81 \(for a board with another box shape give --box RxC/);
    expect(r.stderr).not.toMatch(/pass box: \{rows, cols\}/);
    const wrongBox = run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE, '--box', '2x3');
    expect(wrongBox.stderr).toMatch(/--sudoku has 16 cells, but --box 2x3 makes 6x6 boards of 36 cells/);
    expect(run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE, '--box', 'big').stderr).toMatch(/--box must be RxC.*got 'big'/);
    expect(run('solve', '--checkpoint', tiny.out, '--maze', 'x', '--box', '2x2').stderr).toMatch(/--box is the box shape of a --sudoku board/);
    const box = run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE, '--box', '2x2');
    expect(box.status).toBe(0);
    expect(box.stdout).toContain('the puzzle is valid: it has one solution');
    for (const x of [r, wrongBox]) noStack(x);
  });

  test('solve says whether a sudoku is valid (repeated givens, no solution) and whether the answer solves it', () => {
    const answerOf = (stdout: string) => /answer after \d+ step\(s\)[^\n]*\n((?:.{4}\n){4})/.exec(stdout)![1].replace(/\n/g, '');
    const valid = run('solve', '--checkpoint', tiny.out, '--sudoku', PUZZLE);
    expect(valid.status).toBe(0);
    expect(countSolutions(PUZZLE)).toBe(1);
    expect(valid.stdout).toContain('the puzzle is valid: it has one solution');
    const answer = answerOf(valid.stdout);
    const cells = [...answer].map((c) => (/[1-4]/.test(c) ? Number(c) : 0));
    const problem = sudokuSolutionProblem(PUZZLE, cells);
    expect(valid.stdout).toContain(problem === null ? 'the answer solves the puzzle' : `the answer does not solve the puzzle: ${problem}`);
    const duplicate = run('solve', '--checkpoint', tiny.out, '--sudoku', '11..............');
    expect(duplicate.stdout).toContain('the puzzle is not valid: digit 1 repeats in row 1 (no solution)');
    expect(duplicate.stdout).toContain('the answer does not solve the puzzle: no answer can (the puzzle is not valid)');
    const column = run('solve', '--checkpoint', tiny.out, '--sudoku', '1...1...........');
    expect(column.stdout).toContain('the puzzle is not valid: digit 1 repeats in column 1');
    const unsolvable = run('solve', '--checkpoint', tiny.out, '--sudoku', '1...3..2..4.2...'); // row 3 column 1 can only be 4, which row 3 holds
    expect(unsolvable.stdout).toContain('the puzzle is not valid: it has no solution');
  });

  test('solve says whether a maze is valid and whether the answer is a shortest path', () => {
    const dir = scratch();
    const maze = (name: string, rows: string[]) => {
      fs.writeFileSync(path.join(dir, name), rows.join('\n') + '\n');
      return path.join(dir, name);
    };
    const good = run('solve', '--checkpoint', tiny.out, '--maze', maze('good.txt', ['S  #', ' # #', '   #', '#G  ']));
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('the puzzle is valid: its shortest path from S to G has 4 moves');
    const answer = /answer after \d+ step\(s\)[^\n]*\n((?:.{4}\n){4})/.exec(good.stdout)![1].replace(/\n/g, '');
    const problem = mazePathProblem('S  # # #   ##G  ', answer);
    expect(good.stdout).toContain(problem === null ? 'the answer is a shortest path from S to G' : `the answer is not a shortest path from S to G: ${problem}`);
    const twoStarts = run('solve', '--checkpoint', tiny.out, '--maze', maze('two.txt', ['S  #', ' # #', '   #', '#S  ']));
    expect(twoStarts.stdout).toContain("the puzzle is not valid: the question must hold exactly one 'S' and one 'G', found 2 'S' and 0 'G'");
    const walled = run('solve', '--checkpoint', tiny.out, '--maze', maze('walled.txt', ['S  #', '####', '   #', '#G  ']));
    expect(walled.stdout).toContain('the puzzle is not valid: G cannot be reached from S');
    for (const r of [twoStarts, walled]) {
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('the answer does not solve the puzzle: no answer can (the puzzle is not valid)');
    }
    const missing = run('solve', '--checkpoint', tiny.out, '--maze', path.join(dir, 'nope.txt'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--maze: .*nope\.txt does not exist/);
  });

  test('a checkpoint with bad metadata JSON, and a file that is no checkpoint, are named with what is wrong', () => {
    const dir = scratch();
    const bad = path.join(dir, 'bad-metadata.safetensors');
    const t = ht.zeros([2]);
    ht.saveSafetensors(bad, { 'model.x': t }, { format: 'hrm-torch-checkpoint', version: '1', step: '3', extra: '{"config": ' });
    t.dispose();
    const r = run('solve', '--checkpoint', bad, '--sudoku', PUZZLE);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`corrupt or truncated file ${bad.replace(/[.]/g, '\\.')}: its 'extra' metadata is not valid JSON \\(`));
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a checkpoint at all');
    const n = run('solve', '--checkpoint', text, '--sudoku', PUZZLE);
    expect(n.status).toBe(1);
    expect(n.stderr).toMatch(/notes\.txt: not a checkpoint: neither an hrm-torch checkpoint \(safetensors.*\) nor a reference torch\.save file .*its 23 bytes begin 6e 6f 74 20/);
    for (const x of [r, n]) noStack(x);
  });
});

describeWithTorch('reference checkpoints', () => {
  test('solve, eval, viz and analyze take a reference torch.save checkpoint with its all_config.yaml, and answer as the checkpoint it was made from', () => {
    const dir = scratch();
    const { out, data, checkpoint } = trainTinySudoku(path.join(dir, 'ours'));
    const ref = makeReferenceCheckpoint(checkpoint, path.join(dir, 'reference'), 12);
    const puzzle = '.4.3.3.......1.4';
    const ours = run('solve', '--checkpoint', out, '--sudoku', puzzle);
    expect(ours.status).toBe(0);
    // Every step's halt probability and the answer (the line saying which checkpoint of a folder was taken aside).
    const answer = (stdout: string) => stdout.replace(/^checkpoint: .*\n/m, '');
    for (const c of [ref, path.dirname(ref)]) {
      const theirs = run('solve', '--checkpoint', c, '--sudoku', puzzle);
      expect(theirs.stderr).not.toMatch(/header length/);
      expect([c, theirs.status]).toEqual([c, 0]);
      expect(answer(theirs.stdout)).toBe(answer(ours.stdout));
    }
    const exact = (stdout: string) => /\[all\] halt limit 2: exact accuracy [\d.]+%, token accuracy [\d.]+%/.exec(stdout)?.[0];
    const evalOurs = run('eval', '--checkpoint', checkpoint, '--data', data, '--output', path.join(dir, 'eval-ours'));
    const evalTheirs = run('eval', '--checkpoint', ref, '--data', data, '--output', path.join(dir, 'eval-theirs'));
    expect(evalTheirs.status).toBe(0);
    expect(exact(evalTheirs.stdout)).toBeDefined();
    expect(exact(evalTheirs.stdout)).toBe(exact(evalOurs.stdout));
    const viz = run('viz', '--checkpoint', ref, '--data', data, '--puzzles', '2', '--output', path.join(dir, 'viz.html'));
    expect(viz.status).toBe(0);
    const analyze = run('analyze', 'pr', '--checkpoint', ref, '--data', data, '--puzzles', '10', '--output', path.join(dir, 'analysis'));
    expect(analyze.status).toBe(0);
    // Without all_config.yaml the architecture must be given.
    const alone = path.join(dir, 'alone');
    fs.mkdirSync(alone);
    fs.copyFileSync(ref, path.join(alone, 'step_12'));
    const missing = run('solve', '--checkpoint', path.join(alone, 'step_12'), '--sudoku', puzzle);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/is a reference \(torch\.save\) checkpoint; its architecture comes from all_config\.yaml next to it, which is missing: give it with --config FILE/);
    const given = run('solve', '--checkpoint', path.join(alone, 'step_12'), '--sudoku', puzzle, '--config', path.join(path.dirname(ref), 'all_config.yaml'));
    expect(given.stdout).toBe(answer(ours.stdout));
    const ourConfig = run('solve', '--checkpoint', out, '--sudoku', puzzle, '--config', path.join(path.dirname(ref), 'all_config.yaml'));
    expect(ourConfig.stderr).toMatch(/--config is the architecture of a reference \(torch\.save\) checkpoint; .* is an hrm-torch checkpoint/);
  });
});

/**
 * A reference-format checkpoint of the weights of one of ours, as the reference's training saves
 * it: torch.save of the state dict with `_orig_mod.model.inner.` keys in `<dir>/step_<step>`, and
 * the run's config as the reference's all_config.yaml (snake_case arch keys, loss head) next to it.
 */
function makeReferenceCheckpoint(checkpoint: string, dir: string, step: number): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `step_${step}`);
  runPython(
    `
import sys, torch
from safetensors.torch import load_file
sd = load_file(sys.argv[1])
torch.save({"_orig_mod." + k: v for k, v in sd.items() if k.startswith("model.inner.")}, sys.argv[2])
`,
    [checkpoint, file],
  );
  const run = JSON.parse(fs.readFileSync(path.join(path.dirname(path.dirname(checkpoint)), 'config.json'), 'utf8'));
  const m = run.model as ht.HRMConfig;
  const allConfig = {
    arch: {
      name: 'hrm.hrm_act_v1@HierarchicalReasoningModel_ACTV1',
      loss: { name: 'losses@ACTLossHead', loss_type: m.lossType },
      halt_exploration_prob: m.haltExplorationProb,
      halt_max_steps: m.haltMaxSteps,
      H_cycles: m.hCycles,
      L_cycles: m.lCycles,
      H_layers: m.hLayers,
      L_layers: m.lLayers,
      hidden_size: m.hiddenSize,
      num_heads: m.numHeads,
      expansion: m.expansion,
      puzzle_emb_ndim: m.puzzleEmbNdim,
      pos_encodings: m.posEncodings,
    },
    data_path: run.dataPath,
    global_batch_size: m.batchSize,
    epochs: run.epochs,
    lr: run.lr,
    lr_min_ratio: run.lrMinRatio,
    lr_warmup_steps: run.lrWarmupSteps,
    weight_decay: run.weightDecay,
    beta1: 0.9,
    beta2: 0.95,
    puzzle_emb_weight_decay: run.weightDecay,
    puzzle_emb_lr: run.puzzleEmbLr,
    project_name: 'Sudoku ACT-torch',
    run_name: 'HierarchicalReasoningModel_ACTV1 tiny-test',
    checkpoint_path: dir,
    seed: 0,
    checkpoint_every_eval: true,
    eval_interval: run.evalInterval,
    eval_save_outputs: [],
  };
  fs.writeFileSync(path.join(dir, 'all_config.yaml'), stringifyYaml(allConfig));
  return file;
}
