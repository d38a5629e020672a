/**
 * The custom-task dataset builder: examples from a JSONL or CSV file (or in memory) -> a dataset
 * folder in the reference's format (hrm-spec 6.1), as the Sudoku and maze builders write theirs:
 * one puzzle of one example per source example, grouped with its augmented versions, all with the
 * blank identifier; and `custom.json`, the vocabulary, beside the splits.
 * @module
 */
import * as path from 'path';
import { describeValue, invalidArgument, invalidData } from '../../util/errors';
import { checkPath } from '../../util/path';
import { DatasetMetadata, writeIdentifiers, writeMetadata } from '../format/dataset';
import { checkDatasetOutput, writeDatasetFolder } from '../format/dataset-folder';
import { SetWriter } from '../format/set-writer';
import { Rng } from '../random';
import { CustomExample, CustomFileFormat, CustomRecord, CustomSequence, encodeCustomSide, readCustomExamples } from './examples';
import { CUSTOM_PAD, CustomSymbol, CustomVocabulary, writeCustomTaskInfo } from './vocabulary';

/**
 * An augmentation: a new version of a training example from the original (the arguments are the
 * example as read: lists of symbols, or grids as lists of rows) and a seeded generator. It must not
 * change its arguments.
 */
export type CustomAugmentation = (input: CustomSequence, output: CustomSequence, rng: Rng) => CustomExample;

/** Options of {@link buildCustomDataset}. */
export interface CustomBuildOptions {
  /** The training examples: a JSONL or CSV file, or the examples themselves. */
  input: string | readonly CustomExample[];
  /** Held-out examples (a file or a list); excludes testFraction. */
  test?: string | readonly CustomExample[];
  /** The share of the input's examples held out as the test split, drawn with `seed` (in (0, 1)); excludes test. */
  testFraction?: number;
  /** The file format when a file's extension does not say it ('jsonl' or 'csv'). */
  format?: CustomFileFormat;
  /** The symbols (token i + 1 is vocab[i]; numbers stand for their decimal strings), or a count V for the symbols 0..V-1. */
  vocab: readonly CustomSymbol[] | number;
  /** Tokens per example: shorter sides are padded with PAD (0), longer ones are an error. */
  seqLen: number;
  /** Makes `augmentations` new versions of every training example (the test split is never augmented). */
  augment?: CustomAugmentation;
  /** How many versions `augment` makes per training example, besides the original (default 1 when augment is given). */
  augmentations?: number;
  /** Seed of the test draw and of the augmentations' generator. Default 0. */
  seed?: number;
  /** The dataset folder to write, complete or not at all ({@link writeDatasetFolder}). */
  outputDir: string;
  /** Replace a dataset already in outputDir, as a whole (default false: refuse). */
  overwrite?: boolean;
  /** how the caller asks to overwrite, for the refusal (default 'pass overwrite: true') */
  overwriteHint?: string;
  /** Called after each example is written. */
  onProgress?: (p: { split: 'train' | 'test'; done: number; total: number }) => void;
}

/** The counts of one written split. */
export interface CustomSplitSummary {
  /** groups (one per source example) */
  groups: number;
  /** puzzles (the source example and its augmented versions) */
  puzzles: number;
  /** examples (one per puzzle) */
  examples: number;
}

/** What {@link buildCustomDataset} wrote. */
export interface CustomBuildResult {
  /** the dataset folder */
  outputDir: string;
  /** tokens per example */
  seqLen: number;
  /** token ids, PAD included */
  vocabSize: number;
  /** the train split */
  train: CustomSplitSummary;
  /** the test split, when there is one */
  test?: CustomSplitSummary;
}

type Split = 'train' | 'test';

/** Examples as records: read from a file, or a list given in code (its "lines" are its indices + 1). */
function records(source: string | readonly CustomExample[], what: string, format: CustomFileFormat | undefined): CustomRecord[] {
  if (typeof source === 'string') return readCustomExamples(checkPath(source, what), format);
  if (!Array.isArray(source)) throw invalidArgument(`${what} must be a file path or a list of {input, output} examples, got ${describeValue(source)}`);
  if (source.length === 0) throw invalidData(`${what}: the list of examples is empty`);
  return source.map((e, i) => {
    if (e === null || typeof e !== 'object' || !('input' in e) || !('output' in e)) throw invalidData(`${what}[${i}]: expected an {input, output} example, got ${describeValue(e)}`);
    return { input: e.input, output: e.output, file: what, line: i + 1 };
  });
}

function checkOptions(o: CustomBuildOptions): void {
  if (!o || typeof o !== 'object') throw invalidArgument(`buildCustomDataset: expected an options object, got ${describeValue(o)}`);
  checkPath(o.outputDir, 'buildCustomDataset(): options.outputDir');
  if (!Number.isInteger(o.seqLen) || o.seqLen < 1) throw invalidArgument(`buildCustomDataset: seqLen must be a positive integer (tokens per example), got ${describeValue(o.seqLen)}`);
  if (o.test !== undefined && o.testFraction !== undefined) throw invalidArgument('buildCustomDataset: give test (held-out examples) or testFraction, not both');
  const f = o.testFraction;
  if (f !== undefined && !(typeof f === 'number' && f > 0 && f < 1)) throw invalidArgument(`buildCustomDataset: testFraction must be a number in (0, 1), got ${describeValue(f)}`);
  if (o.augment !== undefined && typeof o.augment !== 'function') throw invalidArgument(`buildCustomDataset: augment must be a function (input, output, rng) => {input, output}, got ${describeValue(o.augment)}`);
  const n = o.augmentations;
  if (n !== undefined && !(Number.isInteger(n) && n >= 0)) throw invalidArgument(`buildCustomDataset: augmentations must be an integer >= 0, got ${describeValue(n)}`);
  if (n !== undefined && n > 0 && o.augment === undefined) throw invalidArgument(`buildCustomDataset: augmentations is ${n} but there is no augment function to make them`);
  const seed = o.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw invalidArgument(`buildCustomDataset: seed must be an integer >= 0, got ${describeValue(seed)}`);
  if (o.format !== undefined && o.format !== 'jsonl' && o.format !== 'csv') throw invalidArgument(`buildCustomDataset: format must be 'jsonl' or 'csv', got ${describeValue(o.format)}`);
}

/** Holds out round(fraction * n) examples (at least one, and at least one left to train on), drawn with the seed; both keep the file order. */
function splitByFraction(all: CustomRecord[], fraction: number, rng: Rng): Record<Split, CustomRecord[]> {
  const k = Math.round(fraction * all.length);
  if (k < 1 || k >= all.length) throw invalidData(`${all[0].file}: testFraction ${fraction} of ${all.length} examples holds out ${k}; it must leave at least one example in each split`);
  const held = new Set(rng.sample(all.length, k));
  return { train: all.filter((_, i) => !held.has(i)), test: all.filter((_, i) => held.has(i)) };
}

/** The grid width shared by every side of every example, or undefined (then the viewer shows flat sequences). */
class GridWidth {
  private width: number | undefined | null = null; // null: nothing seen yet

  see(columns: number | undefined): void {
    this.width = this.width === null || this.width === columns ? columns : undefined;
  }

  get value(): number | undefined {
    return this.width ?? undefined;
  }
}

/** dataset.json of a custom split: one shared identifier, PAD labels ignored, one example per puzzle. */
function customMetadata(vocabSize: number, seqLen: number, groups: number, puzzles: number): DatasetMetadata {
  return {
    pad_id: CUSTOM_PAD,
    ignore_label_id: CUSTOM_PAD,
    blank_identifier_id: 0,
    vocab_size: vocabSize,
    seq_len: seqLen,
    num_puzzle_identifiers: 1,
    total_groups: groups,
    mean_puzzle_examples: 1,
    sets: ['all'],
    total_puzzles: puzzles,
  };
}

/** One source example and its versions, encoded: input and label rows, one pair per puzzle. */
interface EncodedGroup {
  versions: { input: Uint8Array; label: Uint8Array }[];
}

/**
 * Builds a custom-task dataset:
 * `<outputDir>/{train,test}/dataset.json` + `all__{inputs,labels,puzzle_identifiers,puzzle_indices,group_indices}.npy`,
 * `<outputDir>/identifiers.json` = ["<blank>"] and `<outputDir>/custom.json` (the symbols, seqLen,
 * grid width). Each example is one puzzle of one example (identifier 0); a training example and
 * its `augmentations` versions made by `augment` form one group; the test split (a file, a list,
 * or `testFraction` of the input drawn with `seed`) is never augmented. Sides shorter than seqLen
 * are padded with PAD (0), which the loss ignores in labels. Every example (augmented versions
 * included) is checked and encoded before the first file is written; errors name the file, line
 * and side. The folder is written complete or not at all; an existing dataset is replaced only with
 * `overwrite`.
 */
export function buildCustomDataset(options: CustomBuildOptions): CustomBuildResult {
  checkOptions(options);
  const { seqLen, augment, seed = 0, onProgress } = options;
  const vocab = new CustomVocabulary(options.vocab);
  const folder = { outputDir: options.outputDir, overwrite: options.overwrite, overwriteHint: options.overwriteHint };
  checkDatasetOutput(folder);
  const rng = new Rng(seed);
  const all = records(options.input, 'input', options.format);
  const splits: Partial<Record<Split, CustomRecord[]>> =
    options.testFraction !== undefined ? splitByFraction(all, options.testFraction, rng.fork()) : { train: all, test: options.test !== undefined ? records(options.test, 'test', options.format) : undefined };
  const count = augment ? (options.augmentations ?? 1) : 0;
  const width = new GridWidth();
  const encode = (side: unknown, where: string) => {
    const e = encodeCustomSide(side, vocab, seqLen, where);
    width.see(e.gridColumns);
    return e.tokens;
  };
  const augRng = rng.fork();
  const encodeSplit = (split: Split, recs: CustomRecord[]): EncodedGroup[] =>
    recs.map((r) => {
      const at = `${r.file} line ${r.line}`;
      const versions = [{ input: encode(r.input, `${at}: input`), label: encode(r.output, `${at}: output`) }];
      for (let k = 1; split === 'train' && k <= count; k++) {
        const made = augment!(r.input, r.output, augRng);
        const aug = `${at}, augmentation ${k}`;
        if (made === null || typeof made !== 'object' || !('input' in made) || !('output' in made)) throw invalidData(`${aug}: augment must return {input, output}, returned ${describeValue(made)}`);
        versions.push({ input: encode(made.input, `${aug}: input`), label: encode(made.output, `${aug}: output`) });
      }
      return { versions };
    });
  const encoded: Partial<Record<Split, EncodedGroup[]>> = { train: encodeSplit('train', splits.train!) };
  if (splits.test) encoded.test = encodeSplit('test', splits.test);
  return writeDatasetFolder(folder, (dir) => {
    const summary: Partial<Record<Split, CustomSplitSummary>> = {};
    for (const split of ['train', 'test'] as const) {
      const groups = encoded[split];
      if (groups) summary[split] = writeSplit(path.join(dir, split), split, groups, seqLen, vocab.vocabSize, onProgress);
    }
    writeIdentifiers(dir, ['<blank>']);
    writeCustomTaskInfo(dir, { symbols: [...vocab.symbols], seqLen, gridColumns: width.value });
    return { outputDir: options.outputDir, seqLen, vocabSize: vocab.vocabSize, train: summary.train!, test: summary.test };
  });
}

function writeSplit(dir: string, split: Split, groups: EncodedGroup[], seqLen: number, vocabSize: number, onProgress: CustomBuildOptions['onProgress']): CustomSplitSummary {
  const writer = new SetWriter(dir, 'all', seqLen);
  try {
    groups.forEach((g, i) => {
      for (const v of g.versions) writer.addPuzzle(0, v.input, v.label);
      writer.endGroup();
      onProgress?.({ split, done: i + 1, total: groups.length });
    });
  } catch (e) {
    writer.abort();
    throw e;
  }
  const counts = writer.finish();
  writeMetadata(dir, customMetadata(vocabSize, seqLen, counts.totalGroups, counts.totalPuzzles));
  return { groups: counts.totalGroups, puzzles: counts.totalPuzzles, examples: counts.totalExamples };
}
