/**
 * ARC (Abstraction and Reasoning Corpus) datasets in the reference's format (hrm-spec 6.1, 6.4).
 *
 * Reads one-JSON-per-task folders (ARC-AGI-1, ARC-AGI-2, ConceptARC), applies the reference's
 * split rule, augments every task with dihedral transforms and colour permutations (deduplicated
 * by the reference's SHA-256 puzzle hash), encodes every pair as a 30x30 canvas of 900 tokens and
 * streams the result through {@link SetWriter}. Beside the reference's files it writes what the
 * ARC scoring needs to undo the augmentations (hrm-spec 7.2, pitfall 18):
 *
 *   <out>/identifiers.json    index = puzzle identifier, value = name ("<blank>" at 0)
 *   <out>/augmentations.json  index = puzzle identifier, value = {task, dihedral, colourMap} (null at 0)
 *   <out>/test_puzzles.json   the original tasks of the test split with their solutions (as TRM)
 *   <out>/train/, <out>/test/ the splits (test/ only when some folder is named `evaluation`)
 *
 * The building blocks (encoding, transforms, decoding, hashing) are exported for scoring code.
 * @module
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { invalidArgument } from '../tensor/dtype';
import { AtomicFile, writeFileAtomic } from '../tensor/io';
import { SetWriter, writeIdentifiers, writeMetadata } from './format';
import { Rng } from './random';

/** Side of the canvas every grid is placed on (ARC grids are 1x1 .. 30x30). */
export const ARC_GRID_SIZE = 30;
/** Tokens per example: the 30x30 canvas flattened row-major. */
export const ARC_SEQ_LEN = ARC_GRID_SIZE * ARC_GRID_SIZE;
/** PAD 0, EOS 1, colours 0..9 as 2..11 (hrm-spec 6.4). */
export const ARC_VOCAB_SIZE = 12;
export const ARC_PAD = 0;
export const ARC_EOS = 1;
export const ARC_COLOUR_OFFSET = 2;
/**
 * Inverse of each dihedral transform id (hrm-spec 6.4): the rotations by 90 and 270 degrees undo
 * each other; the others are their own inverses.
 */
export const ARC_DIHEDRAL_INVERSE: readonly number[] = Object.freeze([0, 3, 2, 1, 4, 5, 6, 7]);
/** Draws tried per requested augmentation before giving up (the reference's retries factor). */
export const ARC_AUGMENT_RETRIES_FACTOR = 5;

/** A grid as in the task files: rows of colours 0..9. */
export type ArcGrid = number[][];
export interface ArcPair {
  input: ArcGrid;
  output: ArcGrid;
}
/** One task file. `name` is the file's `"name"` key if it has one (as the reference), else its stem. */
export interface ArcTask {
  name: string;
  file: string;
  train: ArcPair[];
  test: ArcPair[];
}
/** One augmentation: a dihedral transform id 0..7 and a colour map (index = old colour, value = new colour; 0 stays 0). */
export interface ArcAugmentation {
  dihedral: number;
  colourMap: number[];
}
/** One augmented version of a task: its puzzle name and augmentation. The original has dihedral 0 and the identity map. */
export interface ArcVersion extends ArcAugmentation {
  name: string;
}
/** One entry of augmentations.json. */
export interface ArcAugmentationRecord extends ArcAugmentation {
  task: string;
}
/** A folder whose task files form one subset; `evaluation` decides the split rule (hrm-spec 6.4). */
export interface ArcSubset {
  dir: string;
  name: string;
  evaluation: boolean;
  tasks: ArcTask[];
}

// ---------------------------------------------------------------------------------------------
// Grids: internally a flat Uint8Array in row-major order with its shape, like the reference's
// uint8 numpy arrays, so that hashing sees the same bytes.

interface Grid {
  h: number;
  w: number;
  d: Uint8Array;
}

function taskError(file: string, what: string): Error {
  return Object.assign(new Error(`invalid ARC task file ${file}: ${what}`), { code: 'CORRUPT_FILE' });
}

/** Validates a grid as the reference does (2-D, at most 30x30, values 0..9); we also require it to be non-empty. */
function parseGrid(raw: unknown, where: () => string): Grid {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${where()} must be a non-empty list of rows`);
  const h = raw.length;
  const first = raw[0];
  if (!Array.isArray(first) || first.length === 0) throw new Error(`${where()} row 0 must be a non-empty list of colours`);
  const w = first.length;
  if (h > ARC_GRID_SIZE || w > ARC_GRID_SIZE) throw new Error(`${where()} is ${h}x${w}; ARC grids are at most ${ARC_GRID_SIZE}x${ARC_GRID_SIZE}`);
  const d = new Uint8Array(h * w);
  for (let r = 0; r < h; r++) {
    const row = raw[r];
    if (!Array.isArray(row)) throw new Error(`${where()} row ${r} is not a list`);
    if (row.length !== w) throw new Error(`${where()} is not rectangular: row ${r} has ${row.length} cells, row 0 has ${w}`);
    for (let c = 0; c < w; c++) {
      const v = row[c];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 9) {
        throw new Error(`${where()} cell (${r}, ${c}) is ${JSON.stringify(v)}; colours are integers 0..9`);
      }
      d[r * w + c] = v;
    }
  }
  return { h, w, d };
}

function toGrid(g: ArcGrid, what: string): Grid {
  try {
    return parseGrid(g, () => what);
  } catch (e) {
    throw invalidArgument((e as Error).message);
  }
}

function fromGrid(g: Grid): ArcGrid {
  const out: ArcGrid = [];
  for (let r = 0; r < g.h; r++) out.push(Array.from(g.d.subarray(r * g.w, (r + 1) * g.w)));
  return out;
}

function checkDihedral(t: unknown): number {
  if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > 7) throw invalidArgument(`dihedral transform id must be an integer 0..7, got ${JSON.stringify(t)}`);
  return t;
}

function checkColourMap(map: ArrayLike<number> | undefined): Uint8Array {
  if (map === undefined) return IDENTITY_MAP;
  if (map.length !== 10) throw invalidArgument(`colourMap must have 10 entries (one per colour 0..9), got ${map.length}`);
  const m = Uint8Array.from(map as ArrayLike<number>);
  const seen = new Set<number>();
  for (let i = 0; i < 10; i++) {
    if (!Number.isInteger(map[i]) || map[i] < 0 || map[i] > 9) throw invalidArgument(`colourMap[${i}] is ${map[i]}; entries are colours 0..9`);
    seen.add(m[i]);
  }
  if (seen.size !== 10) throw invalidArgument(`colourMap [${Array.from(m)}] is not a permutation of 0..9`);
  return m;
}

const IDENTITY_MAP = Uint8Array.from({ length: 10 }, (_, i) => i);

/**
 * Applies colour map then dihedral transform `t` in one pass (the reference maps colours first;
 * the two commute). Index formulas follow numpy: rot90 is counter-clockwise, so for t = 1 the
 * output cell (i, j) comes from input (j, w-1-i).
 */
function transformGrid(g: Grid, t: number, map: Uint8Array): Grid {
  const { h, w, d } = g;
  const swap = t === 1 || t === 3 || t === 6 || t === 7;
  const oh = swap ? w : h;
  const ow = swap ? h : w;
  const out = new Uint8Array(h * w);
  let k = 0;
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      let r: number;
      let c: number;
      switch (t) {
        case 0: r = i; c = j; break; // identity
        case 1: r = j; c = w - 1 - i; break; // rot90 (counter-clockwise)
        case 2: r = h - 1 - i; c = w - 1 - j; break; // rot180
        case 3: r = h - 1 - j; c = i; break; // rot270
        case 4: r = i; c = w - 1 - j; break; // flip left-right
        case 5: r = h - 1 - i; c = j; break; // flip up-down
        case 6: r = j; c = i; break; // transpose
        default: r = h - 1 - j; c = w - 1 - i; break; // anti-transpose = fliplr(rot90)
      }
      out[k++] = map[d[r * w + c]];
    }
  }
  return { h: oh, w: ow, d: out };
}

/** Dihedral transform `id` (hrm-spec 6.4: 0 identity, 1 rot90 ccw, 2 rot180, 3 rot270, 4 flip lr, 5 flip ud, 6 transpose, 7 anti-transpose). */
export function arcDihedralTransform(grid: ArcGrid, id: number): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), checkDihedral(id), IDENTITY_MAP));
}

/** Maps every colour c of the grid to colourMap[c]. */
export function arcApplyColourMap(grid: ArcGrid, colourMap: ArrayLike<number>): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), 0, checkColourMap(colourMap)));
}

/** The augmentation the builder applies to every grid of a version: colour map, then dihedral transform. */
export function arcAugmentGrid(grid: ArcGrid, aug: ArcAugmentation): ArcGrid {
  return fromGrid(transformGrid(toGrid(grid, 'grid'), checkDihedral(aug.dihedral), checkColourMap(aug.colourMap)));
}

/** The inverse colour map (argsort of the map): inverse[map[c]] = c. */
export function arcInverseColourMap(colourMap: ArrayLike<number>): number[] {
  const m = checkColourMap(colourMap);
  const inv = new Array<number>(10);
  for (let c = 0; c < 10; c++) inv[m[c]] = c;
  return inv;
}

/**
 * Undoes an augmentation (hrm-spec 7.2 step 4): the inverse dihedral transform, then the inverse
 * colour map, so that `inverseTransform(arcAugmentGrid(g, aug), aug)` equals g. Use it on a
 * decoded prediction of an augmented puzzle to vote in the original task's frame.
 */
export function inverseTransform(grid: ArcGrid, aug: ArcAugmentation): ArcGrid {
  const g = toGrid(grid, 'grid');
  const undone = transformGrid(g, ARC_DIHEDRAL_INVERSE[checkDihedral(aug.dihedral)], IDENTITY_MAP);
  return fromGrid(transformGrid(undone, 0, Uint8Array.from(arcInverseColourMap(aug.colourMap))));
}

// ---------------------------------------------------------------------------------------------
// Encoding (hrm-spec 6.4) and decoding (hrm-spec 7.2).

/**
 * Writes grid `g` at (r0, c0) into a zeroed 900-token canvas starting at `out[offset]`: colours
 * as c + 2, EOS on the row just below the grid (within its columns) and on the column just right
 * of it (within its rows) where those exist on the canvas; the corner cell and the rest stay PAD.
 */
function encodeInto(g: Grid, r0: number, c0: number, out: Uint8Array, offset: number): void {
  const S = ARC_GRID_SIZE;
  for (let r = 0; r < g.h; r++) {
    const base = offset + (r0 + r) * S + c0;
    for (let c = 0; c < g.w; c++) out[base + c] = g.d[r * g.w + c] + ARC_COLOUR_OFFSET;
    if (c0 + g.w < S) out[base + g.w] = ARC_EOS;
  }
  if (r0 + g.h < S) {
    const base = offset + (r0 + g.h) * S + c0;
    for (let c = 0; c < g.w; c++) out[base + c] = ARC_EOS;
  }
}

/**
 * Encodes one grid as 900 tokens with its top-left corner at (row, col) (default (0, 0)). Throws
 * if the grid does not fit on the 30x30 canvas at that offset.
 */
export function encodeArcGrid(grid: ArcGrid, offset: { row: number; col: number } = { row: 0, col: 0 }): Uint8Array {
  const g = toGrid(grid, 'grid');
  const { row, col } = offset;
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || col < 0 || row + g.h > ARC_GRID_SIZE || col + g.w > ARC_GRID_SIZE) {
    throw invalidArgument(`a ${g.h}x${g.w} grid does not fit the ${ARC_GRID_SIZE}x${ARC_GRID_SIZE} canvas at offset (${row}, ${col})`);
  }
  const out = new Uint8Array(ARC_SEQ_LEN);
  encodeInto(g, row, col, out, 0);
  return out;
}

/**
 * Decodes 900 tokens (a label row or an argmax prediction) back to a grid, cropping as the
 * reference scoring does (hrm-spec 7.2 step 2): scan rows from the top, keeping a running width
 * that shrinks to the first non-colour token (anything outside 2..11) of each row; of the
 * (rows, width) rectangles met, keep the first with the largest area; subtract the colour offset.
 * A prediction whose first token is not a colour decodes to the empty grid [].
 */
export function decodeArcGrid(tokens: ArrayLike<number | bigint>): ArcGrid {
  const S = ARC_GRID_SIZE;
  if (tokens.length !== ARC_SEQ_LEN) throw invalidArgument(`decodeArcGrid: expected ${ARC_SEQ_LEN} tokens (a 30x30 canvas), got ${tokens.length}`);
  const isColour = (v: number | bigint) => v >= ARC_COLOUR_OFFSET && v <= ARC_COLOUR_OFFSET + 9;
  let width = S;
  let bestArea = 0;
  let bestRows = 0;
  let bestCols = 0;
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < width; c++) {
      if (!isColour(tokens[r * S + c])) {
        width = c;
        break;
      }
    }
    const area = (r + 1) * width;
    if (area > bestArea) {
      bestArea = area;
      bestRows = r + 1;
      bestCols = width;
    }
  }
  const out: ArcGrid = [];
  for (let r = 0; r < bestRows; r++) {
    const row: number[] = [];
    for (let c = 0; c < bestCols; c++) row.push(Number(tokens[r * S + c]) - ARC_COLOUR_OFFSET);
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hashing (hrm-spec 6.4): grid hash = SHA-256 hex of [rows, cols] as single bytes followed by the
// uint8 cells; puzzle hash = SHA-256 hex of the sorted "<input hash>|<output hash>" strings of all
// pairs (both splits) joined by "|". Sorting makes it independent of pair order.

function gridHash(g: Grid): string {
  return crypto.createHash('sha256').update(Uint8Array.of(g.h, g.w)).update(g.d).digest('hex');
}

function puzzleHash(pairs: readonly (readonly [Grid, Grid])[]): string {
  const parts = pairs.map(([i, o]) => `${gridHash(i)}|${gridHash(o)}`);
  parts.sort();
  return crypto.createHash('sha256').update(parts.join('|'), 'utf8').digest('hex');
}

/** The reference's dedup hash of a task's pairs (all of them, train and test). */
export function arcPuzzleHash(pairs: readonly ArcPair[]): string {
  return puzzleHash(pairs.map((p, i) => [toGrid(p.input, `pair ${i} input`), toGrid(p.output, `pair ${i} output`)] as const));
}

// ---------------------------------------------------------------------------------------------
// Names.

/** `<task>_t<t>_<10 digits of the colour map>` (hrm-spec 6.4). */
export function arcAugmentedName(task: string, aug: ArcAugmentation): string {
  return `${task}_t${checkDihedral(aug.dihedral)}_${Array.from(checkColourMap(aug.colourMap)).join('')}`;
}

/**
 * Parses a puzzle name back into its task and augmentation. A name without the `_t<t>_<map>`
 * suffix is an original (identity). The task part is everything before the last suffix, so task
 * names containing "_" survive (the reference's notebook splits at the first "_").
 */
export function parseArcName(name: string): ArcAugmentationRecord {
  const m = /^(.*)_t([0-7])_(\d{10})$/s.exec(name);
  if (!m) return { task: name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) };
  const colourMap = Array.from(m[3], Number);
  // Ten digits that are not a permutation of 0..9 are part of an original name, not a colour map.
  if (new Set(colourMap).size !== 10) return { task: name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) };
  return { task: m[1], dihedral: Number(m[2]), colourMap };
}

// ---------------------------------------------------------------------------------------------
// Reading task folders.

/** Reads and validates one task file. */
export function readArcTask(file: string): ArcTask {
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw taskError(file, `not valid JSON (${(e as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw taskError(file, 'expected an object with "train" and "test" lists');
  const obj = data as Record<string, unknown>;
  // Quirk (datasets.md 1.1): 11 ARC-AGI-1 files carry a "name" key; the reference uses it as the
  // task name instead of the file stem (it always equals the stem in the staged data).
  let name = path.basename(file, path.extname(file));
  if ('name' in obj) {
    if (typeof obj.name !== 'string' || obj.name === '') throw taskError(file, `"name" must be a non-empty string, got ${JSON.stringify(obj.name)}`);
    name = obj.name;
  }
  const pairs = (key: 'train' | 'test'): ArcPair[] => {
    const list = obj[key];
    if (list === undefined) throw taskError(file, `missing the "${key}" list`);
    if (!Array.isArray(list)) throw taskError(file, `"${key}" must be a list of {"input", "output"} pairs`);
    return list.map((p: unknown, i) => {
      if (typeof p !== 'object' || p === null) throw taskError(file, `${key}[${i}] must be an object with "input" and "output"`);
      const pair = p as Record<string, unknown>;
      for (const io of ['input', 'output'] as const) {
        if (pair[io] === undefined) throw taskError(file, `${key}[${i}] has no "${io}" grid${key === 'test' && io === 'output' ? ' (test solutions are needed to build a dataset)' : ''}`);
        try {
          parseGrid(pair[io], () => `${key}[${i}].${io}`);
        } catch (e) {
          throw taskError(file, (e as Error).message);
        }
      }
      return { input: pair.input as ArcGrid, output: pair.output as ArcGrid };
    });
  };
  return { name, file, train: pairs('train'), test: pairs('test') };
}

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function jsonFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name.endsWith('.json') && (e.isFile() || (e.isSymbolicLink() && isFile(path.join(dir, e.name)))))
    .map((e) => e.name)
    .sort();
}

/**
 * Lists the subsets of dataset folders. As in the reference, each immediate sub-folder of a
 * dataset folder is one subset (ARC-AGI `data/` -> training, evaluation; ConceptARC `corpus/` ->
 * one per concept). A folder that itself holds *.json files is taken as a single subset, so a
 * subset folder can be passed directly. Sub-folders and files are read in sorted order (the
 * reference's glob order is machine-dependent).
 */
export function readArcFolders(datasetDirs: string[]): ArcSubset[] {
  if (!Array.isArray(datasetDirs) || datasetDirs.length === 0) throw invalidArgument('datasetDirs must be a non-empty list of folders');
  const subsets: ArcSubset[] = [];
  for (const dir of datasetDirs) {
    if (typeof dir !== 'string') throw invalidArgument(`datasetDirs entries must be folder paths, got ${JSON.stringify(dir)}`);
    if (!isDir(dir)) throw invalidArgument(`ARC dataset folder ${dir} does not exist or is not a folder`);
    const own = jsonFiles(dir);
    const dirs = own.length
      ? [dir]
      : fs
          .readdirSync(dir, { withFileTypes: true })
          .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && isDir(path.join(dir, e.name)))))
          .map((e) => path.join(dir, e.name))
          .sort();
    let found = 0;
    for (const sub of dirs) {
      const files = jsonFiles(sub);
      if (!files.length) continue;
      const name = path.basename(path.resolve(sub));
      // Split rule (hrm-spec 6.4): only a folder named exactly `evaluation` sends its test pairs to the test split.
      subsets.push({ dir: sub, name, evaluation: name === 'evaluation', tasks: files.map((f) => readArcTask(path.join(sub, f))) });
      found += files.length;
    }
    if (!found) throw invalidArgument(`no ARC task files (*.json) in ${dir} or its immediate sub-folders`);
  }
  return subsets;
}

// ---------------------------------------------------------------------------------------------
// Augmentation (hrm-spec 6.4).

interface ParsedTask {
  task: ArcTask;
  subset: ArcSubset;
  train: [Grid, Grid][];
  test: [Grid, Grid][];
}

function parseTask(task: ArcTask): { train: [Grid, Grid][]; test: [Grid, Grid][] } {
  const conv = (pairs: ArcPair[], key: string) =>
    pairs.map((p, i): [Grid, Grid] => {
      try {
        return [parseGrid(p.input, () => `${key}[${i}].input`), parseGrid(p.output, () => `${key}[${i}].output`)];
      } catch (e) {
        throw invalidArgument(`task ${task.name}: ${(e as Error).message}`);
      }
    });
  return { train: conv(task.train, 'train'), test: conv(task.test, 'test') };
}

function drawAugmentation(rng: Rng): { t: number; map: Uint8Array } {
  const t = rng.int(8);
  // Colour 0 (black, the usual background) stays fixed; 1..9 are permuted.
  const perm = rng.permutation(9);
  const map = new Uint8Array(10);
  for (let i = 0; i < 9; i++) map[i + 1] = perm[i] + 1;
  return { t, map };
}

/**
 * Draws up to `numAug` distinct augmented versions of a parsed task, trying at most
 * 5 * numAug draws; the original is pre-registered, so a draw reproducing it (or any version
 * already kept) is rejected. Returns the original first.
 */
function augmentParsed(name: string, pairs: readonly (readonly [Grid, Grid])[], numAug: number, rng: Rng): { versions: ArcVersion[]; draws: number } {
  const versions: ArcVersion[] = [{ name, dihedral: 0, colourMap: Array.from(IDENTITY_MAP) }];
  if (numAug <= 0) return { versions, draws: 0 };
  const seen = new Set([puzzleHash(pairs)]);
  let draws = 0;
  for (let k = 0; k < ARC_AUGMENT_RETRIES_FACTOR * numAug && versions.length < numAug + 1; k++) {
    const { t, map } = drawAugmentation(rng);
    draws++;
    const h = puzzleHash(pairs.map(([i, o]) => [transformGrid(i, t, map), transformGrid(o, t, map)] as const));
    if (seen.has(h)) continue;
    seen.add(h);
    const colourMap = Array.from(map);
    versions.push({ name: `${name}_t${t}_${colourMap.join('')}`, dihedral: t, colourMap });
  }
  return { versions, draws };
}

/**
 * The augmented versions of one task, as the builder draws them (hrm-spec 6.4): the original
 * first, then up to `numAug` versions whose puzzle hashes (over all train and test pairs) are
 * new. Symmetric tasks or tasks with few colours may yield fewer.
 */
export function augmentArcTask(task: ArcTask, numAug: number, rng: Rng): ArcVersion[] {
  checkNumAug(numAug);
  const { train, test } = parseTask(task);
  return augmentParsed(task.name, [...train, ...test], numAug, rng).versions;
}

function checkNumAug(numAug: number): void {
  if (!Number.isInteger(numAug) || numAug < 0) throw invalidArgument(`numAug must be a non-negative integer, got ${numAug}`);
}

/**
 * A seed for one task's own random stream, from the build seed and where the task comes from.
 * Per-task streams make a task's versions and offsets independent of the other folders in the
 * build, of the task order and of the translate option; the subset's parent folder is part of
 * the key so that the same task id in ARC-AGI-1 and ARC-AGI-2 gets different versions.
 */
function taskSeed(seed: number, purpose: string, subset: ArcSubset, task: string): number {
  const parent = path.basename(path.dirname(path.resolve(subset.dir)));
  const h = crypto.createHash('sha256').update(`${seed}\u0000${purpose}\u0000${parent}/${subset.name}\u0000${task}`).digest();
  return h.readUIntBE(0, 6); // 48 bits: an exact double
}

// ---------------------------------------------------------------------------------------------
// Warnings about the choice of folders.

function looksLike(dir: string, which: 1 | 2): boolean {
  const parts = path.resolve(dir).split(path.sep);
  return parts.some((p) => (which === 2 ? /^arc[-_ ]?agi[-_ ]?2$/i.test(p) : /^arc[-_ ]?agi(?:[-_ ]?1)?$/i.test(p)));
}

/** A key for a task's test inputs, to recognise the same task under another id or pair order. */
function testInputsKey(p: ParsedTask): string {
  return p.test.map(([i]) => gridHash(i)).sort().join('|');
}

function leakWarnings(parsed: ParsedTask[], subsets: ArcSubset[]): string[] {
  const warnings: string[] = [];
  const arc2Training = subsets.filter((s) => !s.evaluation && looksLike(s.dir, 2));
  const arc1Evaluation = subsets.filter((s) => s.evaluation && looksLike(s.dir, 1));
  if (arc2Training.length && arc1Evaluation.length) {
    warnings.push(
      `ARC-AGI-2 training (${arc2Training.map((s) => s.dir).join(', ')}) is mixed with ARC-AGI-1 evaluation ` +
        `(${arc1Evaluation.map((s) => s.dir).join(', ')}): ARC-AGI-2 training contains 376 of the 400 ARC-AGI-1 evaluation tasks, ` +
        `test outputs included, so ARC-AGI-1 evaluation scores of this build are not meaningful. Build ARC-1 from ` +
        `[arc-agi-1, concept-arc] and ARC-2 from [arc-agi-2] (datasets.md 1.1; TRM README).`,
    );
  }
  // Independently of folder names: evaluation tasks whose id or test inputs also occur in a
  // folder whose test pairs go to the train split leak their test outputs into training.
  const evalByName = new Map<string, ParsedTask>();
  const evalByKey = new Map<string, ParsedTask>();
  for (const p of parsed) {
    if (!p.subset.evaluation) continue;
    evalByName.set(p.task.name, p);
    if (p.test.length) evalByKey.set(testInputsKey(p), p);
  }
  const leaked = new Set<string>();
  for (const p of parsed) {
    if (p.subset.evaluation || !p.test.length) continue;
    const hit = evalByName.get(p.task.name) ?? evalByKey.get(testInputsKey(p));
    if (hit) leaked.add(hit.task.name);
  }
  if (leaked.size) {
    const names = [...leaked].sort();
    warnings.push(
      `${leaked.size} evaluation task(s) (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) also appear in a training ` +
        `folder, whose test pairs are trained on: their test-split scores are inflated. ARC-AGI-2 training contains most ` +
        `ARC-AGI-1 evaluation tasks; do not train on it and evaluate on ARC-AGI-1.`,
    );
  }
  const where = new Map<string, string[]>();
  for (const p of parsed) where.set(p.task.name, [...(where.get(p.task.name) ?? []), p.subset.dir]);
  const dup = [...where].filter(([, dirs]) => dirs.length > 1);
  if (dup.length) {
    warnings.push(
      `${dup.length} task name(s) occur in more than one folder (e.g. ${dup[0][0]} in ${dup[0][1].join(', ')}); as in the reference, ` +
        `puzzles with the same name share one puzzle identifier (and embedding).`,
    );
  }
  return warnings;
}

// ---------------------------------------------------------------------------------------------
// Building.

export interface ArcBuildProgress {
  /** 'read': task files parsed; 'train' / 'test': tasks written to that split; 'warning': a warning (also in the result). */
  phase: 'read' | 'train' | 'test' | 'warning';
  done: number;
  total: number;
  message: string;
}

export interface ArcBuildOptions {
  /** Dataset folders, e.g. [<arc-agi-1>, <concept-arc>] for ARC-1 or [<arc-agi-2>] for ARC-2 (hrm-spec 6.4). */
  datasetDirs: string[];
  outputDir: string;
  /** Augmented versions per task besides the original (default 1000). */
  numAug?: number;
  seed?: number;
  /**
   * Random placement of train-split examples (default true, as the reference). With false every
   * example sits at (0, 0). Note that the reference has no such switch: even with num_aug = 0 it
   * draws random offsets for the train split, so only a build with translate: false can be
   * compared with it array by array.
   */
  translate?: boolean;
  /** Shuffle the tasks of each folder (default true, as the reference); false keeps sorted file order. */
  shuffle?: boolean;
  /** Replace the dataset files of an earlier build in outputDir (default false: refuse). */
  overwrite?: boolean;
  onProgress?: (p: ArcBuildProgress) => void;
}

export interface ArcSplitCounts {
  groups: number;
  puzzles: number;
  examples: number;
}

export interface ArcBuildResult {
  outputDir: string;
  subsets: { dir: string; name: string; evaluation: boolean; tasks: number }[];
  tasks: number;
  /** Number of identifiers including the blank (= num_puzzle_identifiers). */
  numPuzzleIdentifiers: number;
  train: ArcSplitCounts;
  /** null when no folder is named `evaluation` (then, as in the reference, no test/ is written). */
  test: ArcSplitCounts | null;
  /** Versions per task (original included), over all tasks. */
  versions: { min: number; mean: number; max: number };
  /** Tasks that got fewer than numAug + 1 versions within the 5 * numAug draws. */
  incomplete: { task: string; versions: number }[];
  /** Augmentation draws made in total. */
  draws: number;
  warnings: string[];
  seconds: number;
}

/**
 * An augmentation as one exact double: dihedral * 1e10 + the 10 map digits read as a decimal
 * number (below 2^53).
 */
function packAugmentation(a: ArcAugmentation): number {
  let m = 0;
  for (let i = 0; i < 10; i++) m = m * 10 + a.colourMap[i];
  return a.dihedral * 1e10 + m;
}

function unpackAugmentation(packed: number): ArcAugmentation {
  const digits = String(packed % 1e10).padStart(10, '0');
  return { dihedral: Math.floor(packed / 1e10), colourMap: Array.from(digits, Number) };
}

const OWN_FILES = ['identifiers.json', 'augmentations.json', 'test_puzzles.json', 'train', 'test'];

/** Streams a large JSON array to a file, one element per line, then renames it into place. */
class JsonArrayWriter {
  private readonly out: AtomicFile;
  private count = 0;
  private buf: string[] = [];

  constructor(readonly file: string) {
    this.out = new AtomicFile(file);
    this.out.write('[');
  }

  push(value: unknown): void {
    this.buf.push((this.count++ ? ',\n' : '\n') + JSON.stringify(value));
    if (this.buf.length >= 4096) this.flush();
  }

  private flush(): void {
    if (this.buf.length) this.out.write(this.buf.join(''));
    this.buf = [];
  }

  close(): void {
    this.flush();
    this.out.write('\n]\n');
    this.out.commit();
  }

  abort(): void {
    this.out.abort();
  }
}

/**
 * Builds an ARC dataset (hrm-spec 6.4) from task folders: identifiers.json, augmentations.json,
 * test_puzzles.json, train/ and (when some folder is named `evaluation`) test/, each split with
 * the single set "all". Inputs and labels are streamed to disk task by task; only the task files,
 * the identifier names and the kept augmentation plans stay in memory.
 *
 * Differences from the reference that do not change the format: folders and files are read in
 * sorted order, randomness comes from per-task {@link Rng} streams rather than numpy's global
 * RNG (so a build is reproducible from its seed, but not bit-identical to a Python build), and
 * identifiers are numbered over the train split first, then the test split.
 */
export function buildArcDataset(options: ArcBuildOptions): ArcBuildResult {
  const t0 = Date.now();
  const { datasetDirs, outputDir, numAug = 1000, seed = 42, translate = true, shuffle = true, overwrite = false, onProgress } = options;
  if (typeof outputDir !== 'string' || outputDir === '') throw invalidArgument('outputDir must be a folder path');
  checkNumAug(numAug);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw invalidArgument(`seed must be a finite number, got ${seed}`);
  const existing = OWN_FILES.filter((f) => fs.existsSync(path.join(outputDir, f)));
  if (existing.length && !overwrite) {
    throw invalidArgument(`${outputDir} already holds a dataset (${existing.join(', ')}); pass overwrite: true to replace it`);
  }

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    if (onProgress) onProgress({ phase: 'warning', done: 0, total: 0, message });
    else console.warn(`buildArcDataset: ${message}`);
  };
  const progress = (phase: ArcBuildProgress['phase'], done: number, total: number, message: string) => onProgress?.({ phase, done, total, message });

  // Read and validate everything before writing anything.
  const subsets = readArcFolders(datasetDirs);
  const order = new Rng(seed);
  const parsed: ParsedTask[] = [];
  for (const subset of subsets) {
    const tasks = subset.tasks.map((task): ParsedTask => ({ task, subset, ...parseTask(task) }));
    if (shuffle) order.shuffle(tasks);
    parsed.push(...tasks);
  }
  progress('read', parsed.length, parsed.length, `read ${parsed.length} tasks from ${subsets.length} folders`);
  for (const w of leakWarnings(parsed, subsets)) warn(w);

  if (existing.length) for (const f of existing) fs.rmSync(path.join(outputDir, f), { recursive: true, force: true });
  fs.mkdirSync(outputDir, { recursive: true });

  // Identifiers: 0 is the blank; names are numbered in first-seen order (hrm-spec 6.4). What
  // augmentations.json needs is kept compactly (task name reference + packed augmentation), as a
  // full ARC-1 build has about 960k identifiers.
  const names: string[] = ['<blank>'];
  const idTask: string[] = [''];
  const idAug: number[] = [0];
  const ids = new Map<string, number>();
  const idOf = (task: string, v: ArcVersion): number => {
    let id = ids.get(v.name);
    if (id === undefined) {
      id = names.length;
      ids.set(v.name, id);
      names.push(v.name);
      idTask.push(task);
      idAug.push(packAugmentation(v));
    }
    return id;
  };

  const hasTest = subsets.some((s) => s.evaluation);
  const trainWriter = new SetWriter(path.join(outputDir, 'train'), 'all', ARC_SEQ_LEN);
  const testWriter = hasTest ? new SetWriter(path.join(outputDir, 'test'), 'all', ARC_SEQ_LEN) : null;
  let augWriter: JsonArrayWriter | null = null;

  try {
    // Pass 1: augment every task, write its train-split puzzles, keep the plans of tasks with
    // test-split pairs for pass 2.
    const plans: number[][] = [];
    const incomplete: { task: string; versions: number }[] = [];
    let draws = 0;
    let vMin = Infinity;
    let vMax = 0;
    let vSum = 0;
    for (let k = 0; k < parsed.length; k++) {
      const p = parsed[k];
      const name = p.task.name;
      const aug = augmentParsed(name, [...p.train, ...p.test], numAug, new Rng(taskSeed(seed, 'augment', p.subset, name)));
      draws += aug.draws;
      const versions = aug.versions;
      vMin = Math.min(vMin, versions.length);
      vMax = Math.max(vMax, versions.length);
      vSum += versions.length;
      if (versions.length < numAug + 1) incomplete.push({ task: name, versions: versions.length });
      plans.push(p.subset.evaluation ? versions.map(packAugmentation) : []);
      // Evaluation folders: demonstrations -> train, test pairs -> test. Other folders: all -> train.
      const trainPairs = p.subset.evaluation ? p.train : [...p.train, ...p.test];
      if (trainPairs.length) {
        const rng = new Rng(taskSeed(seed, 'translate', p.subset, name));
        for (const v of versions) writePuzzle(trainWriter, idOf(name, v), trainPairs, v, translate ? rng : null);
        trainWriter.endGroup();
      }
      progress('train', k + 1, parsed.length, `${name}: ${versions.length} versions`);
    }
    const trainCounts = trainWriter.finish();

    // Pass 2: the test split, every example at (0, 0); identifiers mostly exist already, since
    // an evaluation task's versions have the same names in both splits.
    let testCounts: ReturnType<SetWriter['finish']> | null = null;
    if (testWriter) {
      for (let k = 0; k < parsed.length; k++) {
        const p = parsed[k];
        if (!p.subset.evaluation || !p.test.length) continue;
        for (let i = 0; i < plans[k].length; i++) {
          // Version 0 is the original, which keeps the plain task name.
          const v = unpackAugmentation(plans[k][i]);
          const name = i === 0 ? p.task.name : arcAugmentedName(p.task.name, v);
          writePuzzle(testWriter, idOf(p.task.name, { name, ...v }), p.test, v, null);
        }
        testWriter.endGroup();
        progress('test', k + 1, parsed.length, p.task.name);
      }
      testCounts = testWriter.finish();
    }

    // num_puzzle_identifiers = N + 1 in both splits (hrm-spec 6.4).
    const common = { pad_id: ARC_PAD, ignore_label_id: ARC_PAD, blank_identifier_id: 0, vocab_size: ARC_VOCAB_SIZE, seq_len: ARC_SEQ_LEN, num_puzzle_identifiers: names.length, sets: ['all'] };
    const meta = (c: { totalGroups: number; totalPuzzles: number; totalExamples: number }) => ({
      ...common,
      total_groups: c.totalGroups,
      mean_puzzle_examples: c.totalPuzzles ? c.totalExamples / c.totalPuzzles : 0,
    });
    writeMetadata(path.join(outputDir, 'train'), meta(trainCounts));
    if (testCounts) writeMetadata(path.join(outputDir, 'test'), meta(testCounts));
    writeIdentifiers(outputDir, names);
    augWriter = new JsonArrayWriter(path.join(outputDir, 'augmentations.json'));
    augWriter.push(null);
    for (let id = 1; id < names.length; id++) augWriter.push({ task: idTask[id], ...unpackAugmentation(idAug[id]) });
    augWriter.close();
    augWriter = null;
    // TRM-style test_puzzles.json: the original tasks of the test split, solutions included.
    const testPuzzles: Record<string, { train: ArcPair[]; test: ArcPair[] }> = {};
    for (const p of parsed) if (p.subset.evaluation && p.test.length) testPuzzles[p.task.name] = { train: p.task.train, test: p.task.test };
    writeFileAtomic(path.join(outputDir, 'test_puzzles.json'), [JSON.stringify(testPuzzles)]);

    if (incomplete.length) {
      warn(
        `${incomplete.length} task(s) got fewer than ${numAug + 1} versions within ${ARC_AUGMENT_RETRIES_FACTOR * numAug} draws ` +
          `(symmetric grids or few colours), e.g. ${incomplete.slice(0, 3).map((x) => `${x.task}: ${x.versions}`).join(', ')}`,
      );
    }
    const split = (c: { totalGroups: number; totalPuzzles: number; totalExamples: number }): ArcSplitCounts => ({ groups: c.totalGroups, puzzles: c.totalPuzzles, examples: c.totalExamples });
    return {
      outputDir,
      subsets: subsets.map((s) => ({ dir: s.dir, name: s.name, evaluation: s.evaluation, tasks: s.tasks.length })),
      tasks: parsed.length,
      numPuzzleIdentifiers: names.length,
      train: split(trainCounts),
      test: testCounts ? split(testCounts) : null,
      versions: { min: parsed.length ? vMin : 0, mean: parsed.length ? vSum / parsed.length : 0, max: vMax },
      incomplete,
      draws,
      warnings,
      seconds: (Date.now() - t0) / 1000,
    };
  } catch (e) {
    trainWriter.abort();
    testWriter?.abort();
    augWriter?.abort();
    throw e;
  }
}

/**
 * Encodes one puzzle (all its pairs under augmentation v) and adds it to the writer. With an
 * rng, one randomly chosen example stays at (0, 0) and every other one gets a random offset
 * shared by its input and output, r0 in [0, 30 - max(h_in, h_out)], c0 likewise (hrm-spec 6.4).
 */
function writePuzzle(writer: SetWriter, id: number, pairs: readonly [Grid, Grid][], v: ArcAugmentation, rng: Rng | null): void {
  const n = pairs.length;
  const map = Uint8Array.from(v.colourMap);
  const inputs = new Uint8Array(n * ARC_SEQ_LEN);
  const labels = new Uint8Array(n * ARC_SEQ_LEN);
  const fixed = rng ? rng.int(n) : -1;
  for (let e = 0; e < n; e++) {
    const inp = transformGrid(pairs[e][0], v.dihedral, map);
    const out = transformGrid(pairs[e][1], v.dihedral, map);
    let r0 = 0;
    let c0 = 0;
    if (rng && e !== fixed) {
      r0 = rng.int(ARC_GRID_SIZE - Math.max(inp.h, out.h) + 1);
      c0 = rng.int(ARC_GRID_SIZE - Math.max(inp.w, out.w) + 1);
    }
    encodeInto(inp, r0, c0, inputs, e * ARC_SEQ_LEN);
    encodeInto(out, r0, c0, labels, e * ARC_SEQ_LEN);
  }
  writer.addPuzzle(id, inputs, labels);
}

/** Reads augmentations.json of a built dataset: index = puzzle identifier, null for the blank. */
export function readArcAugmentations(datasetDir: string): (ArcAugmentationRecord | null)[] {
  const file = path.join(datasetDir, 'augmentations.json');
  if (!fs.existsSync(file)) throw invalidArgument(`${file} does not exist (was ${datasetDir} built by buildArcDataset?)`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as (ArcAugmentationRecord | null)[];
}
