/**
 * Maze CSVs in the reference schema `source,question,answer,rating` (hrm-spec 6.3): reading with
 * every row validated, and writing.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { formatCsv, isBlankCsvRecord, parseCsv, writeCsv } from '../../util/csv';
import { checkArray, checkObject, checkString, describeValue, invalidArgument, invalidData } from '../../util/errors';
import { MazeRecord, squareSide, validateMaze } from './grid';
import { checkPath } from '../../util/path';

const MAZE_CSV_COLUMNS = ['source', 'question', 'answer', 'rating'];

/** The rating column: a number, or null when empty. */
function parseRating(text: string, where: string): number | null {
  if (text.trim() === '') return null;
  const rating = Number(text);
  if (!Number.isFinite(rating)) throw invalidData(`${where}: the rating ${JSON.stringify(text)} is not a number`);
  return rating;
}

/**
 * Parses maze CSV text in the reference schema. Like the reference builder, the first row is a
 * header and columns are taken by position (source, question, answer, rating). Every row is
 * validated (validateMaze) and all mazes of a file must have the same size.
 * @param name used in error messages (e.g. the file name)
 */
export function parseMazeCsv(text: string, name = 'maze CSV'): MazeRecord[] {
  checkString(text, 'parseMazeCsv(): text');
  checkString(name, 'parseMazeCsv(): name');
  // Blank lines (e.g. a trailing one) carry no record.
  const rows = parseCsv(text, name).filter((r) => !isBlankCsvRecord(r));
  if (rows.length === 0) throw invalidData(`${name}: the file is empty (expected a header 'source,question,answer,rating' and maze rows)`);
  const header = rows[0];
  if (header.fields.length !== 4) {
    throw invalidData(`${name} line ${header.line}: the header has ${header.fields.length} column(s); expected 4: source,question,answer,rating`);
  }
  // A first row that is itself a maze means the header is missing; the reference would skip that maze silently.
  if (squareSide(header.fields[1].length) >= 2 && /^[# SG]+$/.test(header.fields[1]) && header.fields[1].includes('S')) {
    throw invalidData(`${name} line ${header.line}: the first row looks like a maze, but it must be the header 'source,question,answer,rating'`);
  }
  if (rows.length === 1) throw invalidData(`${name}: no maze rows after the header`);
  const out: MazeRecord[] = [];
  let size = -1;
  for (let r = 1; r < rows.length; r++) {
    const { fields, line } = rows[r];
    const where = `${name} line ${line}`;
    if (fields.length !== 4) throw invalidData(`${where}: ${fields.length} column(s), expected 4 (source,question,answer,rating)`);
    const [source, question, answer, ratingText] = fields;
    const n = validateMaze(question, answer, where);
    if (size < 0) size = n;
    else if (n !== size) throw invalidData(`${where}: a ${n}x${n} maze, but the earlier rows are ${size}x${size}; all mazes of a dataset must have one size`);
    out.push({ source, question, answer, rating: parseRating(ratingText, where) });
  }
  return out;
}

/** Reads and validates a maze CSV file (see parseMazeCsv). */
export function loadMazeCsv(file: string): MazeRecord[] {
  checkPath(file, 'loadMazeCsv(): file');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw invalidArgument(`cannot read the maze CSV ${file}: ${(e as Error).message}`);
  }
  return parseMazeCsv(text, path.basename(file));
}

const csvRow = (r: MazeRecord): string[] => [r.source, r.question, r.answer, r.rating === null ? '' : String(r.rating)];

/** `records` as maze records: an array of {source, question, answer, rating}; `what` names the argument. */
function checkMazeRecords(records: unknown, what: string): readonly MazeRecord[] {
  checkArray(records, what, 'an array of maze records').forEach((r, i) => {
    const rec = checkObject<Record<string, unknown>>(r, `${what}[${i}]`, 'a maze record {source, question, answer, rating}');
    for (const k of ['source', 'question', 'answer']) checkString(rec[k], `${what}[${i}].${k}`);
    if (rec.rating !== null && typeof rec.rating !== 'number') throw invalidArgument(`${what}[${i}].rating must be a number or null, got ${describeValue(rec.rating)}`);
  });
  return records as readonly MazeRecord[];
}

/** CSV text in the reference schema (quoting only where needed, as Python's csv module does). */
export function formatMazeCsv(records: readonly MazeRecord[]): string {
  checkMazeRecords(records, 'formatMazeCsv(): records');
  return formatCsv(MAZE_CSV_COLUMNS, records.map(csvRow));
}

/** Writes records as a reference-schema CSV (atomically). */
export function writeMazeCsv(file: string, records: readonly MazeRecord[]): void {
  checkPath(file, 'writeMazeCsv(): file');
  checkMazeRecords(records, 'writeMazeCsv(): records');
  writeCsv(file, MAZE_CSV_COLUMNS, records.map(csvRow));
}
