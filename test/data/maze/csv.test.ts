/** Maze CSV reading and validation (src/data/maze/csv.ts, the reference schema). */
import * as path from 'path';
import { formatMazeCsv, loadMazeCsv, mazeDistance, parseMazeCsv, solveMaze, writeMazeCsv } from '../../../src/data/maze';
import { scratch } from './helpers';
import * as subject from '../../../src/data/maze/csv';
import { expectInvalidArgument } from '../../helpers/errors';

describe('CSV loading and validation', () => {
  const q = '#S  ' + ' ## ' + '    ' + '  G#';
  const a = solveMaze(q);
  const csv = (...rows: string[]) => ['source,question,answer,rating', ...rows].join('\n');

  test('parses the reference schema (CRLF, quotes, empty rating) and round-trips through formatMazeCsv', () => {
    const recs = parseMazeCsv(`source,question,answer,rating\r\n"a ""b"", c",${q},${a},7\r\nx,${q},${a},\r\n`);
    expect(recs).toEqual([
      { source: 'a "b", c', question: q, answer: a, rating: 7 },
      { source: 'x', question: q, answer: a, rating: null },
    ]);
    expect(parseMazeCsv(formatMazeCsv(recs))).toEqual(recs);
    const file = path.join(scratch(), 'm.csv');
    writeMazeCsv(file, recs);
    expect(loadMazeCsv(file)).toEqual(recs);
    expect(mazeDistance(q)).toBe(6);
    expect(a.match(/o/g)).toHaveLength(5);
  });

  test.each([
    ['too few columns', csv(`s,${q},${a}`), /line 2: 3 column\(s\), expected 4/],
    ['not a square', csv(`s,${q} ,${a} ,1`), /17 characters, which is not the area of a square/],
    ['bad character', csv(`s,${q.replace('  G#', ' xG#')},${a},1`), /the question has "x" at cell 13 \(row 3, column 1\)/],
    ["'o' in a question", csv(`s,${a},${a},1`), /'o' marks the path and belongs only in answers/],
    ['two starts', csv(`s,${q.replace('G', 'S')},${a},1`), /exactly one 'S' and one 'G', found 2 'S' and 0 'G'/],
    ['no goal', csv(`s,${q.replace('G', ' ')},${a},1`), /found 1 'S' and 0 'G'/],
    ['answer length', csv(`s,${q},${a.slice(1)},1`), /the answer has 15 characters, the question 16/],
    ['answer moves a wall', csv(`s,${q},${'o' + a.slice(1)},1`), /cell 0 \(row 0, column 0\) the answer has "o" where the question has "#"/],
    ['answer character', csv(`s,${q},${a.replace('G', '?')},1`), /the answer has "\?" at cell 14/],
    ['mixed sizes', csv(`s,${q},${a},1`, `s,${'S' + ' '.repeat(7) + 'G'},${'S' + ' '.repeat(7) + 'G'},1`), /line 3: a 3x3 maze, but the earlier rows are 4x4/],
    ['bad rating', csv(`s,${q},${a},hard`), /the rating "hard" is not a number/],
    ['missing header', `s,${q},${a},1\n`, /first row looks like a maze/],
    ['header only', 'source,question,answer,rating\n', /no maze rows after the header/],
    ['empty file', '', /the file is empty/],
    ['unclosed quote', csv(`"s,${q},${a},1`), /quoted field is not closed/],
  ])('%s', (_what, text, message) => {
    expect(() => parseMazeCsv(text, 'bad.csv')).toThrow(message);
    try {
      parseMazeCsv(text, 'bad.csv');
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      expect((e as Error).message).toMatch(/^bad\.csv/);
    }
  });

});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('parseMazeCsv and formatMazeCsv name text or records that are not one', () => {
    expectInvalidArgument(() => subject.parseMazeCsv(3 as never), 'parseMazeCsv(): text must be a string, got number 3');
    expectInvalidArgument(() => subject.formatMazeCsv(undefined as never), 'formatMazeCsv(): records must be an array of maze records, got undefined');
    expectInvalidArgument(() => subject.formatMazeCsv([{ source: 's', question: 'q', answer: 3, rating: null }] as never), 'formatMazeCsv(): records[0].answer must be a string, got number 3');
    expectInvalidArgument(() => subject.formatMazeCsv([{ source: 's', question: 'q', answer: 'a', rating: '3' }] as never), 'formatMazeCsv(): records[0].rating must be a number or null, got string "3"');
  });
});
