/**
 * The reference's maze token encoding (hrm-spec 6.3): '#' wall 1, ' ' open 2, 'S' start 3,
 * 'G' goal 4, 'o' path 5; PAD 0 never occurs in a maze.
 * @module
 */
import { invalidData } from '../../util/errors';

/** The reference's CHARSET: character k gets token id k + 1 (hrm-spec 6.3). */
export const MAZE_CHARSET = '# SGo';
/** Token ids (hrm-spec 6.3). PAD never occurs in a maze. */
export const MAZE_TOKENS = {
  /** padding (unused in square mazes) */
  pad: 0,
  /** '#' */
  wall: 1,
  /** ' ' */
  open: 2,
  /** 'S' */
  start: 3,
  /** 'G' */
  goal: 4,
  /** 'o', a cell on the shortest path (labels only) */
  path: 5,
} as const;
/** PAD + the five characters. */
export const MAZE_VOCAB_SIZE = MAZE_CHARSET.length + 1;

const CHAR_TO_TOKEN = new Map<string, number>([...MAZE_CHARSET].map((c, i) => [c, i + 1]));

/** Tokens of a maze string (hrm-spec 6.3: '#'=1, ' '=2, 'S'=3, 'G'=4, 'o'=5). */
export function encodeMaze(grid: string): Uint8Array {
  const out = new Uint8Array(grid.length);
  for (let i = 0; i < grid.length; i++) {
    const t = CHAR_TO_TOKEN.get(grid[i]);
    if (t === undefined) throw invalidData(`encodeMaze: ${JSON.stringify(grid[i])} at cell ${i} is not one of ${JSON.stringify(MAZE_CHARSET)}`);
    out[i] = t;
  }
  return out;
}

/** The maze string of a token row (inverse of encodeMaze; PAD is not a maze character). */
export function decodeMaze(tokens: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t >= 1 && t <= MAZE_CHARSET.length) || !Number.isInteger(t)) throw invalidData(`decodeMaze: token ${t} at position ${i} is not a maze token (1..${MAZE_CHARSET.length})`);
    s += MAZE_CHARSET[t - 1];
  }
  return s;
}
