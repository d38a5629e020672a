/**
 * `hrm solve`: one puzzle (Sudoku, maze or ARC task) through a checkpoint, step by step.
 * @module
 */
import * as fs from 'fs';
import { readIdentifiers } from '../data/format';
import { decodeSudoku, encodeSudoku, formatSudoku, parseSudoku } from '../data/sudoku';
import { decodeMaze, encodeMaze } from '../data/maze';
import { decodeArcGrid, encodeArcGrid, readArcTask } from '../data/arc';
import { loadModel, solveTokens } from '../eval/solve';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { Command, resolveCheckpoint } from './common';

const SOLVE_HELP = `hrm solve --checkpoint FILE|RUN_DIR (--sudoku PUZZLE | --maze FILE | --arc TASK.json --data DIR) [--steps N] [--no-adaptive]
  Solves one puzzle and prints the answer, the steps used, the halting confidence and how the
  prediction changed step by step.`;

/** A puzzle as the model takes it, and how to print a prediction. */
interface EncodedPuzzle {
  tokens: Uint8Array;
  puzzleIdentifier: number;
  /** the puzzle as printable rows, when worth showing before the answer */
  question?: string;
  show(prediction: Int32Array): string;
}

/** A square grid's cells (a string of n*n characters) as n lines. */
const squareRows = (cells: string) => cells.match(new RegExp(`.{${Math.round(Math.sqrt(cells.length))}}`, 'g'))!.join('\n');

// The task codecs (sudoku, maze, ARC) are each written once here; a shared puzzle codec in
// src/data can replace this function and its twin in src/eval/solve.ts.
function encodeGiven(o: { sudoku?: string; mazeFile?: string; arcFile?: string; dataRoot?: string }): EncodedPuzzle {
  if (o.sudoku !== undefined) {
    const grid = parseSudoku(o.sudoku);
    return { tokens: encodeSudoku(grid), puzzleIdentifier: 0, question: squareRows(formatSudoku(grid)), show: (t) => squareRows(formatSudoku(decodeSudoku(Array.from(t)))) };
  }
  if (o.mazeFile !== undefined) {
    const text = fs.readFileSync(o.mazeFile, 'utf8').replace(/\r/g, '');
    const grid = text.includes('\n') ? text.split('\n').filter((l) => l.length).join('') : text.trim();
    return { tokens: encodeMaze(grid), puzzleIdentifier: 0, show: (t) => squareRows(decodeMaze(Array.from(t))) };
  }
  if (!o.dataRoot) throw invalidArgument('hrm solve --arc needs --data DIR (the ARC dataset the model was trained on, for the task identifier)');
  const task = readArcTask(o.arcFile!);
  const puzzleIdentifier = (readIdentifiers(o.dataRoot) ?? []).indexOf(task.name);
  if (puzzleIdentifier < 0) throw invalidArgument(`task ${task.name} is not in ${o.dataRoot}/identifiers.json: the model has no puzzle embedding for it`);
  return { tokens: encodeArcGrid(task.test[0].input), puzzleIdentifier, show: (t) => decodeArcGrid(Array.from(t)).map((r) => r.join('')).join('\n') };
}

function solve(args: ParsedArgs): number {
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const given = { sudoku: o.string('sudoku'), mazeFile: o.string('maze'), arcFile: o.string('arc'), dataRoot: o.string('data') };
  const maxSteps = o.int('steps');
  const adaptive = o.flag('adaptive', true);
  o.rejectUnknown('solve');
  rejectExtraWords('hrm solve', args);
  if ([given.sudoku, given.mazeFile, given.arcFile].filter((x) => x !== undefined).length !== 1) throw invalidArgument('hrm solve: give exactly one of --sudoku, --maze, --arc');
  const model = loadModel(resolveCheckpoint(checkpointPath));
  try {
    const puzzle = encodeGiven(given);
    if (puzzle.question) console.log(`puzzle:\n${puzzle.question}`);
    if (puzzle.tokens.length !== model.config.seqLen) throw invalidArgument(`the puzzle has ${puzzle.tokens.length} tokens, the checkpoint's model takes ${model.config.seqLen}`);
    const r = solveTokens(model, puzzle.tokens, { puzzleIdentifier: puzzle.puzzleIdentifier, maxSteps, adaptive });
    r.perStep.forEach((s, i) => {
      const changed = i === 0 ? s.prediction.length : s.prediction.reduce((n, v, j) => n + (v !== r.perStep[i - 1].prediction[j] ? 1 : 0), 0);
      console.log(`step ${i + 1}: halt probability ${s.haltProbability.toFixed(3)}, ${changed} cells changed`);
    });
    console.log(`answer after ${r.steps} step(s), halting confidence ${r.haltConfidence.toFixed(3)}:\n${puzzle.show(r.prediction)}`);
  } finally {
    model.dispose();
  }
  return 0;
}

/** `hrm solve`: solves one puzzle with a checkpoint (see its help). */
export const solveCommand: Command = { help: SOLVE_HELP, run: solve };
