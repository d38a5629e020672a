/**
 * `hrm viz`: the first puzzles of a dataset split through a checkpoint, step by step, on one
 * reasoning page (a selector between the puzzles, a slider over each one's steps).
 * @module
 */
import * as path from 'path';
import { readIdentifiers } from '../data/format';
import { DatasetSplit, readExample } from '../data/format/split';
import { datasetTask } from '../data/puzzle-codec';
import { readCustomTaskInfo } from '../data/custom/vocabulary';
import { solveTokens } from '../eval/solve';
import { MAX_HALT_STEPS } from '../models/hrm/config';
import { ReasoningView, reasoningView, writeReasoningPage } from '../report/reasoning';
import { writeRunIndex } from '../report/run-index';
import { invalidArgument } from '../util/errors';
import { Options, ParsedArgs, rejectExtraWords } from './args';
import { CHECKPOINT_CHOICE_HELP, Command, dataSizesOf, openCheckpoint, requireSplit, resolveCheckpoint, runFolderOf } from './common';

const VIZ_HELP = `hrm viz --checkpoint FILE|RUN_DIR [--best] --data DIR [--puzzles 8] [--split test|train] [--steps K] [--no-adaptive] [--no-inner] [--output FILE]
          [--config all_config.yaml]
  Solves the first --puzzles puzzles of DIR/<split> (one per group: the source puzzle, not its
  augmented versions; its first example) step by step and writes one self-contained page with all
  of them: a selector and a table (steps, halting step, wrong cells), and per puzzle a slider over
  every step and inner update, changed cells outlined, wrong cells marked, the halting step flagged.
  The task (sudoku, maze, arc, custom) comes from the dataset's metadata. --no-inner shows only the steps.
  Writes <run>/viz.html by default (listed in the run's index.html). --steps K: 1 to ${MAX_HALT_STEPS}.
  A reference (torch.save) checkpoint takes its architecture from the all_config.yaml next to it
  (or --config) and its data sizes from DIR.
${CHECKPOINT_CHOICE_HELP}`;

/** One puzzle picked from the split: its example row, tokens and identifier. */
interface PickedPuzzle {
  set: string;
  row: number;
  inputs: Int32Array;
  labels: Int32Array;
  identifier: number;
}

/** The first example of the first puzzle of each of the first `count` groups, over the sets in order. */
function pickPuzzles(split: DatasetSplit, count: number): PickedPuzzle[] {
  const out: PickedPuzzle[] = [];
  for (const set of split.sets.values()) {
    for (let g = 0; g + 1 < set.groupIndices.length && out.length < count; g++) {
      const p = set.groupIndices[g];
      if (p === set.groupIndices[g + 1] || set.puzzleIndices[p] === set.puzzleIndices[p + 1]) continue; // an empty group or puzzle
      const row = set.puzzleIndices[p];
      out.push({ set: set.name, row, ...readExample(set, row), identifier: set.puzzleIdentifiers[p] });
    }
  }
  return out;
}

function viz(args: ParsedArgs): number {
  const o = new Options(args.options);
  const checkpointPath = o.requireString('checkpoint');
  const best = o.flag('best');
  const dataRoot = o.requireString('data');
  const count = o.int('puzzles', 8, { min: 1 })!;
  const split = o.string('split', 'test')!;
  const maxSteps = o.int('steps', undefined, { min: 1, max: MAX_HALT_STEPS });
  const adaptive = o.flag('adaptive', true);
  const inner = o.flag('inner', true);
  const output = o.string('output');
  const config = o.string('config');
  o.rejectUnknown('viz');
  rejectExtraWords('hrm viz', args);
  if (split !== 'train' && split !== 'test') throw invalidArgument(`--split must be train or test, got '${split}'`);
  requireSplit('hrm viz', dataRoot, split, `the puzzles are read from the ${split} split`);
  const checkpoint = resolveCheckpoint(checkpointPath, { best });
  const splitDir = path.join(dataRoot, split);
  const task = datasetTask(splitDir);
  const custom = task === 'custom' ? readCustomTaskInfo(dataRoot) : undefined;
  const names = readIdentifiers(dataRoot);
  const model = openCheckpoint(checkpoint, { config, sizes: () => dataSizesOf(splitDir) });
  const data = new DatasetSplit(splitDir);
  try {
    const m = data.metadata;
    if (m.seq_len !== model.config.seqLen) throw invalidArgument(`${splitDir} has seq_len ${m.seq_len}, the checkpoint's model takes ${model.config.seqLen}`);
    const picked = pickPuzzles(data, count);
    if (picked.length === 0) throw invalidArgument(`${splitDir} has no puzzles`);
    const several = data.sets.size > 1;
    const canvas = task === 'arc' && split === 'train'; // training examples sit at random offsets on the canvas
    const views: ReasoningView[] = picked.map((p, k) => {
      const r = solveTokens(model, p.inputs, { puzzleIdentifier: p.identifier, maxSteps, adaptive, trace: inner });
      const name = p.identifier !== m.blank_identifier_id ? names?.[p.identifier] : undefined;
      const title = `${split} row ${p.row}${several ? ` of set ${p.set}` : ''}${name !== undefined ? ` (${name})` : ''}`;
      // Exact as evaluation counts it: every supervised token right.
      const wrong = p.labels.reduce((n, l, i) => n + (l !== m.ignore_label_id && r.prediction[i] !== l ? 1 : 0), 0);
      console.log(`puzzle ${k + 1}, ${title}: ${r.steps} step(s), halting confidence ${r.haltConfidence.toFixed(3)}, ${wrong === 0 ? 'solved' : `${wrong} token(s) wrong`}`);
      return reasoningView({ task, tokens: p.inputs, custom }, r, { title, solution: p.labels, canvas });
    });
    const file = output ?? path.join(runFolderOf(checkpoint), 'viz.html');
    const notes = [
      `${views.length} ${task} puzzle(s) of ${path.resolve(splitDir)}, one per group, solved by ${path.resolve(checkpoint)}`,
      `${maxSteps ?? model.config.haltMaxSteps} steps at most, ${adaptive ? 'halting when the Q head says halt' : 'no adaptive halting'}${inner ? '; every inner update is a frame' : ''}.`,
    ];
    console.log(`reasoning page: ${writeReasoningPage(file, views, { title: `hrm viz: ${views.length} ${task} puzzle(s), step by step`, notes })}`);
    const run = runFolderOf(checkpoint);
    if (path.dirname(path.resolve(file)) === run) console.log(`run index: ${writeRunIndex(run)}`);
  } finally {
    data.close();
    model.dispose();
  }
  return 0;
}

/** `hrm viz`: the first puzzles of a dataset through a checkpoint, on one reasoning page (see its help). */
export const vizCommand: Command = { help: VIZ_HELP, run: viz };
