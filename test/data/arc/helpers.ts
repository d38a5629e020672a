/**
 * Shared by the ARC tests: the real tasks (linked from the shared data, never copied), scratch folders,
 * hand-made canvases, grids and task files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ArcGrid } from '../../../src/data/arc';
import { Rng } from '../../../src/data/random';
import { haveSharedData, sharedDataPath } from '../../helpers/shared-data';
import { scratchFolders } from '../scratch';

export const DATA = sharedDataPath('arc');
export const REF = path.resolve(__dirname, '..', '..', 'reference', 'build_arc_ref.py');
export const haveData = haveSharedData('arc', 'arc-agi-1', 'training');
export const describeWithData = haveData ? describe : describe.skip;

export const TRAINING = ['007bbfb7', 'd631b094', '0d3d703e', '9edfc990', '00d62c1b', '017c7c7b', '025d127b', '045e512c', '0520fde7', '05269061'];
export const EVALUATION = ['05a7bcf2', '00576224', '009d5c81', '00dbd492', '03560426'];

/** A new scratch folder (removed after the test file). */
export const scratch = scratchFolders('hrm-arc-test-');

/** Links real task files into <root>/<layout...>/<subset>/ (nothing is copied). */
export function linkTasks(root: string, rel: string, source: string, ids: string[]): string {
  const dir = path.join(root, rel);
  fs.mkdirSync(dir, { recursive: true });
  for (const id of ids) fs.symlinkSync(path.join(DATA, source, `${id}.json`), path.join(dir, `${id}.json`));
  return dir;
}

/** A 900-token canvas, PAD everywhere except the given row prefixes. */
export function canvas(rows: Record<number, number[]>): Uint8Array {
  const out = new Uint8Array(900);
  for (const [r, vals] of Object.entries(rows)) out.set(vals, Number(r) * 30);
  return out;
}

/** A random h x w grid of colours 0..9. */
export function randomGrid(rng: Rng, h: number, w: number): ArcGrid {
  return Array.from({ length: h }, () => Array.from({ length: w }, () => rng.int(10)));
}

/** Parses a JSON file. */
export function loadJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

/** Writes a task file (JSON of `content`, or `content` itself when a string) into `dir`. */
export function writeTask(dir: string, name: string, content: unknown): string {
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${name}.json`);
  fs.writeFileSync(f, typeof content === 'string' ? content : JSON.stringify(content));
  return f;
}

/** A minimal valid task. */
export const ok = { train: [{ input: [[1]], output: [[2]] }], test: [{ input: [[3]], output: [[4]] }] };
