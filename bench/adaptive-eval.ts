/**
 * Adaptive evaluation with continuous batching against the reference's protocol, on one trained
 * model and one test set, in one run:
 * - fixed: every row of every batch runs haltMaxSteps steps (the reference's evaluation);
 * - batched adaptive: rows halt on the Q head, but a batch runs until its last row halts;
 * - continuous: rows halt on the Q head and a halted row's slot takes the next puzzle.
 * The sides alternate, in a rotating order, for --rounds rounds; the report gives puzzles/s
 * (median and range), exact accuracy at halting and the mean halting step of each.
 *
 *   npm run build:ts
 *   node dist/bench/adaptive-eval.js --checkpoint FILE --data DIR [--halt-max-steps N] [--batch-size N]
 *        [--rounds N] [--max-examples N] [--threads N] [--json FILE]
 *
 * A timing is wall time on this machine with --threads intra-op threads (default 1): run it on a
 * machine with nothing else running.
 */
import * as path from 'path';
import * as ht from '../src';
import { exitWithUsage, parseFlags } from './flags';
import { log, machineInfo, mdTable, now, runMain, summarize, writeJsonReport } from './harness';

/** The three ways to evaluate, in the order of the first round. */
const SIDES = ['fixed', 'batched adaptive', 'continuous'] as const;
type Side = (typeof SIDES)[number];

/** One evaluation of one side: its speed and what it found. */
interface Sample {
  seconds: number;
  puzzlesPerSecond: number;
  exactAccuracy: number;
  meanHaltStep: number;
}

async function main(): Promise<void> {
  let checkpoint: string | undefined;
  let data: string | undefined;
  let haltMaxSteps: number | undefined;
  let batchSize: number | undefined;
  let rounds = 5;
  let maxExamples: number | undefined;
  let threads = 1;
  let json: string | undefined;
  const usage = () =>
    exitWithUsage('usage: node dist/bench/adaptive-eval.js --checkpoint FILE --data DIR [--halt-max-steps N] [--batch-size N] [--rounds N] [--max-examples N] [--threads N] [--json FILE]');
  parseFlags(
    process.argv.slice(2),
    {
      '--checkpoint': (v) => (checkpoint = v.string()),
      '--data': (v) => (data = v.string()),
      '--halt-max-steps': (v) => (haltMaxSteps = v.positiveInteger()),
      '--batch-size': (v) => (batchSize = v.positiveInteger()),
      '--rounds': (v) => (rounds = v.positiveInteger()),
      '--max-examples': (v) => (maxExamples = v.positiveInteger()),
      '--threads': (v) => (threads = v.positiveInteger()),
      '--json': (v) => (json = v.string()),
    },
    usage,
  );
  if (checkpoint === undefined || data === undefined) return usage();
  ht.setNumThreads(threads);
  const model = ht.loadModel(checkpoint);
  const limit = haltMaxSteps ?? model.config.haltMaxSteps;
  const rows = batchSize ?? model.config.batchSize;
  const testDir = path.join(data, 'test');
  const evaluateOnce = (side: Side): Sample => {
    const d = new ht.PuzzleDataset({ dir: testDir, mode: 'test', batchSize: rows });
    try {
      const t0 = now();
      const r = ht.evaluate(model, d, { haltMaxSteps: limit, adaptive: side !== 'fixed', continuous: side === 'continuous', maxExamples });
      const seconds = Number(now() - t0) / 1e9;
      const set = Object.keys(r.exactAccuracyAtHalt);
      // One number over the sets, each weighted by its puzzles.
      const per = (m: Record<string, number>) => set.reduce((a, s) => a + m[s] * r.haltedAtStep[s].reduce((x, y) => x + y, 0), 0) / r.examples;
      return { seconds, puzzlesPerSecond: r.examples / seconds, exactAccuracy: per(r.exactAccuracyAtHalt), meanHaltStep: per(r.meanHaltStep) };
    } finally {
      d.close();
    }
  };
  log(`${checkpoint}: halt limit ${limit}, ${rows} rows per batch, ${rounds} rounds, ${threads} thread(s)`);
  evaluateOnce('continuous'); // warm-up (allocator, first-call costs), not counted
  const samples: Record<Side, Sample[]> = { fixed: [], 'batched adaptive': [], continuous: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate the order, so that no side always runs first (or right after the same one).
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(round + k) % SIDES.length];
      const s = evaluateOnce(side);
      samples[side].push(s);
      log(`round ${round + 1}: ${side.padEnd(16)} ${s.puzzlesPerSecond.toFixed(1)} puzzles/s, exact ${(s.exactAccuracy * 100).toFixed(2)}%, mean halting step ${s.meanHaltStep.toFixed(2)}`);
    }
  }
  model.dispose();
  const speed = (side: Side) => summarize(samples[side].map((s) => s.puzzlesPerSecond));
  const fixed = speed('fixed');
  const table = SIDES.map((side) => {
    const s = speed(side);
    const first = samples[side][0];
    return [
      side,
      `${s.medianNs.toFixed(1)} (${s.minNs.toFixed(1)}-${s.maxNs.toFixed(1)})`,
      `${(s.medianNs / fixed.medianNs).toFixed(2)}x`,
      `${(first.exactAccuracy * 100).toFixed(2)}%`,
      first.meanHaltStep.toFixed(2),
    ];
  });
  const m = machineInfo();
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${m.cores} cores (${m.cpuModel}), ${threads} thread(s); halt limit ${limit}, ${rows} rows per batch, ${samples.fixed.length} rounds\n`);
  console.log(mdTable(['protocol', 'puzzles/s median (min-max)', 'vs fixed', 'exact accuracy', 'mean halting step'], table));
  if (json) writeJsonReport(json, { machine: m, checkpoint, data, haltMaxSteps: limit, batchSize: rows, threads, samples });
}

runMain(main);
