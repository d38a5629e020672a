/**
 * The reference's dedup hashes (hrm-spec 6.4): grid hash = SHA-256 hex of [rows, cols] as single
 * bytes followed by the uint8 cells; puzzle hash = SHA-256 hex of the sorted
 * "<input hash>|<output hash>" strings of all pairs (both splits) joined by "|". Sorting makes it
 * independent of pair order.
 * @module
 */
import * as crypto from 'crypto';
import { Grid, toGrid } from './grid';
import { ArcPair } from './types';
import { checkArray, checkObject } from '../../util/errors';

/** The hash of one grid. */
export function gridHash(g: Grid): string {
  return crypto.createHash('sha256').update(Uint8Array.of(g.h, g.w)).update(g.d).digest('hex');
}

/** The hash of a puzzle's pairs. */
export function puzzleHash(pairs: readonly (readonly [Grid, Grid])[]): string {
  const parts = pairs.map(([i, o]) => `${gridHash(i)}|${gridHash(o)}`);
  parts.sort();
  return crypto.createHash('sha256').update(parts.join('|'), 'utf8').digest('hex');
}

/** The reference's dedup hash of a task's pairs (all of them, train and test). */
export function arcPuzzleHash(pairs: readonly ArcPair[]): string {
  checkArray(pairs, 'arcPuzzleHash(): pairs', 'an array of {input, output} pairs').forEach((p, i) => checkObject(p, `arcPuzzleHash(): pairs[${i}]`, 'an {input, output} pair'));
  return puzzleHash(pairs.map((p, i) => [toGrid(p.input, `pair ${i} input`), toGrid(p.output, `pair ${i} output`)] as const));
}
