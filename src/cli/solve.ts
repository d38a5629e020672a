/**
 * `hrm solve`: one puzzle (Sudoku, maze or ARC task) through a checkpoint, step by step.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { readIdentifiers } from '../data/format';
import { readArcCanvas, readArcTask } from '../data/arc';
import { Puzzle, encodePuzzle } from '../data/puzzle-codec';
import { loadModel, solveTokens } from '../eval/solve';
import { reasoningView, writeReasoningPage } from '../report/reasoning';
import { writeRunIndex } from '../report/run-index';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, resolveCheckpoint, runFolderOf } from './common';

const SOLVE_HELP = `hrm solve --checkpoint FILE|RUN_DIR (--sudoku PUZZLE | --maze FILE | --arc TASK.json --data DIR) [--steps N] [--no-adaptive] [--html FILE]
  Solves one puzzle and prints the answer, the steps used, the halting confidence and how the
  prediction changed step by step. --html writes a page that shows the answer after every step and
  every inner update (a slider, changed cells outlined, the halting step marked).`;

/** The puzzle the flags name, read from its file where it has one. */
function givenPuzzle(o: { sudoku?: string; mazeFile?: string; arcFile?: string; dataRoot?: string }): Puzzle {
  if (o.sudoku !== undefined) return { sudoku: o.sudoku };
  if (o.mazeFile !== undefined) return { maze: fs.readFileSync(o.mazeFile, 'utf8') };
  if (!o.dataRoot) throw invalidArgument('hrm solve --arc needs --data DIR (the ARC dataset the model was trained on, for the task identifier)');
  return { arcTask: readArcTask(o.arcFile!), identifiers: readIdentifiers(o.dataRoot) ?? [], canvas: readArcCanvas(o.dataRoot) };
}

function solve(args: ParsedArgs): number {
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const given = { sudoku: o.string('sudoku'), mazeFile: o.string('maze'), arcFile: o.string('arc'), dataRoot: o.string('data') };
  const maxSteps = o.int('steps');
  const adaptive = o.flag('adaptive', true);
  const html = o.string('html');
  o.rejectUnknown('solve');
  rejectExtraWords('hrm solve', args);
  if ([given.sudoku, given.mazeFile, given.arcFile].filter((x) => x !== undefined).length !== 1) throw invalidArgument('hrm solve: give exactly one of --sudoku, --maze, --arc');
  const checkpoint = resolveCheckpoint(checkpointPath);
  const model = loadModel(checkpoint);
  try {
    const puzzle = encodePuzzle(givenPuzzle(given));
    if (puzzle.task !== 'arc') console.log(`puzzle:\n${puzzle.format(puzzle.tokens)}`);
    if (puzzle.tokens.length !== model.config.seqLen) throw invalidArgument(`the puzzle has ${puzzle.tokens.length} tokens, the checkpoint's model takes ${model.config.seqLen}`);
    const r = solveTokens(model, puzzle.tokens, { puzzleIdentifier: puzzle.puzzleIdentifier, maxSteps, adaptive, trace: html !== undefined });
    r.perStep.forEach((s, i) => {
      const changed = i === 0 ? s.prediction.length : s.prediction.reduce((n, v, j) => n + (v !== r.perStep[i - 1].prediction[j] ? 1 : 0), 0);
      console.log(`step ${i + 1}: halt probability ${s.haltProbability.toFixed(3)}, ${changed} cells changed`);
    });
    console.log(`answer after ${r.steps} step(s), halting confidence ${r.haltConfidence.toFixed(3)}:\n${puzzle.format(r.prediction)}`);
    if (html !== undefined) {
      console.log(`reasoning page: ${writeReasoningPage(html, reasoningView(puzzle, r, { title: `hrm solve: a ${puzzle.task} puzzle, step by step` }))}`);
      const run = runFolderOf(checkpoint);
      if (path.dirname(path.resolve(html)) === run) writeRunIndex(run); // the run's index lists the page
    }
  } finally {
    model.dispose();
  }
  return 0;
}

/** `hrm solve`: solves one puzzle with a checkpoint (see its help). */
export const solveCommand: Command = { help: SOLVE_HELP, run: solve };
