/**
 * Reading a custom task's examples: JSONL (one `{"input": ..., "output": ...}` object a line) or
 * CSV (a header with `input` and `output` columns), each side a sequence of symbols or a grid
 * (rows of symbols, flattened row-major), and encoding them as token rows of a fixed length.
 * Every error names the file and line, and what was expected there.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { CsvRecord, forEachCsvRecord, forEachLine, isBlankCsvRecord } from '../../util/csv';
import { describeValue, invalidArgument, invalidData } from '../../util/errors';
import { checkPath } from '../../util/path';
import { CUSTOM_PAD, CustomSymbol, CustomVocabulary } from './vocabulary';

/**
 * One side of an example: a sequence of symbols, or a grid (rows of symbols of one length; mixing
 * rows and symbols is an error when the example is encoded).
 */
export type CustomSequence = (CustomSymbol | CustomSymbol[])[];

/** One example: the input the model sees and the output it should give. */
export interface CustomExample {
  /** the model's input */
  input: CustomSequence;
  /** the expected output */
  output: CustomSequence;
}

/** An example read from a file, with where it came from (for error messages). */
export interface CustomRecord extends CustomExample {
  /** the file it was read from */
  file: string;
  /** its 1-based line */
  line: number;
}

/** The file formats of {@link readCustomExamples}. */
export type CustomFileFormat = 'jsonl' | 'csv';

/** The format a file's extension names: .jsonl/.ndjson/.json are JSONL, .csv is CSV. */
export function customFileFormat(file: string): CustomFileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw invalidArgument(`${file}: cannot tell the format from the extension '${ext}': name it .jsonl (one {"input": ..., "output": ...} a line) or .csv (input,output columns), or pass format`);
}

/**
 * A sequence written as text (a CSV cell, a command-line word): a JSON array (`[1,2,3]`, or a grid
 * `[[1,2],[3,4]]`), symbols separated by spaces (`10 2 7`), or else one symbol per character (`3141`).
 */
export function parseSequenceText(text: string): CustomSequence {
  const t = text.trim();
  if (t.startsWith('[')) {
    let v: unknown;
    try {
      v = JSON.parse(t);
    } catch (e) {
      throw invalidData(`${JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}...` : t)} starts with '[' but is not a JSON array (${(e as Error).message})`);
    }
    return v as CustomSequence;
  }
  return /\s/.test(t) ? t.split(/\s+/) : [...t];
}

/** A string side of a JSONL example as one symbol per character; everything else as given. */
const jsonSide = (v: unknown): unknown => (typeof v === 'string' ? [...v] : v);

/**
 * Reads every example of a JSONL or CSV file (blank lines skipped). Errors: a line that is not a
 * JSON object, a missing `input` or `output`, a CSV without those columns, and a file with no
 * example, each naming the file and line. The sequences are checked by {@link encodeCustomSide}.
 */
export function readCustomExamples(file: string, format: CustomFileFormat = customFileFormat(file)): CustomRecord[] {
  checkPath(file, 'readCustomExamples(): file');
  if (!fs.existsSync(file)) throw invalidArgument(`${file} does not exist (expected a ${format === 'csv' ? 'CSV' : 'JSONL'} file of examples)`);
  const records = format === 'csv' ? readCsv(file) : readJsonl(file);
  if (records.length === 0) {
    throw invalidData(`${file} holds no example: expected ${format === 'csv' ? 'a header with input and output columns, then one example a line' : 'one {"input": [...], "output": [...]} object a line'}`);
  }
  return records;
}

function readJsonl(file: string): CustomRecord[] {
  const out: CustomRecord[] = [];
  forEachLine(
    file,
    (text, line) => {
      if (text.trim() === '') return;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch (e) {
        throw invalidData(`${file} line ${line}: not valid JSON (${(e as Error).message}); expected one {"input": [...], "output": [...]} object a line`);
      }
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalidData(`${file} line ${line}: expected an object {"input": [...], "output": [...]}, got ${describeValue(v)}`);
      const o = v as Record<string, unknown>;
      for (const k of ['input', 'output']) if (!(k in o)) throw invalidData(`${file} line ${line}: the field "${k}" is missing (expected {"input": [...], "output": [...]})`);
      out.push({ input: jsonSide(o.input) as CustomSequence, output: jsonSide(o.output) as CustomSequence, file, line });
    },
    'JSONL file',
  );
  return out;
}

function readCsv(file: string): CustomRecord[] {
  const out: CustomRecord[] = [];
  let columns: { input: number; output: number } | undefined;
  forEachCsvRecord(
    file,
    (r: CsvRecord) => {
      if (isBlankCsvRecord(r)) return;
      if (!columns) {
        const header = r.fields.map((f) => f.trim());
        const [input, output] = [header.indexOf('input'), header.indexOf('output')];
        if (input < 0 || output < 0) throw invalidData(`${file} line ${r.line}: the header must name an 'input' and an 'output' column, got ${JSON.stringify(r.fields)}`);
        columns = { input, output };
        return;
      }
      const cell = (k: 'input' | 'output'): CustomSequence => {
        const text = r.fields[columns![k]];
        if (text === undefined) throw invalidData(`${file} line ${r.line}: the ${k} column is missing (the line has ${r.fields.length} fields)`);
        try {
          return parseSequenceText(text);
        } catch (e) {
          throw invalidData(`${file} line ${r.line}: ${k}: ${(e as Error).message}`);
        }
      };
      out.push({ input: cell('input'), output: cell('output'), file, line: r.line });
    },
    { what: 'CSV file' },
  );
  return out;
}

/** One side encoded: its tokens (padded to seqLen) and its grid width when it was a grid. */
export interface EncodedSide {
  /** seqLen tokens, PAD after the sequence */
  tokens: Uint8Array;
  /** columns of the grid, or undefined for a flat sequence */
  gridColumns?: number;
}

/**
 * Encodes one side of an example as `seqLen` tokens (PAD after it). `where` names the file, line
 * and side in errors: not a list, an empty sequence, a ragged grid, a symbol not in the
 * vocabulary, or more tokens than seqLen.
 */
export function encodeCustomSide(side: unknown, vocab: CustomVocabulary, seqLen: number, where: string): EncodedSide {
  if (!Array.isArray(side)) throw invalidData(`${where}: expected a list of symbols, a grid (a list of rows) or a string, got ${describeValue(side)}`);
  if (side.length === 0) throw invalidData(`${where}: the sequence is empty; expected at least one symbol`);
  let flat: unknown[] = side;
  let gridColumns: number | undefined;
  if (Array.isArray(side[0])) {
    const width = (side[0] as unknown[]).length;
    side.forEach((row, r) => {
      if (!Array.isArray(row)) throw invalidData(`${where}: row ${r + 1} is ${describeValue(row)}, but row 1 is a list: a grid must be a list of rows`);
      if (row.length !== width) throw invalidData(`${where}: ragged grid: row ${r + 1} has ${row.length} cells, row 1 has ${width}; every row needs the same length`);
    });
    if (width === 0) throw invalidData(`${where}: the grid's rows are empty; expected at least one cell`);
    flat = (side as unknown[][]).flat();
    gridColumns = width;
  } else {
    const row = side.findIndex((s) => Array.isArray(s));
    if (row >= 0) throw invalidData(`${where}: element ${row + 1} is a list, but element 1 is a symbol: give a list of symbols, or a grid of rows only`);
  }
  if (flat.length > seqLen) throw invalidData(`${where}: ${flat.length} symbols is more than seqLen ${seqLen}; shorten the example or build with a larger seqLen`);
  const tokens = new Uint8Array(seqLen).fill(CUSTOM_PAD);
  flat.forEach((s, i) => {
    const t = vocab.token(s);
    if (t === undefined) {
      const shown = typeof s === 'string' || typeof s === 'number' ? JSON.stringify(s) : describeValue(s);
      const list = vocab.symbols.length > 12 ? `${vocab.symbols.slice(0, 12).join(' ')} ...` : vocab.symbols.join(' ');
      throw invalidData(`${where}: symbol ${i + 1} (${shown}) is not in the vocabulary (${vocab.symbols.length} symbols: ${list})`);
    }
    tokens[i] = t;
  });
  return { tokens, gridColumns };
}
