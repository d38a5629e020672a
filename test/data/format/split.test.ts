/** The reference dataset layout: SetWriter writes it, DatasetSplit reads and validates it, dataset.json field by field (src/data/format/split.ts, dataset.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { DatasetSplit, readExample, readIdentifiers, readMetadata, writeMetadata, writeNpy } from '../../../src/data/format';
import { tmpDir } from '../../helpers/reference';
import { writeTiny } from './helpers';
import * as subject from '../../../src/data/format/split';
import { expectInvalidArgument } from '../../helpers/errors';

describe('dataset format', () => {
  test('the writer produces the reference layout and the loader validates it', () => {
    const root = tmpDir('ds-');
    writeTiny(root);
    const split = new DatasetSplit(path.join(root, 'train'));
    const s = split.sets.get('all')!;
    expect(Array.from(s.groupIndices)).toEqual([0, 1, 3, 6]);
    expect(Array.from(s.puzzleIdentifiers)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(s.puzzleIndices)).toEqual([0, 2, 3, 5, 6, 8, 9]);
    expect(split.metadata.total_groups).toBe(3);
    expect(readIdentifiers(root)![0]).toBe('<blank>');
    split.close();
    // Inconsistent index arrays are named.
    writeNpy(path.join(root, 'train', 'all__puzzle_indices.npy'), Int32Array.from([0, 2, 3, 5, 6, 8, 10]), [7], 'int32');
    expect(() => new DatasetSplit(path.join(root, 'train'))).toThrow(/puzzle_indices end at 10, expected 9/);
    fs.rmSync(root, { recursive: true });
  });

  test('readExample gives one row of inputs and labels as stored, uint8 or int64 on disk', () => {
    const root = tmpDir('ds-');
    const { examples } = writeTiny(root);
    const open = () => new DatasetSplit(path.join(root, 'train'));
    let split = open();
    const rows = examples.map((_, r) => readExample(split.sets.get('all')!, r));
    split.close();
    expect(rows.map((r) => Array.from(r.inputs))).toEqual(examples);
    expect(Array.from(rows[1].labels)).toEqual([1, 1, 0, 2]); // the ignored label 0 kept as stored
    // The same rows written as int64 read back alike.
    for (const what of ['inputs', 'labels'] as const) {
      writeNpy(path.join(root, 'train', `all__${what}.npy`), BigInt64Array.from(rows.flatMap((r) => Array.from(r[what], BigInt))), [rows.length, 4], 'int64');
    }
    split = open();
    expect(examples.map((_, r) => Array.from(readExample(split.sets.get('all')!, r).inputs))).toEqual(examples);
    expect(() => readExample(split.sets.get('all')!, examples.length)).toThrow(/rows \[9, 10\) are outside \[0, 9\)/);
    split.close();
    fs.rmSync(root, { recursive: true });
  });

  test('dataset.json validation: each field is checked (type, range, agreement with the .npy shapes); errors name the file, the field, the value and what was expected', () => {
    const root = tmpDir('ds-');
    writeTiny(root);
    const split = path.join(root, 'train');
    const file = path.join(split, 'dataset.json');
    const good = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(readMetadata(split)).toEqual(good);
    const withField = (key: string, value: unknown) => {
      fs.writeFileSync(file, JSON.stringify({ ...good, [key]: value }));
      return () => new DatasetSplit(split);
    };
    const at = `^invalid dataset: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `;
    const cases: [string, unknown, string][] = [
      ['mean_puzzle_examples', -1, "'mean_puzzle_examples' is -1, expected a number >= 1 \\(examples per puzzle, on average\\)"],
      ['mean_puzzle_examples', 'many', `'mean_puzzle_examples' is "many", expected a number >= 1`],
      ['mean_puzzle_examples', 2, "'mean_puzzle_examples' is 2, but the sets' .npy files \\(all\\) hold 9 examples in 6 puzzles \\(1.5\\)"],
      ['total_groups', 1e15, "'total_groups' is 1000000000000000, expected a positive integer \\(groups in the split\\)"],
      ['total_groups', 4, "'total_groups' is 4, but the sets' .npy files \\(all\\) hold 3 groups"],
      ['total_groups', 0, "'total_groups' is 0, expected a positive integer"],
      ['total_puzzles', 7, "'total_puzzles' is 7, but the sets' .npy files \\(all\\) hold 6 puzzles"],
      ['seq_len', 0, "'seq_len' is 0, expected a positive integer \\(tokens per example\\)"],
      ['seq_len', 5, 'all__inputs.npy has shape \\[9,4\\], expected \\[examples, 5\\]'],
      ['vocab_size', 2.5, "'vocab_size' is 2.5, expected a positive integer"],
      ['pad_id', 10, "'pad_id' is 10, expected a token id in \\[0, vocab_size - 1 = 9\\]"],
      ['blank_identifier_id', 7, "'blank_identifier_id' is 7, expected an identifier in \\[0, num_puzzle_identifiers - 1 = 6\\]"],
      ['num_puzzle_identifiers', 3, 'puzzle identifier 3 is outside \\[0, 3\\)'],
      ['num_puzzle_identifiers', null, "'num_puzzle_identifiers' is null, expected a positive integer"],
      ['ignore_label_id', '0', `'ignore_label_id' is "0", expected null or an integer label id`],
      ['sets', [], "'sets' is \\[\\], expected a non-empty list of distinct set names"],
      ['sets', ['all', 'all'], `'sets' is \\["all","all"\\], expected a non-empty list of distinct set names`],
      ['sets', ['../x'], `'sets' is \\["../x"\\], expected a non-empty list`],
      ['vocab_size', undefined, "'vocab_size' is missing, expected a positive integer"],
    ];
    for (const [key, value, message] of cases) {
      const open = withField(key, value);
      const re = message.startsWith('all__') || message.startsWith('puzzle') ? new RegExp(message) : new RegExp(at + message);
      expect(open).toThrow(re);
    }
    fs.writeFileSync(file, '[1, 2]');
    expect(() => readMetadata(split)).toThrow(/dataset\.json must hold a JSON object, holds \[1,2\]/);
    // The writer checks the same rules, so no builder writes what the reader refuses.
    expect(() => writeMetadata(path.join(root, 'other'), { ...good, mean_puzzle_examples: 0 })).toThrow(/other[/\\]dataset\.json: 'mean_puzzle_examples' is 0, expected a number >= 1/);
    expect(fs.existsSync(path.join(root, 'other'))).toBe(false);
    fs.rmSync(root, { recursive: true });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('readExample names a set or row that is not one', () => {
    expectInvalidArgument(() => subject.readExample(undefined as never, 0), 'readExample(): set must be a loaded set (from DatasetSplit.sets), got undefined');
    expectInvalidArgument(() => subject.readExample({ inputs: 3 } as never, 0), 'readExample(): set.inputs must be an NpyFile, got number 3');
  });
});
