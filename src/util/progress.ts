/**
 * A terminal progress bar with rate and ETA (plain lines when the output is not a terminal), and
 * the number formats progress lines use.
 * @module
 */
import { checkString, describeValue, invalidArgument } from './errors';

/** Where a progress bar writes: a stream such as `process.stderr`, or anything with `write`. */
export interface ProgressStream {
  /** writes text as it is (no newline added) */
  write(text: string): unknown;
  /** a terminal: the bar redraws in place; otherwise it prints a line every 10% */
  isTTY?: boolean;
}

/** A progress bar over `total` units, labelled, with rate and ETA. */
export class ProgressBar {
  private readonly start = Date.now();
  private lastDraw = 0;
  private lastLine = 0;
  private readonly tty: boolean;

  /** A bar labelled `label` over `total` units, drawn on `stream` (default stderr). */
  constructor(
    /** printed before the bar */
    readonly label: string,
    /** the units at 100% */
    readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
  ) {
    checkString(label, 'ProgressBar: label');
    if (typeof total !== 'number' || !(total >= 0)) throw invalidArgument(`ProgressBar: total must be a non-negative number, got ${describeValue(total)}`);
    if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') throw invalidArgument(`ProgressBar: stream must be a stream with a write() method, got ${describeValue(stream)}`);
    this.tty = !!stream.isTTY;
  }

  /** Updates the bar to `done` units (drawn at most every 100 ms; lines every 10% off a tty). */
  update(done: number, extra = ''): void {
    if (typeof done !== 'number' || Number.isNaN(done)) throw invalidArgument(`ProgressBar.update(): done must be a number, got ${describeValue(done)}`);
    checkString(extra, 'ProgressBar.update(): extra');
    const now = Date.now();
    const finished = done >= this.total;
    if (!finished && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (now - this.start) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const width = 28;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const line = `${this.label} [${bar}] ${done}/${this.total} ${(frac * 100).toFixed(0)}%  ${formatRate(rate)}/s  ${finished ? `${elapsed.toFixed(1)}s` : `ETA ${formatTime(eta)}`}${extra ? '  ' + extra : ''}`;
    if (this.tty) this.stream.write(`\r${line}\x1b[K${finished ? '\n' : ''}`);
    else if (finished || Math.floor(frac * 10) > this.lastLine) {
      this.lastLine = Math.floor(frac * 10);
      this.stream.write(line + '\n');
    }
  }

  /** Prints a line of its own; on a terminal it replaces the bar, which is redrawn on the next update. */
  log(line: string): void {
    checkString(line, 'ProgressBar.log(): line');
    this.stream.write(this.tty ? `\r${line}\x1b[K\n` : `${line}\n`);
    this.lastDraw = 0;
  }
}

function formatRate(r: number): string {
  return r >= 100 ? r.toFixed(0) : r.toFixed(1);
}

/** A duration in seconds as `42s`, `3m05s` or `2h07m` ('?' when not finite). */
export function formatTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A fraction as a percentage with `digits` decimals: `formatPercent(0.1234) === '12.3%'`. */
export function formatPercent(fraction: number, digits = 1): string {
  if (typeof fraction !== 'number') throw invalidArgument(`formatPercent(): fraction must be a number, got ${describeValue(fraction)}`);
  if (typeof digits !== 'number' || !Number.isInteger(digits) || digits < 0 || digits > 20) throw invalidArgument(`formatPercent(): digits must be an integer from 0 to 20, got ${describeValue(digits)}`);
  return `${(fraction * 100).toFixed(digits)}%`;
}
