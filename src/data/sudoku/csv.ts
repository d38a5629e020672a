/**
 * Sudoku CSVs in the reference schema `source,question,answer,rating` (datasets.md 2.1): a
 * streaming reader that validates every row into a compact table, and a writer.
 * @module
 */
import { forEachCsvRecord, isBlankCsvRecord, writeCsv } from '../../util/csv';
import { checkArrayLike, checkObject, checkString, describeValue, invalidArgument } from '../../util/errors';
import { SudokuBox, SudokuGeometry, defaultSudokuBoxForCells } from './geometry';
import { formatSudoku } from './grid';
import { firstInvalidUnit } from './validity';
import { checkPath, checkPaths } from '../../util/path';

/** The header of the reference CSVs (datasets.md 2.1). */
export const SUDOKU_CSV_HEADER = 'source,question,answer,rating';

/** Puzzles read from CSV, stored compactly (one row of `cells` values per puzzle). */
export interface SudokuTable {
  /** box shape of every puzzle */
  box: SudokuBox;
  /** cells per puzzle (n * n) */
  cells: number;
  /** number of puzzles */
  count: number;
  /** count * cells values, 0 = blank: [count, cells] row-major */
  questions: Uint8Array;
  /** count * cells values 1..n: [count, cells] row-major */
  answers: Uint8Array;
  /** rating per puzzle; NaN where the CSV field was empty */
  ratings: Float64Array;
  /** source name per puzzle, as an index into `sourceNames` */
  sourceIndex: Uint32Array;
  /** the distinct source names, in first-seen order */
  sourceNames: string[];
}

/** Options of {@link readSudokuCsv}. */
export interface ReadSudokuCsvOptions {
  /** keep only rows with rating >= minDifficulty (the reference's --min-difficulty) */
  minDifficulty?: number;
  /** box shape; inferred from the question length (16, 36, 81 cells) when omitted */
  box?: SudokuBox;
  /** check that each answer is a valid grid agreeing with its question (default true) */
  validate?: boolean;
}

type NumberArray = Uint8Array | Float64Array | Uint32Array;

/** A typed array that doubles its capacity as values are appended. */
class GrowableArray<A extends NumberArray> {
  private data: A;
  private length = 0;

  constructor(private readonly make: (capacity: number) => A, capacity: number) {
    this.data = make(capacity);
  }

  /** Appends values. */
  push(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) {
      const bigger = this.make(Math.max(this.length + values.length, this.data.length * 2));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /** The values appended, as an array of their exact length. */
  result(): A {
    return this.data.slice(0, this.length) as A;
  }
}

/** The rows read so far, and the board size the first row fixed. */
class TableBuilder {
  geo: SudokuGeometry | undefined;
  count = 0;
  readonly questions = new GrowableArray((n) => new Uint8Array(n), 1 << 16);
  readonly answers = new GrowableArray((n) => new Uint8Array(n), 1 << 16);
  readonly ratings = new GrowableArray((n) => new Float64Array(n), 1024);
  readonly sourceIndex = new GrowableArray((n) => new Uint32Array(n), 1024);
  readonly sourceNames: string[] = [];
  private readonly sourceIds = new Map<string, number>();

  constructor(box: SudokuBox | undefined) {
    this.geo = box ? SudokuGeometry.of(box) : undefined;
    if (this.geo && this.geo.n > 9) throw invalidArgument('sudoku CSVs can only hold boards up to 9x9 (one digit per cell)');
  }

  /** The board of every row; the first row fixes it for all files (one dataset has one seq_len). */
  geometryFor(questionLength: number, where: string): SudokuGeometry {
    if (!this.geo) {
      if (!defaultSudokuBoxForCells(questionLength)) {
        throw invalidArgument(`${where}: question has ${questionLength} characters, expected 81 (or 16 / 36 for 4x4 / 6x6 boards; other sizes need the box option)`);
      }
      this.geo = SudokuGeometry.forCells(questionLength);
    }
    return this.geo;
  }

  add(source: string, question: Uint8Array, answer: Uint8Array, rating: number): void {
    let sid = this.sourceIds.get(source);
    if (sid === undefined) {
      sid = this.sourceNames.length;
      this.sourceNames.push(source);
      this.sourceIds.set(source, sid);
    }
    this.questions.push(question);
    this.answers.push(answer);
    this.ratings.push([rating]);
    this.sourceIndex.push([sid]);
    this.count++;
  }

  result(): SudokuTable {
    const g = this.geo ?? SudokuGeometry.of({ rows: 3, cols: 3 });
    return {
      box: { ...g.box },
      cells: g.cells,
      count: this.count,
      questions: this.questions.result(),
      answers: this.answers.result(),
      ratings: this.ratings.result(),
      sourceIndex: this.sourceIndex.result(),
      sourceNames: this.sourceNames,
    };
  }
}

/** The rating column: a number, or NaN when empty. */
function parseRating(text: string, where: string): number {
  const t = text.trim();
  if (t === '') return NaN;
  const rating = Number(t);
  if (!Number.isFinite(rating)) throw invalidArgument(`${where}: rating ${JSON.stringify(text)} is not a number`);
  return rating;
}

/** Decodes a question and its answer (both `cells` long) into qRow and aRow, checking characters and agreement. */
function parseCells(q: string, a: string, geo: SudokuGeometry, validate: boolean, qRow: Uint8Array, aRow: Uint8Array, where: string): void {
  const { cells, n } = geo;
  for (let i = 0; i < cells; i++) {
    const qc = q.charCodeAt(i);
    if (qc === 46 /* . */ || qc === 48 /* 0 */) qRow[i] = 0;
    else if (qc >= 49 && qc <= 48 + n) qRow[i] = qc - 48;
    else throw invalidArgument(`${where}: question character ${JSON.stringify(q[i])} at position ${i} is not '.', '0' or a digit 1..${n}`);
    const ac = a.charCodeAt(i);
    if (ac >= 49 && ac <= 48 + n) aRow[i] = ac - 48;
    else throw invalidArgument(`${where}: answer character ${JSON.stringify(a[i])} at position ${i} is not a digit 1..${n}`);
    if (validate && qRow[i] !== 0 && qRow[i] !== aRow[i]) {
      throw invalidArgument(`${where}: answer is inconsistent with the question at cell ${i} (row ${Math.floor(i / n) + 1}, column ${(i % n) + 1}): given ${qRow[i]}, answer ${aRow[i]}`);
    }
  }
  if (validate) {
    const bad = firstInvalidUnit(aRow.subarray(0, cells), geo);
    if (bad) throw invalidArgument(`${where}: answer is not a valid solution: ${bad}`);
  }
}

/** Reads one file's rows into the table. */
function readFile(file: string, table: TableBuilder, minDifficulty: number | undefined, validate: boolean): void {
  const qRow = new Uint8Array(256);
  const aRow = new Uint8Array(256);
  let sawHeader = false;
  forEachCsvRecord(
    file,
    (record) => {
      const where = `${file}:${record.line}`;
      if (!sawHeader) {
        if (record.text.trim() !== SUDOKU_CSV_HEADER) {
          throw invalidArgument(`${where}: expected the header '${SUDOKU_CSV_HEADER}', found ${JSON.stringify(record.text.slice(0, 80))}`);
        }
        sawHeader = true;
        return;
      }
      if (isBlankCsvRecord(record)) return; // e.g. at the end
      const f = record.fields;
      if (f.length !== 4) throw invalidArgument(`${where}: expected 4 comma-separated fields (source,question,answer,rating), found ${f.length}`);
      const [source, q, a, ratingText] = f;
      const geo = table.geometryFor(q.length, where);
      if (q.length !== geo.cells) throw invalidArgument(`${where}: question has ${q.length} characters, expected ${geo.cells}`);
      if (a.length !== geo.cells) throw invalidArgument(`${where}: answer has ${a.length} characters, expected ${geo.cells}`);
      const rating = parseRating(ratingText, where);
      if (minDifficulty !== undefined) {
        if (Number.isNaN(rating)) throw invalidArgument(`${where}: the rating is empty, so minDifficulty cannot be applied`);
        if (!(rating >= minDifficulty)) return;
      }
      parseCells(q, a, geo, validate, qRow, aRow, where);
      table.add(source, qRow.subarray(0, geo.cells), aRow.subarray(0, geo.cells), rating);
    },
    { what: 'sudoku CSV' },
  );
  if (!sawHeader) throw invalidArgument(`${file}: empty file; expected the header '${SUDOKU_CSV_HEADER}'`);
}

/**
 * Reads one or more CSV files in the reference schema (header `source,question,answer,rating`),
 * concatenated in the given order (so split parts are read in part order). Questions use '.' or '0'
 * for blanks. Every row is validated unless `validate` is false: field count, lengths, characters,
 * and the answer must be a valid grid that agrees with the question's givens. Errors name the file
 * and line. The `minDifficulty` filter is applied as in the reference (rating >= minDifficulty).
 */
export function readSudokuCsv(files: string | string[], opts: ReadSudokuCsvOptions = {}): SudokuTable {
  const list = Array.isArray(files) ? checkPaths(files, 'readSudokuCsv(): files') : [checkPath(files, 'readSudokuCsv(): files')];
  if (list.length === 0) throw invalidArgument('readSudokuCsv: give at least one CSV file');
  const minDifficulty = opts.minDifficulty;
  if (minDifficulty !== undefined && (typeof minDifficulty !== 'number' || !Number.isFinite(minDifficulty))) {
    throw invalidArgument(`minDifficulty must be a number; got ${String(minDifficulty)}`);
  }
  const table = new TableBuilder(opts.box);
  for (const file of list) {
    readFile(file, table, minDifficulty, opts.validate ?? true);
  }
  return table.result();
}

/** One row for `writeSudokuCsv`. */
export interface SudokuCsvRow {
  /** the source column (no commas, quotes or newlines) */
  source: string;
  /** cell values, 0 = blank */
  question: ArrayLike<number>;
  /** cell values 1..n */
  answer: ArrayLike<number>;
  /** the rating column (empty when undefined) */
  rating?: number;
}

/** Writes puzzles as a CSV in the reference schema ('.' for blanks), atomically, e.g. generated puzzles for the builder. */
export function writeSudokuCsv(file: string, rows: Iterable<SudokuCsvRow>): void {
  checkPath(file, 'writeSudokuCsv(): file');
  if (rows === null || typeof (rows as { [Symbol.iterator]?: unknown })?.[Symbol.iterator] !== 'function') throw invalidArgument(`writeSudokuCsv(): rows must be an iterable of rows, got ${describeValue(rows)}`);
  const records: string[][] = [];
  for (const r of rows) {
    checkObject(r, 'writeSudokuCsv(): a row', 'a row {source, question, answer, rating}');
    checkString(r.source, 'writeSudokuCsv(): row.source');
    checkArrayLike(r.question, 'writeSudokuCsv(): row.question', 'an array of cell values');
    checkArrayLike(r.answer, 'writeSudokuCsv(): row.answer', 'an array of cell values');
    if (/[,"\r\n]/.test(r.source)) throw invalidArgument(`writeSudokuCsv: source name ${JSON.stringify(r.source)} must not contain commas, quotes or newlines`);
    records.push([r.source, formatSudoku(r.question), formatSudoku(r.answer), String(r.rating ?? '')]);
  }
  writeCsv(file, SUDOKU_CSV_HEADER.split(','), records);
}
