/** The one CSV reader and writer (src/util/csv.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { CsvRecord, forEachCsvRecord, forEachLine, formatCsv, formatCsvField, isBlankCsvRecord, parseCsv, writeCsv } from '../../src/util/csv';
import { hasErrorCode } from '../../src/util/errors';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/util/csv';
import { expectInvalidArgument } from '../helpers/errors';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function scratchFile(name: string, content: string | Buffer): string {
  const d = tmpDir('hrm-csv-');
  dirs.push(d);
  const f = path.join(d, name);
  fs.writeFileSync(f, content);
  return f;
}

const fieldsOf = (rs: CsvRecord[]) => rs.map((r) => r.fields);

describe('parseCsv', () => {
  test('plain and quoted fields, "" escapes, CRLF, a BOM, blank lines kept as blank records', () => {
    const rs = parseCsv('\ufeffa,b\r\n"x, ""y""",z\r\n\r\n1,\n', 't.csv');
    expect(fieldsOf(rs)).toEqual([['a', 'b'], ['x, "y"', 'z'], [''], ['1', '']]);
    expect(rs.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(isBlankCsvRecord(rs[2])).toBe(true);
    expect(isBlankCsvRecord(rs[3])).toBe(false);
    expect(rs[1].text).toBe('"x, ""y""",z');
    expect(parseCsv('', 'e.csv')).toEqual([]);
    expect(fieldsOf(parseCsv('a,b', 'no-final-newline.csv'))).toEqual([['a', 'b']]);
  });

  test('a quoted field may span lines; the record keeps the line it starts on', () => {
    const rs = parseCsv('h\n"one\ntwo",3\nlast\n', 'm.csv');
    expect(fieldsOf(rs)).toEqual([['h'], ['one\ntwo', '3'], ['last']]);
    expect(rs.map((r) => r.line)).toEqual([1, 2, 4]);
  });

  test('malformed quoting is an INVALID_DATA error naming the file and line', () => {
    expect(() => parseCsv('a\n"open,1\nb\n', 'bad.csv')).toThrow(/^bad\.csv line 2: a quoted field is not closed$/);
    expect(() => parseCsv('a\n"x"y,1\n', 'bad.csv')).toThrow(/^bad\.csv line 2: unexpected "y" after a closing quote$/);
    try {
      parseCsv('"', 'bad.csv');
    } catch (e) {
      expect(hasErrorCode(e, 'INVALID_DATA')).toBe(true);
    }
    expect.assertions(3);
  });
});

describe('reading files', () => {
  test('forEachLine streams lines (LF or CRLF, BOM skipped, multi-byte characters intact, across 1 MiB chunks)', () => {
    const long = 'é'.repeat(700_000); // 1.4 MB of 2-byte characters: the line crosses a chunk boundary
    const f = scratchFile('lines.txt', `\ufeffone\r\n${long}\nthree`);
    const got: [string, number][] = [];
    forEachLine(f, (l, n) => got.push([l, n]));
    expect(got.map(([l, n]) => [l.length, n])).toEqual([[3, 1], [700_000, 2], [5, 3]]);
    expect(got[0][0]).toBe('one');
    expect(got[1][0]).toBe(long);
  });

  test('forEachCsvRecord gives the same records as parseCsv; a missing file is an INVALID_ARGUMENT naming it', () => {
    const text = 'source,q\r\n"a, b",1\n"multi\nline",2\n\n';
    const f = scratchFile('r.csv', text);
    const got: CsvRecord[] = [];
    forEachCsvRecord(f, (r) => got.push(r), { name: 'r.csv' });
    expect(got).toEqual(parseCsv(text, 'r.csv'));
    const open = scratchFile('open.csv', 'a\n"b\n');
    expect(() => forEachCsvRecord(open, () => undefined)).toThrow(/open\.csv line 2: a quoted field is not closed/);
    const missing = path.join(path.dirname(f), 'missing.csv');
    expect(() => forEachCsvRecord(missing, () => undefined, { what: 'test CSV' })).toThrow(/cannot open test CSV .*missing\.csv/);
    try {
      forEachLine(missing, () => undefined);
    } catch (e) {
      expect(hasErrorCode(e, 'INVALID_ARGUMENT')).toBe(true);
    }
  });
});

describe('writing', () => {
  test('fields are quoted only where needed, and what is written reads back', () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvField('two\nlines')).toBe('"two\nlines"');
    const rows = [['a, "b"', 'x'], ['multi\nline', ''], [' spaced ', '7']];
    const text = formatCsv(['h1', 'h2'], rows);
    expect(text).toBe('h1,h2\n"a, ""b""",x\n"multi\nline",\n spaced ,7\n');
    expect(fieldsOf(parseCsv(text, 'w.csv'))).toEqual([['h1', 'h2'], ...rows]);
    const f = path.join(path.dirname(scratchFile('x', '')), 'sub', 'w.csv');
    writeCsv(f, ['h1', 'h2'], rows);
    expect(fs.readFileSync(f, 'utf8')).toBe(text);
    expect(fs.readdirSync(path.dirname(f))).toEqual(['w.csv']); // no temporary left behind
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('parseCsv, formatCsvField and formatCsv name text, fields or rows that are not one', () => {
    expectInvalidArgument(() => subject.parseCsv(3 as never, 'a.csv'), 'parseCsv(): text (of a.csv) must be a string, got number 3');
    expectInvalidArgument(() => subject.formatCsvField(undefined as never), 'formatCsvField(): s must be a string, got undefined');
    expectInvalidArgument(() => subject.formatCsv(['a'], 3 as never), 'formatCsv(): rows must be an iterable of rows, got number 3');
  });
});
