/**
 * CSV: the one reader and writer of comma-separated files (RFC 4180: double-quoted fields with ""
 * escapes, which may span lines; LF or CRLF line ends; a leading byte order mark is skipped).
 * Files are read in chunks, so files longer than V8's longest string (the ~0.7 GB Sudoku CSV)
 * stream through; parse errors are `INVALID_DATA` errors naming the file and line.
 * @module
 */
import * as fs from 'fs';
import { checkArray, checkString, describeValue, invalidArgument, invalidData } from './errors';
import { writeFileAtomic } from './atomic';
import { checkPath } from './path';

/** One record: its fields, the 1-based line it starts on, and its raw text (lines joined by '\n'). */
export interface CsvRecord {
  /** the fields, unquoted */
  fields: string[];
  /** the 1-based line the record starts on */
  line: number;
  /** the record's raw text */
  text: string;
}

/** True for a record that is an empty line (it carries no data). */
export function isBlankCsvRecord(r: CsvRecord): boolean {
  return r.fields.length === 1 && r.fields[0] === '';
}

/**
 * Splits one record's text into fields, or returns null when a quoted field is still open at the
 * end (the record continues on the next line). `where` prefixes errors.
 */
function splitRecord(text: string, where: () => string): string[] | null {
  if (text.indexOf('"') < 0) return text.split(',');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          field += '"';
          i += 2;
          continue;
        }
        field += text[i++];
      }
      i++; // the closing quote
      if (i < text.length && text[i] !== ',') throw invalidData(`${where()}: unexpected ${JSON.stringify(text[i])} after a closing quote`);
    } else {
      const comma = text.indexOf(',', i);
      const end = comma < 0 ? text.length : comma;
      field = text.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

/** Turns lines into records: a line that leaves a quoted field open is joined with the next. */
class RecordAssembler {
  private pending: string | null = null;
  private startLine = 0;

  constructor(private readonly name: string, private readonly onRecord: (r: CsvRecord) => void) {}

  /** Feeds one line (without its line end) and its 1-based number. */
  push(line: string, lineNo: number): void {
    const text = this.pending === null ? line : `${this.pending}\n${line}`;
    const start = this.pending === null ? lineNo : this.startLine;
    const fields = splitRecord(text, () => `${this.name} line ${lineNo}`);
    if (fields === null) {
      this.pending = text;
      this.startLine = start;
      return;
    }
    this.pending = null;
    this.onRecord({ fields, line: start, text });
  }

  /** Ends the input; a quoted field still open is an error. */
  end(): void {
    if (this.pending !== null) throw invalidData(`${this.name} line ${this.startLine}: a quoted field is not closed`);
  }
}

const BOM = 0xfeff;

/** Parses CSV text into records (blank lines included; see {@link isBlankCsvRecord}). `name` is used in errors. */
export function parseCsv(text: string, name: string): CsvRecord[] {
  checkString(name, 'parseCsv(): name');
  checkString(text, `parseCsv(): text (of ${name})`);
  const records: CsvRecord[] = [];
  const assembler = new RecordAssembler(name, (r) => records.push(r));
  const body = text.charCodeAt(0) === BOM ? text.slice(1) : text;
  if (body.length > 0) {
    const lines = body.split('\n');
    if (lines[lines.length - 1] === '') lines.pop(); // the final line end ends the last line, not a new one
    lines.forEach((l, i) => assembler.push(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1));
  }
  assembler.end();
  return records;
}

/**
 * Calls `onLine(text, lineNumber)` for every line of a file (without '\n' or '\r\n'), reading in
 * 1 MiB chunks. Lines are cut at the '\n' byte and decoded as UTF-8 one by one, so multi-byte
 * characters are never split. `what` names the file in the error when it cannot be opened.
 */
export function forEachLine(file: string, onLine: (line: string, lineNo: number) => void, what = 'CSV file'): void {
  checkPath(file, 'forEachLine(): file');
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw invalidArgument(`cannot open ${what} ${file}: ${(e as Error).message}`);
  }
  try {
    const chunk = Buffer.alloc(1 << 20);
    let pending: Buffer = Buffer.alloc(0);
    let lineNo = 0;
    const emit = (buf: Buffer, start: number, end: number) => {
      if (end > start && buf[end - 1] === 13) end--; // '\r'
      let line = buf.toString('utf8', start, end);
      if (lineNo === 0 && line.charCodeAt(0) === BOM) line = line.slice(1);
      onLine(line, ++lineNo);
    };
    for (;;) {
      const r = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (r <= 0) break;
      const buf = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, r)]) : chunk.subarray(0, r);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
        emit(buf, start, nl);
        start = nl + 1;
      }
      pending = Buffer.from(buf.subarray(start)); // a copy: `chunk` is reused
    }
    if (pending.length > 0) emit(pending, 0, pending.length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Streams the records of a CSV file to `onRecord` (blank lines included). Errors name the file as
 * `name` (default: the path); `what` describes the file when it cannot be opened.
 */
export function forEachCsvRecord(file: string, onRecord: (r: CsvRecord) => void, opts: { name?: string; what?: string } = {}): void {
  checkPath(file, 'forEachCsvRecord(): file');
  const assembler = new RecordAssembler(opts.name ?? file, onRecord);
  forEachLine(file, (line, lineNo) => assembler.push(line, lineNo), opts.what);
  assembler.end();
}

/** One field as CSV: quoted (with "" escapes) only where needed, as Python's csv module does. */
export function formatCsvField(s: string): string {
  checkString(s, 'formatCsvField(): s');
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text of a header and rows, one line each, '\n' line ends. */
export function formatCsv(header: readonly string[], rows: Iterable<readonly string[]>): string {
  checkArray(header, 'formatCsv(): header', 'an array of column names');
  if (rows === null || typeof (rows as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') throw invalidArgument(`formatCsv(): rows must be an iterable of rows, got ${describeValue(rows)}`);
  const lines = [header.map(formatCsvField).join(',')];
  for (const r of rows) lines.push(r.map(formatCsvField).join(','));
  return lines.join('\n') + '\n';
}

/** Writes a header and rows as a CSV file, atomically. */
export function writeCsv(file: string, header: readonly string[], rows: Iterable<readonly string[]>): void {
  checkPath(file, 'writeCsv(): file');
  writeFileAtomic(file, formatCsv(header, rows));
}
