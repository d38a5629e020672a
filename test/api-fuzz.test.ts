/**
 * A seeded random test of the whole public API: children (test/helpers/api-fuzz-child.js, against
 * the built dist/) call every export, constructor, instance method and Tensor method with random
 * arguments. No call may abort the process, hang, or throw something that is not an Error.
 *
 * The seed is random unless `HRM_FUZZ_SEED` is set, and is printed with every result, so a failure
 * reproduces with `HRM_FUZZ_SEED=<seed> npx jest test/api-fuzz.test.ts`. `HRM_FUZZ_CALLS` sets the
 * calls per child (default 700). The share of thrown errors that say nothing useful (no hrm-torch
 * code, or a raw JavaScript message) is printed, not asserted.
 */
import * as os from 'os';
import * as path from 'path';
import * as fs from 'fs';
import { DIST, runChild, type ChildOutcome } from './helpers/child';

const CHILD = path.resolve(__dirname, 'helpers', 'api-fuzz-child.js');
const SLICES = 6;
const CALLS = Number(process.env.HRM_FUZZ_CALLS ?? 700);
/** A child's wall-time limit: ample for its calls (about 2 ms each, 10 ms on a loaded machine). */
const LIMIT_MS = Math.max(45_000, CALLS * 40);
const SEED = process.env.HRM_FUZZ_SEED !== undefined ? Number(process.env.HRM_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);

interface SliceResult {
  calls: number;
  returned: number;
  throws: number;
  hrmErrors: number;
  nonErrors: string[];
  uninformative: Record<string, number>;
  hangs: string[];
  slow: string[];
  codes: Record<string, number>;
  missing: string[];
  names: string[];
  skipped: Record<string, string>;
  targets: number;
}

/**
 * The call a child was making when it died: the last `@@<n> +<ms> <call>` line it wrote to stderr
 * (`+<ms>`: when the call began, after the child's start).
 */
function lastCall(out: ChildOutcome): string {
  const lines = out.stderr.split('\n').filter((l) => l.startsWith('@@'));
  return lines.length ? lines[lines.length - 1] : '(none)';
}

describe(`random calls over the public API (HRM_FUZZ_SEED=${SEED})`, () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hrm-fuzz-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test(`${SLICES} children x ${CALLS} calls: no abort, no hang, every throw an Error`, async () => {
    const outs = await Promise.all(
      Array.from({ length: SLICES }, (_, slice) =>
        runChild(
          `report(await require(${JSON.stringify(CHILD)}).runSlice(ht, ${JSON.stringify({ seed: SEED, slice, calls: CALLS, tmp: path.join(tmp, `s${slice}`), dist: DIST })}));`,
          { timeoutMs: LIMIT_MS, heapMb: 512 },
        ),
      ),
    );
    const results: SliceResult[] = [];
    const deaths: string[] = [];
    outs.forEach((out, slice) => {
      const r = out.result as (SliceResult & { threw?: boolean; message?: string }) | undefined;
      const fatal = /FATAL ERROR|Aborted|Segmentation|terminate called/.exec(out.stderr);
      if (out.timedOut || out.signal !== null || out.status !== 0 || !r || r.threw === true || fatal) {
        const how = out.timedOut ? `killed at the ${LIMIT_MS} ms time limit` : out.signal ? `died by ${out.signal}` : `exited ${out.status}`;
        const tail = out.stderr.split('\n').filter((l) => !l.startsWith('@@')).slice(-8).join('\n');
        deaths.push(`HRM_FUZZ_SEED=${SEED} slice ${slice}: ${how}${r?.threw ? ` (${r.message})` : ''}; last call ${lastCall(out)}\n${tail}`);
      } else results.push(r);
    });

    const sum = (f: (r: SliceResult) => number) => results.reduce((a, r) => a + f(r), 0);
    const calls = sum((r) => r.calls);
    const threw = sum((r) => r.throws);
    const hrmErrors = sum((r) => r.hrmErrors);
    const uninformative: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r.uninformative)) uninformative[k] = (uninformative[k] ?? 0) + n;
    const unCount = Object.values(uninformative).reduce((a, b) => a + b, 0);
    const codes: Record<string, number> = {};
    for (const r of results) for (const [k, n] of Object.entries(r.codes)) codes[k] = (codes[k] ?? 0) + n;
    const names = new Set(results.flatMap((r) => r.names));
    const top = Object.entries(uninformative).sort((a, b) => b[1] - a[1]).slice(0, 15);
    const skipped = results[0]?.skipped ?? {};
    console.log(
      [
        `HRM_FUZZ_SEED=${SEED}: ${calls} calls over ${names.size} distinct members (of ${results[0]?.targets ?? '?'} exports, statics and Tensor members, plus instance methods); ` +
          `${sum((r) => r.returned)} returned, ${threw} threw (${hrmErrors} hrm-torch errors with a code)`,
        `codes: ${JSON.stringify(codes)}`,
        `uninformative errors: ${unCount} of ${threw} (${threw ? ((100 * unCount) / threw).toFixed(1) : 0}%); top ${top.length}:`,
        ...top.map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
        `slow calls (> 1 s): ${results.flatMap((r) => r.slow).join('; ') || 'none'}`,
        `skipped: ${Object.entries(skipped).map(([k, why]) => `${k} (${why})`).join('; ')}`,
      ].join('\n'),
    );

    expect(deaths).toEqual([]);
    expect(results.flatMap((r) => r.hangs.map((h) => `HRM_FUZZ_SEED=${SEED}: async call still pending after 5 s: ${h}`))).toEqual([]);
    expect(results.flatMap((r) => r.nonErrors.map((e) => `HRM_FUZZ_SEED=${SEED}: threw a non-Error: ${e}`))).toEqual([]);
    expect(results.flatMap((r) => r.missing)).toEqual([]); // the skip list names only real exports
    expect(calls).toBeGreaterThanOrEqual(SLICES * CALLS * 0.9);
  });
});
