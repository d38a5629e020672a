/** The custom-task builder (src/data/custom): JSONL/CSV -> the reference format, read back by the split reader; every bad input's error; the augmentation hook. */
import * as fs from 'fs';
import * as path from 'path';
import { CustomExample, buildCustomDataset, readCustomTaskInfo } from '../../../src/data/custom';
import { DatasetSplit, readExample, readIdentifiers, readMetadata } from '../../../src/data/format';
import { datasetTask, encodePuzzle, tokenCells } from '../../../src/data/puzzle-codec';
import { Rng } from '../../../src/data/random';
import { scratchFolders } from '../scratch';

const scratch = scratchFolders('custom-data-');

const writeLines = (file: string, lines: string[]) => {
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
};
const jsonl = (dir: string, name: string, rows: unknown[]) => writeLines(path.join(dir, name), rows.map((r) => JSON.stringify(r)));

/** Every example of a split as read back: per group, per puzzle, the input and label rows. */
function readBack(splitDir: string): { inputs: number[]; labels: number[] }[][] {
  const split = new DatasetSplit(splitDir);
  try {
    const set = split.sets.get('all')!;
    const groups: { inputs: number[]; labels: number[] }[][] = [];
    for (let g = 0; g + 1 < set.groupIndices.length; g++) {
      const puzzles = [];
      for (let p = set.groupIndices[g]; p < set.groupIndices[g + 1]; p++) {
        expect(set.puzzleIndices[p + 1] - set.puzzleIndices[p]).toBe(1); // one example per puzzle
        expect(set.puzzleIdentifiers[p]).toBe(0);
        const e = readExample(set, set.puzzleIndices[p]);
        puzzles.push({ inputs: Array.from(e.inputs), labels: Array.from(e.labels) });
      }
      groups.push(puzzles);
    }
    return groups;
  } finally {
    split.close();
  }
}

/** Tokens of symbols under a vocabulary list (symbol i is token i + 1), padded with 0 to seqLen. */
const tokens = (symbols: string[], vocab: string[], seqLen: number) => [...symbols.map((s) => vocab.indexOf(s) + 1), ...Array(seqLen - symbols.length).fill(0)];

test('JSONL round trip: strings, lists and grids read back as the tokens of their symbols, PAD after them; metadata, identifiers and custom.json', () => {
  const dir = scratch();
  const vocab = ['a', 'b', 'c', '10'];
  const rows = [
    { input: 'abc', output: 'cba' },
    { input: ['a', 10, 'b'], output: ['10'] }, // a number is its decimal string
    { input: [['a', 'b'], ['c', 'a']], output: [['b', 'b'], ['a', 'c']] }, // a grid, row-major
  ];
  const train = jsonl(dir, 'train.jsonl', rows);
  const test = jsonl(dir, 'test.jsonl', [{ input: 'cc', output: 'aa' }]);
  const out = path.join(dir, 'data');
  const r = buildCustomDataset({ input: train, test, vocab, seqLen: 5, outputDir: out });
  expect(r).toEqual({ outputDir: out, seqLen: 5, vocabSize: 5, train: { groups: 3, puzzles: 3, examples: 3 }, test: { groups: 1, puzzles: 1, examples: 1 } });
  const flat = (x: unknown): string[] => (Array.isArray(x) ? x.flat().map(String) : [...(x as string)]);
  expect(readBack(path.join(out, 'train'))).toEqual(rows.map((e) => [{ inputs: tokens(flat(e.input), vocab, 5), labels: tokens(flat(e.output), vocab, 5) }]));
  expect(readBack(path.join(out, 'test'))).toEqual([[{ inputs: tokens(['c', 'c'], vocab, 5), labels: tokens(['a', 'a'], vocab, 5) }]]);
  expect(readMetadata(path.join(out, 'train'))).toMatchObject({ pad_id: 0, ignore_label_id: 0, vocab_size: 5, seq_len: 5, num_puzzle_identifiers: 1, total_groups: 3, mean_puzzle_examples: 1, sets: ['all'] });
  expect(readIdentifiers(out)).toEqual(['<blank>']);
  expect(readCustomTaskInfo(out)).toEqual({ symbols: vocab, seqLen: 5, gridColumns: undefined }); // mixed shapes: no grid width
  expect(datasetTask(path.join(out, 'test'))).toBe('custom');
});

test('CSV round trip (JSON lists, space-separated symbols, characters) and an integer vocabulary size; grids of one width record it', () => {
  const dir = scratch();
  const csv = writeLines(path.join(dir, 'train.csv'), ['id,input,output', '1,"[[0,1],[2,3]]","[[3,2],[1,0]]"', '2,3 2 1 0,0 1 2 3', '', '3,0123,3210']);
  const out = path.join(dir, 'data');
  buildCustomDataset({ input: csv, vocab: 4, seqLen: 4, outputDir: out });
  const t = (s: number[]) => s.map((v) => v + 1);
  expect(readBack(path.join(out, 'train'))).toEqual([
    [{ inputs: t([0, 1, 2, 3]), labels: t([3, 2, 1, 0]) }],
    [{ inputs: t([3, 2, 1, 0]), labels: t([0, 1, 2, 3]) }],
    [{ inputs: t([0, 1, 2, 3]), labels: t([3, 2, 1, 0]) }],
  ]);
  expect(fs.existsSync(path.join(out, 'test'))).toBe(false);
  // Only grids, all 2 wide: the viewer and solve show rows of 2.
  const grids = jsonl(dir, 'grids.jsonl', [{ input: [[0, 1], [2, 3]], output: [[1, 1], [0, 0]] }]);
  const g = path.join(dir, 'grid-data');
  buildCustomDataset({ input: grids, vocab: 4, seqLen: 4, outputDir: g });
  const info = readCustomTaskInfo(g);
  expect(info.gridColumns).toBe(2);
  expect(tokenCells('custom', [1, 2, 3, 0], { custom: info })).toEqual([['0', '1'], ['2', '']]);
  const p = encodePuzzle({ custom: '[[3,2],[1,0]]', info });
  expect(Array.from(p.tokens)).toEqual([4, 3, 2, 1]);
  expect([p.rows, p.cols]).toEqual([2, 2]);
  expect(p.decode([2, 3, 0, 0])).toBe('12');
  expect(p.format([2, 3, 0, 0])).toBe('12\n..');
});

test('testFraction holds out that share, drawn with the seed: the two splits partition the input, in file order', () => {
  const dir = scratch();
  const rows = Array.from({ length: 20 }, (_, i) => ({ input: [String(i % 10), String(Math.floor(i / 10))], output: [String(i % 10)] }));
  const file = jsonl(dir, 'all.jsonl', rows);
  const build = (seed: number, name: string) => {
    const out = path.join(dir, name);
    const r = buildCustomDataset({ input: file, testFraction: 0.25, seed, vocab: 10, seqLen: 2, outputDir: out });
    expect([r.train.examples, r.test!.examples]).toEqual([15, 5]);
    return [...readBack(path.join(out, 'train')), ...readBack(path.join(out, 'test'))].map((g) => g[0].inputs.join(','));
  };
  const a = build(1, 'a');
  const all = rows.map((e) => [...e.input.map((s) => Number(s) + 1)].join(','));
  expect([...a].sort()).toEqual([...all].sort());
  expect(build(1, 'a2')).toEqual(a);
  expect(build(2, 'b')).not.toEqual(a);
  const trainRows = a.slice(0, 15);
  expect(trainRows).toEqual(all.filter((x) => trainRows.includes(x))); // file order kept
});

test('the augmentation hook: called N times per training example with the example and the generator; the original kept first; one group per example; test never augmented', () => {
  const dir = scratch();
  const train = jsonl(dir, 'train.jsonl', [{ input: '3120', output: '0123' }, { input: '22', output: '22' }]);
  const test = jsonl(dir, 'test.jsonl', [{ input: '10', output: '01' }]);
  const calls: { input: unknown; output: unknown; rng: boolean }[] = [];
  const augment = (input: CustomExample['input'], output: CustomExample['output'], rng: Rng) => {
    calls.push({ input: [...input], output: [...output], rng: rng instanceof Rng });
    return { input: [...input].reverse(), output: [...output, '0'] };
  };
  const out = path.join(dir, 'data');
  const r = buildCustomDataset({ input: train, test, vocab: 4, seqLen: 5, augment, augmentations: 2, outputDir: out });
  expect(calls).toEqual([
    { input: ['3', '1', '2', '0'], output: ['0', '1', '2', '3'], rng: true },
    { input: ['3', '1', '2', '0'], output: ['0', '1', '2', '3'], rng: true },
    { input: ['2', '2'], output: ['2', '2'], rng: true },
    { input: ['2', '2'], output: ['2', '2'], rng: true },
  ]);
  expect(r.train).toEqual({ groups: 2, puzzles: 6, examples: 6 });
  expect(r.test).toEqual({ groups: 1, puzzles: 1, examples: 1 });
  const t = (s: string) => tokens([...s], ['0', '1', '2', '3'], 5);
  expect(readBack(path.join(out, 'train'))).toEqual([
    [{ inputs: t('3120'), labels: t('0123') }, { inputs: t('0213'), labels: t('01230') }, { inputs: t('0213'), labels: t('01230') }],
    [{ inputs: t('22'), labels: t('22') }, { inputs: t('22'), labels: t('220') }, { inputs: t('22'), labels: t('220') }],
  ]);
  // A seeded shuffle: the same seed gives the same versions, and the builds differ with another.
  const shuffled = (seed: number, name: string) => {
    const o = path.join(dir, name);
    buildCustomDataset({ input: train, vocab: 4, seqLen: 5, augment: (i, x, rng) => ({ input: rng.shuffle([...i]), output: x }), augmentations: 3, seed, outputDir: o });
    return readBack(path.join(o, 'train'));
  };
  expect(shuffled(7, 's1')).toEqual(shuffled(7, 's2'));
  expect(JSON.stringify(shuffled(7, 's3'))).not.toBe(JSON.stringify(shuffled(8, 's4')));
  // What augment returns is checked like a line of the file.
  expect(() => buildCustomDataset({ input: train, vocab: 4, seqLen: 5, augment: (i, o) => ({ input: [...i, '9'], output: o }), outputDir: path.join(dir, 'bad') })).toThrow(
    new RegExp(`${train.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 1, augmentation 1: input: symbol 5 \\("9"\\) is not in the vocabulary`),
  );
  expect(() => buildCustomDataset({ input: train, vocab: 4, seqLen: 5, augment: () => null as unknown as CustomExample, outputDir: path.join(dir, 'bad') })).toThrow(/line 1, augmentation 1: augment must return \{input, output\}, returned null/);
  expect(fs.existsSync(path.join(dir, 'bad'))).toBe(false);
});

describe('every bad input is an error naming the file, the line and what was expected; nothing is written', () => {
  const cases: [string, string[], RegExp][] = [
    ['a missing field', ['{"input": "01", "output": "10"}', '{"input": "01"}'], /bad\.jsonl line 2: the field "output" is missing \(expected \{"input": \[\.\.\.\], "output": \[\.\.\.\]\}\)/],
    ['a symbol not in the vocabulary', ['{"input": "01", "output": "10"}', '', '{"input": "0x", "output": "10"}'], /bad\.jsonl line 3: input: symbol 2 \("x"\) is not in the vocabulary \(4 symbols: 0 1 2 3\)/],
    ['a ragged grid', ['{"input": [[0, 1], [2]], "output": "10"}'], /bad\.jsonl line 1: input: ragged grid: row 2 has 1 cells, row 1 has 2; every row needs the same length/],
    ['more symbols than seqLen', ['{"input": "0123", "output": "3210"}', '{"input": "01230", "output": "3210"}'], /bad\.jsonl line 2: input: 5 symbols is more than seqLen 4/],
    ['an empty sequence', ['{"input": "", "output": "1"}'], /bad\.jsonl line 1: input: the sequence is empty; expected at least one symbol/],
    ['a line that is not JSON', ['{"input": "01", "output": "10"', ''], /bad\.jsonl line 1: not valid JSON .*; expected one \{"input": \[\.\.\.\], "output": \[\.\.\.\]\} object a line/],
    ['a line that is not an object', ['[1, 2]'], /bad\.jsonl line 1: expected an object \{"input": \[\.\.\.\], "output": \[\.\.\.\]\}, got an array of length 2/],
    ['symbols and rows mixed', ['{"input": [0, [1, 2]], "output": "1"}'], /bad\.jsonl line 1: input: element 2 is a list, but element 1 is a symbol: give a list of symbols, or a grid of rows only/],
    ['a side that is not a list', ['{"input": 5, "output": "1"}'], /bad\.jsonl line 1: input: expected a list of symbols, a grid \(a list of rows\) or a string, got number 5/],
    ['an empty file', ['', '  '], /bad\.jsonl holds no example: expected one \{"input": \[\.\.\.\], "output": \[\.\.\.\]\} object a line/],
  ];
  test.each(cases)('%s', (_, lines, message) => {
    const dir = scratch();
    const file = writeLines(path.join(dir, 'bad.jsonl'), lines);
    const out = path.join(dir, 'data');
    let error: (Error & { code?: string }) | undefined;
    try {
      buildCustomDataset({ input: file, vocab: 4, seqLen: 4, outputDir: out });
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).toContain(file);
    expect(error?.code).toBe('INVALID_DATA');
    expect(fs.existsSync(out)).toBe(false);
  });

  test('CSV: no input/output header, a missing column; the test file is named when it is the bad one', () => {
    const dir = scratch();
    const noHeader = writeLines(path.join(dir, 'a.csv'), ['question,answer', '01,10']);
    expect(() => buildCustomDataset({ input: noHeader, vocab: 4, seqLen: 4, outputDir: path.join(dir, 'd') })).toThrow(/a\.csv line 1: the header must name an 'input' and an 'output' column, got \["question","answer"\]/);
    const short = writeLines(path.join(dir, 'b.csv'), ['input,output', '01,10', '01']);
    expect(() => buildCustomDataset({ input: short, vocab: 4, seqLen: 4, outputDir: path.join(dir, 'd') })).toThrow(/b\.csv line 3: the output column is missing \(the line has 1 fields\)/);
    const good = jsonl(dir, 'good.jsonl', [{ input: '01', output: '10' }]);
    const badTest = jsonl(dir, 'test.jsonl', [{ input: '01', output: '10' }, { input: '0', output: '9' }]);
    expect(() => buildCustomDataset({ input: good, test: badTest, vocab: 4, seqLen: 4, outputDir: path.join(dir, 'd') })).toThrow(/test\.jsonl line 2: output: symbol 1 \("9"\) is not in the vocabulary/);
    expect(fs.existsSync(path.join(dir, 'd'))).toBe(false);
  });

  test('bad options: vocabulary, seqLen, test and testFraction together, a fraction that empties a split, an unknown extension', () => {
    const dir = scratch();
    const file = jsonl(dir, 'ok.jsonl', [{ input: '01', output: '10' }, { input: '11', output: '11' }]);
    const o = { input: file, vocab: 4, seqLen: 4, outputDir: path.join(dir, 'd') };
    expect(() => buildCustomDataset({ ...o, vocab: ['a', 'a'] })).toThrow(/vocab\[1\]: the symbol "a" is listed twice; symbols must be distinct/);
    expect(() => buildCustomDataset({ ...o, vocab: 0 })).toThrow(/vocab must be a list of symbols or an integer vocabulary size in \[1, 255\] \(symbols 0\.\.V-1\), got number 0/);
    expect(() => buildCustomDataset({ ...o, seqLen: 0 })).toThrow(/seqLen must be a positive integer \(tokens per example\), got number 0/);
    expect(() => buildCustomDataset({ ...o, test: file, testFraction: 0.5 })).toThrow(/give test \(held-out examples\) or testFraction, not both/);
    expect(() => buildCustomDataset({ ...o, testFraction: 0.1 })).toThrow(/testFraction 0\.1 of 2 examples holds out 0; it must leave at least one example in each split/);
    expect(() => buildCustomDataset({ ...o, augmentations: 2 })).toThrow(/augmentations is 2 but there is no augment function/);
    const txt = writeLines(path.join(dir, 'ok.txt'), ['{"input": "01", "output": "10"}']);
    expect(() => buildCustomDataset({ ...o, input: txt })).toThrow(/ok\.txt: cannot tell the format from the extension '\.txt'/);
    buildCustomDataset({ ...o, input: txt, format: 'jsonl' });
    expect(() => buildCustomDataset({ ...o, input: txt, format: 'jsonl' })).toThrow(/already holds a dataset .*; pass overwrite: true to replace it/);
  });
});
