/** The progress bar (terminal and plain-line modes) and the number formats of progress lines. */
import { ProgressBar, ProgressStream, formatPercent, formatTime } from '../../src/util/progress';
import * as subject from '../../src/util/progress';
import { expectInvalidArgument } from '../helpers/errors';

/** A stream that records what is written; a terminal when `tty`. */
function recorder(tty: boolean): ProgressStream & { text: string } {
  const s = { text: '', isTTY: tty, write: (t: string) => (s.text += t) };
  return s;
}

let now = 0;
beforeEach(() => {
  now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
});
afterEach(() => jest.restoreAllMocks());

describe('ProgressBar', () => {
  test('off a terminal: one line per 10% reached, and one at the end, with rate and extra text', () => {
    const out = recorder(false);
    const bar = new ProgressBar('work', 20, out);
    for (let done = 1; done <= 20; done++) {
      now += 500; // 2 units per second
      bar.update(done, `item ${done}`);
    }
    const lines = out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('work [###.........................] 2/20 10%  2.0/s  ETA 9s  item 2');
    expect(lines[9]).toBe('work [############################] 20/20 100%  2.0/s  10.0s  item 20');
  });

  test('updates closer than 100 ms are skipped, except the last', () => {
    const out = recorder(true);
    const bar = new ProgressBar('x', 3, out);
    now += 1000;
    bar.update(1);
    now += 10;
    bar.update(2);
    now += 10;
    bar.update(3);
    const draws = out.text.split('\r').filter(Boolean);
    expect(draws).toHaveLength(2);
    expect(draws[0]).toMatch(/^x \[#+\.+\] 1\/3 33% .*\x1b\[K$/);
    expect(draws[1]).toMatch(/^x \[#{28}\] 3\/3 100% .*\x1b\[K\n$/);
  });

  test('log() prints a line of its own and the next update redraws the bar', () => {
    const out = recorder(true);
    const bar = new ProgressBar('x', 10, out);
    now += 1000;
    bar.update(1);
    bar.log('eval: fine');
    now += 1; // within 100 ms of the last draw, but the log cleared the bar
    bar.update(2);
    expect(out.text).toMatch(/^\rx \[.*1\/10.*\x1b\[K\reval: fine\x1b\[K\n\rx \[.*2\/10.*\x1b\[K$/);
    const plain = recorder(false);
    new ProgressBar('y', 10, plain).log('a line');
    expect(plain.text).toBe('a line\n');
  });
});

test('formatTime: seconds, minutes, hours, unknown', () => {
  expect(formatTime(42.4)).toBe('42s');
  expect(formatTime(185)).toBe('3m05s');
  expect(formatTime(2 * 3600 + 7 * 60 + 30)).toBe('2h07m');
  expect(formatTime(Infinity)).toBe('?');
});

test('formatPercent', () => {
  expect(formatPercent(0.1234)).toBe('12.3%');
  expect(formatPercent(0.1234, 2)).toBe('12.34%');
  expect(formatPercent(1)).toBe('100.0%');
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('ProgressBar checks its label, total and stream, update() and log() their arguments; formatPercent its own', () => {
    const stream = { write: () => true };
    expectInvalidArgument(() => new subject.ProgressBar(undefined as never, 10, stream), 'ProgressBar: label must be a string, got undefined');
    expectInvalidArgument(() => new subject.ProgressBar('x', -1, stream), 'ProgressBar: total must be a non-negative number, got number -1');
    expectInvalidArgument(() => new subject.ProgressBar('x', 10, {} as never), 'ProgressBar: stream must be a stream with a write() method, got an object');
    const bar = new subject.ProgressBar('x', 10, stream);
    expectInvalidArgument(() => bar.update('3' as never), 'ProgressBar.update(): done must be a number, got string "3"');
    expectInvalidArgument(() => bar.update(3, 4 as never), 'ProgressBar.update(): extra must be a string, got number 4');
    expectInvalidArgument(() => bar.log(undefined as never), 'ProgressBar.log(): line must be a string, got undefined');
    expectInvalidArgument(() => subject.formatPercent(undefined as never), 'formatPercent(): fraction must be a number, got undefined');
    expectInvalidArgument(() => subject.formatPercent(0.5, 200), 'formatPercent(): digits must be an integer from 0 to 20, got number 200');
  });
});
