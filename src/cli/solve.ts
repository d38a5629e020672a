/**
 * `hrm solve`: one puzzle (Sudoku, maze, ARC task or a custom task's input) through a checkpoint, step by step, with a
 * verdict on the puzzle (is it valid?) and on the answer (does it solve it?).
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { readIdentifiers } from '../data/format';
import { ArcTask, readArcCanvas, readArcTask } from '../data/arc';
import { MAZE_VOCAB_SIZE, mazeDistance, mazePathProblem, validateMaze } from '../data/maze';
import { EncodedPuzzle, Puzzle, UNKNOWN_CELL, encodePuzzle, tokenCells } from '../data/puzzle-codec';
import { readCustomTaskInfo } from '../data/custom/vocabulary';
import { SudokuBox, SudokuGeometry, countSolutions, firstInvalidUnit, sudokuSolutionProblem, sudokuVocabSize } from '../data/sudoku';
import { toSudokuGrid } from '../data/sudoku/grid';
import { solveTokens } from '../eval/solve';
import { MAX_HALT_STEPS } from '../models/hrm/config';
import { reasoningView, writeReasoningPage } from '../report/reasoning';
import { writeRunIndex } from '../report/run-index';
import { hasErrorCode, invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { CHECKPOINT_CHOICE_HELP, Command, DataSizes, checkpointFormat, dataSizesOf, openCheckpoint, resolveCheckpoint, runFolderOf } from './common';

const SOLVE_HELP = `hrm solve --checkpoint FILE|RUN_DIR [--best] (--sudoku PUZZLE [--box RxC] | --maze FILE | --arc TASK.json --data DIR | --input SEQ --data DIR)
          [--steps N] [--no-adaptive]
          [--html FILE] [--config all_config.yaml]
  Solves one puzzle and prints the answer, the steps used, the halting confidence and how the
  prediction changed step by step, then whether the puzzle is valid (Sudoku: no repeated given,
  solvable; maze: one S, one G, G reachable) and whether the answer solves it (Sudoku: a valid
  grid keeping the givens; maze: a shortest S-G path; ARC: the task's test output, when the file
  has it). --input is the input of a custom task (built by 'hrm data custom'; --data DIR is that
  dataset, for its symbols): a JSON list, symbols separated by spaces, or one symbol per character;
  the answer is printed as symbols. --sudoku takes 16, 36 or 81 cells (4x4, 6x6, 9x9); other boards need --box RxC, the box
  shape (--box 2x4: 8x8 boards). --steps N runs at most N steps (1 to ${MAX_HALT_STEPS}; default: the
  model's haltMaxSteps). --html writes a page that shows the answer after every step and every
  inner update (a slider, changed cells outlined, the halting step marked).
  A reference (torch.save) checkpoint takes its architecture from the all_config.yaml next to it
  (or --config) and its data sizes from the puzzle (or --data DIR).
${CHECKPOINT_CHOICE_HELP}`;

/** What the flags ask to solve. */
interface Given {
  sudoku?: string;
  box?: SudokuBox;
  mazeFile?: string;
  arcFile?: string;
  custom?: string;
  dataRoot?: string;
}

/** `--box RxC` as a box shape: a board of (R*C) x (R*C) cells, at most 9x9 (digits 1..9). */
function parseBox(text: string | undefined): SudokuBox | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  const box = m ? { rows: Number(m[1]), cols: Number(m[2]) } : undefined;
  if (!box || box.rows < 1 || box.cols < 1 || box.rows * box.cols < 2 || box.rows * box.cols > 9) {
    throw invalidArgument(`--box must be RxC, the rows and columns of a box, with a board side R*C from 2 to 9 (e.g. 2x3 for 6x6 boards), got '${text}'`);
  }
  return box;
}

/** Checks the number of cells of --sudoku against the board --box (or the size) implies, in the CLI's words. */
function checkSudokuSize(sudoku: string, box: SudokuBox | undefined): void {
  const cells = sudoku.length;
  if (box) {
    const n = box.rows * box.cols;
    if (cells !== n * n) throw invalidArgument(`--sudoku has ${cells} cells, but --box ${box.rows}x${box.cols} makes ${n}x${n} boards of ${n * n} cells`);
  } else if (cells !== 16 && cells !== 36 && cells !== 81) {
    throw invalidArgument(`--sudoku has ${cells} cells; a 4x4, 6x6 or 9x9 board has 16, 36 or 81 (for a board with another box shape give --box RxC, e.g. --box 2x4 for 8x8 boards of 64 cells)`);
  }
}

/** The puzzle the flags name, read from its file where it has one; errors name the flag. */
function givenPuzzle(g: Given): { puzzle: Puzzle; arcTask?: ArcTask } {
  if (g.sudoku !== undefined) {
    checkSudokuSize(g.sudoku, g.box);
    return { puzzle: { sudoku: g.sudoku, box: g.box } };
  }
  if (g.mazeFile !== undefined) {
    if (!fs.existsSync(g.mazeFile)) throw invalidArgument(`--maze: ${g.mazeFile} does not exist`);
    return { puzzle: { maze: fs.readFileSync(g.mazeFile, 'utf8') } };
  }
  if (g.custom !== undefined) {
    if (!g.dataRoot) throw invalidArgument("hrm solve --input needs --data DIR (the custom dataset the model was trained on, for its symbols)");
    return { puzzle: { custom: g.custom, info: readCustomTaskInfo(g.dataRoot) } };
  }
  if (!g.dataRoot) throw invalidArgument('hrm solve --arc needs --data DIR (the ARC dataset the model was trained on, for the task identifier)');
  if (!fs.existsSync(g.arcFile!)) throw invalidArgument(`--arc: ${g.arcFile} does not exist`);
  const arcTask = readArcTask(g.arcFile!);
  return { puzzle: { arcTask, identifiers: readIdentifiers(g.dataRoot) ?? [], canvas: readArcCanvas(g.dataRoot) }, arcTask };
}

/** The flag a puzzle came from, to prefix its errors. */
const flagOf = (g: Given) => (g.sudoku !== undefined ? '--sudoku' : g.mazeFile !== undefined ? '--maze' : g.custom !== undefined ? '--input' : '--arc');

/** The sizes a reference checkpoint's model gets from this puzzle (ARC: from the dataset). */
function sizesOf(puzzle: EncodedPuzzle, dataRoot: string | undefined): DataSizes {
  if (dataRoot) return dataSizesOf(dataRoot);
  const seqLen = puzzle.tokens.length;
  if (puzzle.task === 'sudoku') return { seqLen, vocabSize: sudokuVocabSize(puzzle.rows), numPuzzleIdentifiers: 1 };
  if (puzzle.task === 'maze') return { seqLen, vocabSize: MAZE_VOCAB_SIZE, numPuzzleIdentifiers: 1 };
  throw invalidArgument(`hrm solve ${puzzle.task === 'arc' ? '--arc' : '--input'} needs --data DIR`);
}

/** A token row as text, one line per grid row; cells the task has no name for are '?'. */
function show(puzzle: EncodedPuzzle, tokens: ArrayLike<number>): string {
  try {
    return puzzle.format(tokens);
  } catch {
    // An answer with tokens that are no cell of the task (an untrained model may predict padding).
    return tokenCells(puzzle.task, tokens, { custom: puzzle.custom })
      .map((row) => row.map((c) => (c === '' ? '.' : c)).join(''))
      .join('\n');
  }
}

/** A verdict line, and whether it is good news. */
interface Verdict {
  ok: boolean;
  text: string;
}
const bad = (why: string): Verdict => ({ ok: false, text: `the puzzle is not valid: ${why}` });

/** Whether the puzzle is valid: Sudoku givens without repeats and solvable; a maze with one S and one G, G reachable. */
function puzzleVerdict(puzzle: EncodedPuzzle, g: Given): Verdict | undefined {
  if (puzzle.task === 'sudoku') {
    const { geo, cells } = toSudokuGrid(g.sudoku!, g.box, '--sudoku');
    const repeat = firstInvalidUnit(cells, geo);
    if (repeat) return bad(`${repeat} (no solution)`);
    const solutions = countSolutions(cells, 2, geo.box);
    if (solutions === 0) return bad('it has no solution');
    return { ok: true, text: solutions === 1 ? 'the puzzle is valid: it has one solution' : 'the puzzle is valid, but has more than one solution' };
  }
  if (puzzle.task === 'maze') {
    const question = show(puzzle, puzzle.tokens).replace(/\n/g, '');
    try {
      validateMaze(question, undefined, 'maze');
    } catch (e) {
      return bad((e as Error).message.replace(/^maze: /, ''));
    }
    const d = mazeDistance(question);
    return d === null ? bad('G cannot be reached from S') : { ok: true, text: `the puzzle is valid: its shortest path from S to G has ${d} moves` };
  }
  return undefined;
}

/** Whether the answer solves the puzzle, in one line. */
function answerVerdict(puzzle: EncodedPuzzle, g: Given, prediction: Int32Array, arcTask: ArcTask | undefined): string | undefined {
  if (puzzle.task === 'arc') {
    const expected = arcTask?.test[0]?.output;
    if (!Array.isArray(expected)) return undefined;
    let answer: unknown;
    try {
      answer = puzzle.decode(prediction);
    } catch (e) {
      return `the answer is not a grid: ${(e as Error).message}`;
    }
    return JSON.stringify(answer) === JSON.stringify(expected) ? "the answer is the task's test output" : "the answer is not the task's test output";
  }
  const cells = tokenCells(puzzle.task, prediction, { custom: puzzle.custom });
  const unknown = cells.flat().filter((c) => c === UNKNOWN_CELL).length;
  if (puzzle.task === 'custom') return unknown ? `${unknown} token(s) of the answer are no symbol of the task` : undefined; // a custom task has no rule to check against
  if (unknown) return `the answer does not solve the puzzle: ${unknown} cell(s) hold a token that is no ${puzzle.task === 'sudoku' ? 'digit' : 'maze cell'}`;
  if (puzzle.task === 'sudoku') {
    const geo = SudokuGeometry.forCells(prediction.length, g.box);
    const answer = cells.flat().map((c) => (c === '' ? 0 : Number(c)));
    const problem = sudokuSolutionProblem(toSudokuGrid(g.sudoku!, geo.box, '--sudoku').cells, answer, geo.box);
    return problem === null ? 'the answer solves the puzzle' : `the answer does not solve the puzzle: ${problem}`;
  }
  const question = show(puzzle, puzzle.tokens).replace(/\n/g, '');
  const problem = mazePathProblem(question, cells.flat().join(''));
  return problem === null ? 'the answer is a shortest path from S to G' : `the answer is not a shortest path from S to G: ${problem}`;
}

function solve(args: ParsedArgs): number {
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const best = o.flag('best');
  const given: Given = { sudoku: o.string('sudoku'), box: parseBox(o.string('box')), mazeFile: o.string('maze'), arcFile: o.string('arc'), custom: o.string('input'), dataRoot: o.string('data') };
  const maxSteps = o.int('steps', undefined, { min: 1, max: MAX_HALT_STEPS });
  const adaptive = o.flag('adaptive', true);
  const html = o.string('html');
  const config = o.string('config');
  o.rejectUnknown('solve');
  rejectExtraWords('hrm solve', args);
  if ([given.sudoku, given.mazeFile, given.arcFile, given.custom].filter((x) => x !== undefined).length !== 1) throw invalidArgument('hrm solve: give exactly one of --sudoku, --maze, --arc, --input');
  if (given.box && given.sudoku === undefined) throw invalidArgument('--box is the box shape of a --sudoku board; there is no --sudoku');
  const checkpoint = resolveCheckpoint(checkpointPath, { best });
  const reference = checkpointFormat(checkpoint) === 'torch.save';
  if (given.dataRoot !== undefined && given.arcFile === undefined && given.custom === undefined && !reference) {
    throw invalidArgument('--data is for --arc (the dataset of the task identifiers), --input (the custom dataset of the symbols) or a reference checkpoint (its data sizes)');
  }
  const { puzzle: raw, arcTask } = givenPuzzle(given);
  let puzzle: EncodedPuzzle;
  try {
    puzzle = encodePuzzle(raw);
  } catch (e) {
    if (hasErrorCode(e, 'INVALID_ARGUMENT') || hasErrorCode(e, 'INVALID_DATA')) throw invalidArgument(`${flagOf(given)}: ${(e as Error).message}`);
    throw e;
  }
  const model = openCheckpoint(checkpoint, { config, sizes: () => sizesOf(puzzle, given.dataRoot) });
  try {
    if (puzzle.task !== 'arc') console.log(`puzzle:\n${show(puzzle, puzzle.tokens)}`);
    const validity = puzzleVerdict(puzzle, given);
    if (validity) console.log(validity.text);
    if (puzzle.tokens.length !== model.config.seqLen) throw invalidArgument(`${flagOf(given)}: the puzzle has ${puzzle.tokens.length} tokens, the checkpoint's model takes ${model.config.seqLen}`);
    const r = solveTokens(model, puzzle.tokens, { puzzleIdentifier: puzzle.puzzleIdentifier, maxSteps, adaptive, trace: html !== undefined });
    r.perStep.forEach((s, i) => {
      const changed = i === 0 ? s.prediction.length : s.prediction.reduce((n, v, j) => n + (v !== r.perStep[i - 1].prediction[j] ? 1 : 0), 0);
      console.log(`step ${i + 1}: halt probability ${s.haltProbability.toFixed(3)}, ${changed} cells changed`);
    });
    console.log(`answer after ${r.steps} step(s), halting confidence ${r.haltConfidence.toFixed(3)}:\n${show(puzzle, r.prediction)}`);
    const verdict = validity?.ok === false ? 'the answer does not solve the puzzle: no answer can (the puzzle is not valid)' : answerVerdict(puzzle, given, r.prediction, arcTask);
    if (verdict) console.log(verdict);
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
