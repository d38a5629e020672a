/**
 * The vocabulary of a custom task: its symbols and their token ids (PAD = 0 is reserved, as in the
 * reference, so symbol i is token i + 1), and the file a custom dataset keeps them in
 * (`<dataset>/custom.json`), which is also how a dataset is known to be a custom one.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { writeFileAtomic } from '../../util/atomic';
import { describeValue, invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';
import { CUSTOM_TASK_FILE, invalidDataset } from '../format/dataset';

/** One symbol of a custom task: a string, or a number (which stands for its decimal string). */
export type CustomSymbol = string | number;

/** The padding token: never a symbol. */
export const CUSTOM_PAD = 0;
/** At most this many symbols (tokens 1..255 are stored as uint8, as the other builders store theirs). */
export const MAX_CUSTOM_SYMBOLS = 255;

/** A custom task's symbols, with their token ids both ways. */
export class CustomVocabulary {
  /** the symbols, in token order: symbols[i] is token i + 1 */
  readonly symbols: readonly string[];
  private readonly ids = new Map<string, number>();

  /**
   * @param symbols the distinct symbols in token order (numbers stand for their decimal strings),
   *   or a count V: the symbols are then the integers 0..V-1
   */
  constructor(symbols: readonly CustomSymbol[] | number) {
    const list = typeof symbols === 'number' ? integerSymbols(symbols) : symbolList(symbols);
    list.forEach((s, i) => this.ids.set(s, i + 1));
    this.symbols = list;
  }

  /** Token ids, PAD included: the dataset's vocab_size. */
  get vocabSize(): number {
    return this.symbols.length + 1;
  }

  /** The token of a symbol, or undefined when it is not in the vocabulary. */
  token(symbol: unknown): number | undefined {
    if (typeof symbol === 'number' && Number.isFinite(symbol)) return this.ids.get(String(symbol));
    return typeof symbol === 'string' ? this.ids.get(symbol) : undefined;
  }

  /** The symbol of a token, or undefined for PAD and tokens outside the vocabulary. */
  symbol(token: number): string | undefined {
    return token >= 1 && token <= this.symbols.length ? this.symbols[token - 1] : undefined;
  }

  /** True when every symbol is one character, so a sequence prints without separators. */
  get singleCharacters(): boolean {
    return this.symbols.every((s) => [...s].length === 1);
  }
}

function integerSymbols(v: number): string[] {
  if (!Number.isInteger(v) || v < 1 || v > MAX_CUSTOM_SYMBOLS) {
    throw invalidArgument(`vocab must be a list of symbols or an integer vocabulary size in [1, ${MAX_CUSTOM_SYMBOLS}] (symbols 0..V-1), got ${describeValue(v)}`);
  }
  return Array.from({ length: v }, (_, i) => String(i));
}

function symbolList(symbols: readonly CustomSymbol[]): string[] {
  if (!Array.isArray(symbols) || symbols.length === 0 || symbols.length > MAX_CUSTOM_SYMBOLS) {
    throw invalidArgument(`vocab must be a list of 1 to ${MAX_CUSTOM_SYMBOLS} symbols or an integer vocabulary size, got ${describeValue(symbols)}`);
  }
  const seen = new Set<string>();
  return symbols.map((s, i) => {
    const ok = (typeof s === 'string' && s.length > 0) || (typeof s === 'number' && Number.isFinite(s));
    if (!ok) throw invalidArgument(`vocab[${i}] must be a non-empty string or a number, got ${describeValue(s)}`);
    const key = String(s);
    if (seen.has(key)) throw invalidArgument(`vocab[${i}]: the symbol ${JSON.stringify(key)} is listed twice; symbols must be distinct`);
    seen.add(key);
    return key;
  });
}

/** What `<dataset>/custom.json` records: the symbols, the sequence length, and the grid width when the examples are grids. */
export interface CustomTaskInfo {
  /** the symbols in token order (token i + 1 is symbols[i]) */
  symbols: string[];
  /** tokens per example */
  seqLen: number;
  /** columns of the grids when every example is a grid of this width (shown as rows), else absent */
  gridColumns?: number;
}

/** Writes `<root>/custom.json`. */
export function writeCustomTaskInfo(root: string, info: CustomTaskInfo): void {
  checkPath(root, 'writeCustomTaskInfo(): root');
  const record: CustomTaskInfo = { symbols: info.symbols, seqLen: info.seqLen, ...(info.gridColumns !== undefined ? { gridColumns: info.gridColumns } : {}) };
  writeFileAtomic(path.join(root, CUSTOM_TASK_FILE), [JSON.stringify(record, null, 1) + '\n']);
}

/** True when the dataset root holds a custom task's custom.json. */
export function isCustomDataset(root: string): boolean {
  checkPath(root, 'isCustomDataset(): root');
  return fs.existsSync(path.join(root, CUSTOM_TASK_FILE));
}

/** Reads and checks `<root>/custom.json`; a damaged file is a `CORRUPT_FILE` error naming it. */
export function readCustomTaskInfo(root: string): CustomTaskInfo {
  checkPath(root, 'readCustomTaskInfo(): root');
  const file = path.join(root, CUSTOM_TASK_FILE);
  if (!fs.existsSync(file)) throw invalidArgument(`${root} is not a custom dataset: it has no ${CUSTOM_TASK_FILE} (build one with 'hrm data custom')`);
  let info: unknown;
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw invalidDataset(`${file} is not valid JSON (${(e as Error).message})`);
  }
  const i = info as Partial<CustomTaskInfo> | null;
  if (!i || typeof i !== 'object' || !Array.isArray(i.symbols) || !i.symbols.every((s) => typeof s === 'string')) throw invalidDataset(`${file}: 'symbols' must be a list of strings`);
  if (!Number.isInteger(i.seqLen) || (i.seqLen as number) < 1) throw invalidDataset(`${file}: 'seqLen' must be a positive integer, is ${JSON.stringify(i.seqLen)}`);
  if (i.gridColumns !== undefined && (!Number.isInteger(i.gridColumns) || i.gridColumns < 1)) throw invalidDataset(`${file}: 'gridColumns' must be a positive integer, is ${JSON.stringify(i.gridColumns)}`);
  return { symbols: i.symbols, seqLen: i.seqLen as number, gridColumns: i.gridColumns };
}

/** The vocabulary a custom dataset was built with. */
export function readCustomVocabulary(root: string): CustomVocabulary {
  const info = readCustomTaskInfo(root);
  try {
    return new CustomVocabulary(info.symbols);
  } catch (e) {
    throw invalidDataset(`${path.join(root, CUSTOM_TASK_FILE)}: ${(e as Error).message}`);
  }
}
