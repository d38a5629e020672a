/** Sudoku CSV reading and validation (src/data/sudoku/csv.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { readSudokuCsv } from '../../../src/data/sudoku';
import { scratch, writeCsv, row, Q, A } from './helpers';
import * as subject from '../../../src/data/sudoku/csv';
import { expectInvalidArgument } from '../../helpers/errors';

describe('CSV reading and validation', () => {
  const H = 'source,question,answer,rating';
  test('reads several files in order, accepts 0 blanks, CRLF and a BOM', () => {
    const f1 = writeCsv([H, `a,${Q},${A},18`]);
    const f2 = path.join(scratch(), 'y.csv');
    fs.writeFileSync(f2, `\ufeff${H}\r\nb,${Q.replace(/\./g, '0')},${A},\r\n\r\n`);
    const t = readSudokuCsv([f1, f2]);
    expect(t.count).toBe(2);
    expect(t.box).toEqual({ rows: 3, cols: 3 });
    expect(row(t, 0)).toEqual(row(t, 1));
    expect(t.sourceNames).toEqual(['a', 'b']);
    expect(Array.from(t.sourceIndex)).toEqual([0, 1]);
    expect(t.ratings[0]).toBe(18);
    expect(Number.isNaN(t.ratings[1])).toBe(true);
    expect(readSudokuCsv([f1], { minDifficulty: 18 }).count).toBe(1);
    expect(readSudokuCsv([f1], { minDifficulty: 19 }).count).toBe(0);
    expect(() => readSudokuCsv([f2], { minDifficulty: 1 })).toThrow(/rating is empty, so minDifficulty cannot be applied/);
  });

  test('errors name the file, line and problem', () => {
    const bad = (lines: string[], re: RegExp) => expect(() => readSudokuCsv(writeCsv(lines))).toThrow(re);
    bad(['source,q,a,rating', `a,${Q},${A},1`], /x\.csv:1: expected the header 'source,question,answer,rating'/);
    bad([H, `a,${Q.slice(1)},${A},1`], /x\.csv:2: question has 80 characters, expected 81/);
    bad([H, `a,${Q},${A}0,1`], /answer has 82 characters, expected 81/);
    bad([H, `a,${Q},${A},1`, `a,x${Q.slice(1)},${A},1`], /x\.csv:3: question character "x" at position 0/);
    bad([H, `a,${Q},0${A.slice(1)},1`], /answer character "0" at position 0 is not a digit 1..9/);
    bad([H, `a,${Q},${A}`], /expected 4 comma-separated fields/);
    bad([H, `a,${Q},${A},hard`], /rating "hard" is not a number/);
    // a given the answer contradicts
    bad([H, `a,${Q},4${A.slice(1)},1`], /answer is inconsistent with the question at cell 0 \(row 1, column 1\): given 5, answer 4/);
    // swap two answer digits in blank cells of one row: givens still agree, columns repeat
    const blanks = [1, 2].filter((i) => Q[i] === '.');
    const swapped = A.split('');
    [swapped[blanks[0]], swapped[blanks[1]]] = [swapped[blanks[1]], swapped[blanks[0]]];
    bad([H, `a,${Q},${swapped.join('')},1`], /answer is not a valid solution: digit \d repeats in column/);
    expect(() => readSudokuCsv(path.join(scratch(), 'missing.csv'))).toThrow(/cannot open sudoku CSV .*missing\.csv/);
    const empty = path.join(scratch(), 'empty.csv');
    fs.writeFileSync(empty, '');
    expect(() => readSudokuCsv(empty)).toThrow(/empty\.csv: empty file/);
    expect(() => readSudokuCsv([])).toThrow(/at least one CSV/);
    // quoted fields as Python's csv module may write them
    expect(readSudokuCsv(writeCsv([H, `"a, b",${Q},"${A}",1`])).sourceNames).toEqual(['a, b']);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('writeSudokuCsv names rows that are not rows', () => {
    expectInvalidArgument(() => subject.writeSudokuCsv('never-written.csv', 3 as never), 'writeSudokuCsv(): rows must be an iterable of rows, got number 3');
    expectInvalidArgument(() => subject.writeSudokuCsv('never-written.csv', [3] as never), 'writeSudokuCsv(): a row must be a row {source, question, answer, rating}, got number 3');
    expectInvalidArgument(() => subject.writeSudokuCsv('never-written.csv', [{ source: 's', question: 'x', answer: [] }] as never), 'writeSudokuCsv(): row.question must be an array of cell values, got string "x"');
  });
});
