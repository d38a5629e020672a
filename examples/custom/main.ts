/**
 * Your own task with HRM: sorting. Each example is a row of 8 digits and the same digits in
 * ascending order; the example writes them as JSONL, builds the dataset with the custom builder
 * (a shuffle of the input as augmentation: the sorted output stays the same), trains with the CPU
 * preset of `hrm train --task custom`, evaluates on held-out rows and sorts one.
 *
 *   npx hrm example custom (npm run example:custom in a checkout)   # CPU-sized (minutes)
 * The same from the command line, on your own JSONL (see README, "Your own task"):
 *   hrm data custom --input train.jsonl --test test.jsonl --vocab 10 --seq-len 8 --output-dir data
 *   hrm train --task custom --data data
 */
import * as fs from 'fs';
import * as path from 'path';
import { PRESETS, data } from 'hrm-torch';
import { exampleFolders, heldOutSummary, runExample, showSolved, trainExample, writeExampleSummary } from '../common';

const { Rng, buildCustomDataset, readCustomVocabulary } = data;
const folders = exampleFolders(process.env.EXAMPLE_DIR ?? 'runs/example-custom');

// The recipe (BENCHMARKS.md, "Learning: the examples"): 12,000 distinct rows, one shuffled version
// each, trained with the CPU preset of `hrm train --task custom` (the Sudoku example's model, 4
// passes = 750 steps); held-out exact passes 80% by the end of the schedule (73% at its middle).
const LENGTH = 8;
const TRAIN = 12000;
const TEST = 500;
const AUGMENTATIONS = 1;
const DIGITS = '0123456789';

/** `n` distinct rows of LENGTH random digits, none of them in `taken`, each with its sorted copy. */
function sortingExamples(n: number, rng: InstanceType<typeof Rng>, taken: Set<string>): { input: string; output: string }[] {
  const out: { input: string; output: string }[] = [];
  while (out.length < n) {
    const input = Array.from({ length: LENGTH }, () => DIGITS[rng.int(DIGITS.length)]).join('');
    if (taken.has(input)) continue;
    taken.add(input);
    out.push({ input, output: [...input].sort().join('') });
  }
  return out;
}

const writeJsonl = (file: string, rows: object[]) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
};

async function main(): Promise<void> {
  // 1. The task as JSONL: {"input": "31415926", "output": "11234569"} a line (a string is one symbol per character).
  const rng = new Rng(0);
  const taken = new Set<string>();
  const trainFile = path.join(folders.root, 'source', 'train.jsonl');
  const testFile = path.join(folders.root, 'source', 'test.jsonl');
  writeJsonl(trainFile, sortingExamples(TRAIN, rng, taken));
  writeJsonl(testFile, sortingExamples(TEST, rng, taken));
  console.log(`data: ${TRAIN} training and ${TEST} held-out rows of ${LENGTH} digits to sort`);
  // 2. The dataset, in the reference's format. The augmentation shuffles the input: its sorted output is unchanged.
  const built = buildCustomDataset({
    input: trainFile,
    test: testFile,
    vocab: [...DIGITS],
    seqLen: LENGTH,
    augment: (input, output, r) => ({ input: r.shuffle([...input]), output }),
    augmentations: AUGMENTATIONS,
    outputDir: folders.data,
    overwrite: true,
  });
  console.log(`dataset: ${built.train.examples} training examples (${built.train.groups} rows, each with ${AUGMENTATIONS} shuffled version), ${built.test!.examples} held out`);
  // 3. Train with the preset of `hrm train --task custom`.
  const { dataPath: _, ...preset } = PRESETS.custom.cpu;
  const trained = await trainExample(folders, preset);
  const { trainer } = trained;
  console.log(`\n${heldOutSummary(trained)} after ${trained.seconds.toFixed(0)} s of training`);
  writeExampleSummary(folders, trained, { example: 'example:custom', task: `sorting ${LENGTH} digits (custom builder, JSONL), ${TRAIN} training / ${TEST} held-out rows` });
  // 4. Sort one held-out row.
  const vocab = readCustomVocabulary(folders.data);
  const row = JSON.parse(fs.readFileSync(testFile, 'utf8').split('\n')[0]) as { input: string; output: string };
  const symbols = (tokens: ArrayLike<number>) => Array.from(tokens, (t) => vocab.symbol(t) ?? '?').join(' ');
  showSolved(trainer.model, {
    tokens: Uint8Array.from([...row.input], (s) => vocab.token(s)!),
    question: { title: 'input', rows: [[...row.input].join(' ')] },
    answer: { title: 'sorted', rows: [[...row.output].join(' ')] },
    rows: (prediction) => [symbols(prediction)],
  });
  trainer.dispose();
}

runExample(main);
