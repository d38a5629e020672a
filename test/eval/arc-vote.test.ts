/**
 * ARC voting and scoring (src/eval/arc-vote.ts, hrm-spec 7.2, 7.3) on a tiny real dataset: four
 * ARC-AGI-1 evaluation tasks built with buildArcDataset (4 augmentations each, no translation),
 * whose test-split rows are read back from the .npy files and paired with hand-made predictions
 * (right or wrong grids, written in each version's augmented frame) and chosen q_halt logits.
 * The expected pass@K values are worked out by hand below, not by the code under test.
 * Task files are copied into a temp folder; nothing is written inside the project.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ArcAugmentationRecord, ArcGrid, ArcPair, arcAugmentGrid, buildArcDataset, encodeArcGrid, readArcAugmentations } from '../../src/data/arc';
import { readNpy } from '../../src/data/format';
import { ArcVoteRow, ArcVoter } from '../../src/eval/arc-vote';
import { describeWithSharedData, sharedDataPath } from '../helpers/shared-data';

const EVAL_DIR = sharedDataPath('arc', 'arc-agi-1', 'evaluation');
const describeWithData = describeWithSharedData('arc', 'arc-agi-1', 'evaluation');

// A: one test input, the right grid wins the vote 3 to 2           -> solved at rank 1.
// B: one test input, a wrong grid has 3 votes, the right one 2      -> solved at rank 2.
// C: two test inputs, the first right in all versions, the second never -> HRM 0, TRM 0.5.
// D: one test input, right and wrong grid tie on 2 votes each; the right one has the higher mean
//    confidence (although the wrong one holds the single most confident vote, and is seen first);
//    a fifth, empty prediction gets 1 vote                         -> solved at rank 1.
const A = '66e6c45b';
const B = '4cd1b7b2';
const C = '6ea4a07e';
const D = 'e133d23d';
const TASKS = [A, B, C, D];
const VERSIONS = 5; // the original + numAug 4

const sig = (x: number) => 1 / (1 + Math.exp(-x));

interface Version {
  id: number;
  aug: ArcAugmentationRecord;
  inputs: Uint8Array[]; // the test split's input rows of this puzzle, one per test input
  labels: Uint8Array[];
}

describeWithData('ArcVoter on a built ARC dataset', () => {
  let root = '';
  let out = '';
  const tasks = new Map<string, { train: ArcPair[]; test: ArcPair[] }>();
  const versions = new Map<string, Version[]>();

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hrm-arc-vote-'));
    const src = path.join(root, 'arc', 'evaluation');
    fs.mkdirSync(src, { recursive: true });
    for (const t of TASKS) {
      fs.copyFileSync(path.join(EVAL_DIR, `${t}.json`), path.join(src, `${t}.json`));
      tasks.set(t, JSON.parse(fs.readFileSync(path.join(src, `${t}.json`), 'utf8')));
    }
    out = path.join(root, 'out');
    buildArcDataset({ datasetDirs: [path.join(root, 'arc')], outputDir: out, numAug: 4, seed: 3, translate: false, shuffle: false, onProgress: () => {} });

    // Read the test split back: puzzle p has identifier ids[p] and examples [idx[p], idx[p+1]).
    const augs = readArcAugmentations(out);
    const ids = readNpy(path.join(out, 'test', 'all__puzzle_identifiers.npy')).data as Int32Array;
    const idx = readNpy(path.join(out, 'test', 'all__puzzle_indices.npy')).data as Int32Array;
    const inputs = readNpy(path.join(out, 'test', 'all__inputs.npy'));
    const labels = readNpy(path.join(out, 'test', 'all__labels.npy'));
    const row = (a: typeof inputs, e: number) => Uint8Array.from((a.data as Uint8Array).subarray(e * 900, (e + 1) * 900));
    for (let p = 0; p < ids.length; p++) {
      const aug = augs[ids[p]]!;
      const list = versions.get(aug.task) ?? [];
      const v: Version = { id: ids[p], aug, inputs: [], labels: [] };
      for (let e = idx[p]; e < idx[p + 1]; e++) {
        v.inputs.push(row(inputs, e));
        v.labels.push(row(labels, e));
      }
      list.push(v);
      versions.set(aug.task, list);
    }
  });

  afterAll(() => {
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  const ver = (task: string, v: number) => versions.get(task)![v];
  const truth = (task: string, i: number) => tasks.get(task)!.test[i].output;

  /** A prediction of `grid` (given in the original frame) by version v of the task, for test input i. */
  function predict(task: string, v: number, i: number, grid: ArcGrid | 'empty', logit: number): ArcVoteRow {
    const x = ver(task, v);
    return {
      puzzleIdentifier: x.id,
      inputTokens: x.inputs[i],
      predictedTokens: grid === 'empty' ? new Uint8Array(900) : encodeArcGrid(arcAugmentGrid(grid, x.aug)),
      qHaltLogit: logit,
    };
  }

  // Wrong grids, in the original frame.
  const wrongA = () => tasks.get(A)!.test[0].input; // the input copied: 4x4 like the answer
  const wrongB = () => truth(B, 0).map((r, i) => r.map((c, j) => (i === 0 && j === 0 ? (c + 1) % 10 : c)));
  const wrongC1 = (): ArcGrid => [[4, 4], [4, 4]];
  const wrongC2 = () => truth(C, 1).map((r) => r.map((c) => (c === 4 ? 0 : 4)));
  const wrongD = () => truth(D, 0).map((r) => r.map((c) => (c === 2 ? 0 : 2)));

  function allRows(): ArcVoteRow[] {
    const rows: ArcVoteRow[] = [];
    // A: right in versions 0, 1, 2 (logit 0), wrong in 3, 4 (logit 5: more confident, still outvoted).
    for (let v = 0; v < 3; v++) rows.push(predict(A, v, 0, truth(A, 0), 0));
    for (let v = 3; v < 5; v++) rows.push(predict(A, v, 0, wrongA(), 5));
    // B: wrong in versions 0, 1, 2 (logit -2), right in 3, 4 (logit 3).
    for (let v = 0; v < 3; v++) rows.push(predict(B, v, 0, wrongB(), -2));
    for (let v = 3; v < 5; v++) rows.push(predict(B, v, 0, truth(B, 0), 3));
    // C: test input 0 right everywhere; test input 1 wrong everywhere (3 + 2 votes).
    for (let v = 0; v < 5; v++) rows.push(predict(C, v, 0, truth(C, 0), 1));
    for (let v = 0; v < 5; v++) rows.push(predict(C, v, 1, v < 3 ? wrongC1() : wrongC2(), 1));
    // D: wrong first (logits 2 and -3: mean 0.464), then right (logits 1 and 1: mean 0.731), then empty.
    rows.push(predict(D, 0, 0, wrongD(), 2), predict(D, 1, 0, wrongD(), -3));
    rows.push(predict(D, 2, 0, truth(D, 0), 1), predict(D, 3, 0, truth(D, 0), 1));
    rows.push(predict(D, 4, 0, 'empty', 10));
    return rows;
  }

  /** Batch padding rows: identifier 0, with tokens that would otherwise be a right answer. */
  function paddingRows(n: number): ArcVoteRow[] {
    const x = ver(B, 0);
    return Array.from({ length: n }, () => ({ puzzleIdentifier: 0, inputTokens: x.inputs[0], predictedTokens: x.labels[0], qHaltLogit: 9 }));
  }

  test('the built test split is what the predictions assume', () => {
    expect([...versions.keys()].sort()).toEqual([...TASKS].sort());
    for (const t of TASKS) {
      const list = versions.get(t)!;
      expect(list).toHaveLength(VERSIONS);
      expect(list[0].aug.dihedral).toBe(0);
      expect(list[0].aug.colourMap).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      for (const v of list) {
        expect(v.inputs).toHaveLength(tasks.get(t)!.test.length);
        tasks.get(t)!.test.forEach((pair, i) => {
          expect(v.inputs[i]).toEqual(encodeArcGrid(arcAugmentGrid(pair.input, v.aug)));
          expect(v.labels[i]).toEqual(encodeArcGrid(arcAugmentGrid(pair.output, v.aug)));
        });
      }
      // The augmented versions really are different frames (so votes only pool if inverted).
      for (let v = 1; v < VERSIONS; v++) expect(list[v].labels[0]).not.toEqual(list[0].labels[0]);
    }
    expect(tasks.get(C)!.test).toHaveLength(2);
  });

  test('votes, ranks and pass@K match the hand-worked answers', () => {
    const voter = new ArcVoter(out);
    expect(voter.taskNames).toEqual([...TASKS].sort());
    const added = voter.add([...paddingRows(3), ...allRows(), ...paddingRows(2)]);
    expect(added).toEqual({ voted: 25, padding: 5, unmatched: 0 }); // A 5 + B 5 + C 10 + D 5

    const s = voter.score();
    expect(s.tasks).toBe(4);
    expect(s.tasksWithVotes).toBe(4);
    expect(s.rows).toBe(25);
    const solvedAt = Object.fromEntries(s.perTask.map((t) => [t.task, t.testInputs.map((x) => x.solvedAt)]));
    expect(solvedAt).toEqual({ [A]: [1], [B]: [2], [C]: [1, null], [D]: [1] });

    // HRM (all test inputs of a task): K=1 -> A, D = 2/4; K>=2 -> A, B, D = 3/4.
    expect(s.passAtK).toEqual({ 1: 0.5, 2: 0.75, 5: 0.75, 10: 0.75, 100: 0.75, 1000: 0.75 });
    // TRM (fraction per task): K=1 -> (1 + 0 + 1/2 + 1) / 4; K>=2 -> (1 + 1 + 1/2 + 1) / 4.
    expect(s.passAtKPartial).toEqual({ 1: 0.625, 2: 0.875, 5: 0.875, 10: 0.875, 100: 0.875, 1000: 0.875 });

    const byTask = (t: string) => s.perTask.find((x) => x.task === t)!.testInputs;
    // A: right 3 votes at confidence 1/2; wrong 2 votes at sigmoid(5).
    expect(byTask(A)[0].candidates).toEqual([
      { grid: truth(A, 0), votes: 3, meanConfidence: 0.5 },
      { grid: wrongA(), votes: 2, meanConfidence: expect.closeTo(sig(5), 12) },
    ]);
    expect(byTask(B)[0].candidates.map((c) => [c.grid, c.votes])).toEqual([[wrongB(), 3], [truth(B, 0), 2]]);
    expect(byTask(C)[0]).toMatchObject({ index: 0, votes: 5, candidates: [{ grid: truth(C, 0), votes: 5 }] });
    expect(byTask(C)[1].candidates.map((c) => [c.grid, c.votes])).toEqual([[wrongC1(), 3], [wrongC2(), 2]]);
    // D: the tie on 2 votes goes to the higher mean confidence, sigmoid(1) > (sigmoid(2) + sigmoid(-3)) / 2.
    expect(sig(1)).toBeGreaterThan((sig(2) + sig(-3)) / 2);
    const d = byTask(D)[0].candidates;
    expect(d.map((c) => [c.grid, c.votes])).toEqual([[truth(D, 0), 2], [wrongD(), 2], [[], 1]]);
    expect(d[0].meanConfidence).toBeCloseTo(sig(1), 12);
    expect(d[1].meanConfidence).toBeCloseTo((sig(2) + sig(-3)) / 2, 12);
    expect(d[2].meanConfidence).toBeCloseTo(sig(10), 12);

    // Custom K list and a candidate cap.
    const s2 = voter.score({ passKs: [1, 3], maxCandidates: 1 });
    expect(s2.passAtK).toEqual({ 1: 0.5, 3: 0.75 });
    expect(s2.passAtKPartial).toEqual({ 1: 0.625, 3: 0.875 });
    expect(s2.perTask.every((t) => t.testInputs.every((x) => x.candidates.length <= 1))).toBe(true);
    expect(s2.perTask.find((t) => t.task === B)!.testInputs[0].solvedAt).toBe(2); // ranks use all candidates
  });

  test('an exact tie on votes and mean confidence keeps first-seen order; more votes beat higher confidence', () => {
    const voter = new ArcVoter(out);
    // D: wrong (logit 1) seen first, right (logit 1) second: exact tie -> wrong first, right second.
    voter.add([predict(D, 0, 0, wrongD(), 1), predict(D, 1, 0, truth(D, 0), 1)]);
    expect(voter.score().perTask.find((t) => t.task === D)!.testInputs[0].solvedAt).toBe(2);
    // One more right vote at low confidence: 2 votes beat 1, whatever the confidence.
    voter.add([predict(D, 2, 0, truth(D, 0), -8)]);
    expect(voter.score().perTask.find((t) => t.task === D)!.testInputs[0].solvedAt).toBe(1);
  });

  test('accumulating over several add() calls equals one call; repeated evaluations pool their votes', () => {
    const rows = allRows();
    const once = new ArcVoter(out);
    once.add(rows);
    const split = new ArcVoter(out);
    const a = split.add([...rows.slice(0, 11), ...paddingRows(1)]);
    const b = split.add(rows.slice(11));
    expect(a.voted + b.voted).toBe(rows.length);
    expect(a.padding).toBe(1);
    expect(split.score()).toEqual(once.score());
    expect(split.submission()).toEqual(once.submission());

    // The same batch given through addBatch (flat arrays, as from tensors) with padding rows.
    const batchRows = [...rows, ...paddingRows(3)];
    const flat = new ArcVoter(out);
    const r = flat.addBatch({
      puzzleIdentifiers: Int32Array.from(batchRows, (x) => x.puzzleIdentifier),
      inputs: concat(batchRows.map((x) => x.inputTokens as Uint8Array)),
      predictions: concat(batchRows.map((x) => x.predictedTokens as Uint8Array)),
      qHaltLogits: Float32Array.from(batchRows, (x) => x.qHaltLogit),
    });
    expect(r).toEqual({ voted: rows.length, padding: 3, unmatched: 0 });
    expect(flat.score().passAtK).toEqual(once.score().passAtK);

    // A second evaluation of the same split: every vote doubles, ranks and scores stay.
    const twice = new ArcVoter(out);
    twice.add(rows);
    twice.add(rows);
    const s1 = once.score();
    const s2 = twice.score();
    expect(s2.passAtK).toEqual(s1.passAtK);
    expect(s2.passAtKPartial).toEqual(s1.passAtKPartial);
    s2.perTask.forEach((t, i) =>
      t.testInputs.forEach((x, j) => {
        const y = s1.perTask[i].testInputs[j];
        expect(x.solvedAt).toBe(y.solvedAt);
        expect(x.candidates.map((c) => c.votes)).toEqual(y.candidates.map((c) => 2 * c.votes));
        x.candidates.forEach((c, k) => expect(c.meanConfidence).toBeCloseTo(y.candidates[k].meanConfidence, 12));
      }),
    );
  });

  test('rows whose input is not a test input of their task are not counted', () => {
    const voter = new ArcVoter(out);
    const x = ver(A, 1);
    const demo = tasks.get(A)!.train[0];
    const r = voter.add([
      // A demonstration input of A, answered correctly: not a test input, so no vote.
      { puzzleIdentifier: x.id, inputTokens: encodeArcGrid(arcAugmentGrid(demo.input, x.aug)), predictedTokens: encodeArcGrid(arcAugmentGrid(demo.output, x.aug)), qHaltLogit: 0 },
      // An input that is none of A's test inputs in any frame: no match.
      { puzzleIdentifier: x.id, inputTokens: encodeArcGrid(wrongC1()), predictedTokens: x.labels[0], qHaltLogit: 0 },
    ]);
    expect(r).toEqual({ voted: 0, padding: 0, unmatched: 2 });
    const s = voter.score();
    expect(s.unmatchedRows).toBe(2);
    expect(s.rows).toBe(0);
    expect(s.passAtK[1000]).toBe(0);
    expect(() => voter.add([{ puzzleIdentifier: 10_000, inputTokens: x.inputs[0], predictedTokens: x.labels[0], qHaltLogit: 0 }])).toThrow(/identifier 10000/);
  });

  test('submission: top-2 attempts per test input, padded with the first guess; [[0]] without votes', () => {
    const voter = new ArcVoter(out);
    voter.add(allRows());
    const sub = voter.submission();
    expect(Object.keys(sub).sort()).toEqual([...TASKS].sort());
    expect(sub[A]).toEqual([{ attempt_1: truth(A, 0), attempt_2: wrongA() }]);
    expect(sub[B]).toEqual([{ attempt_1: wrongB(), attempt_2: truth(B, 0) }]);
    expect(sub[C]).toEqual([
      { attempt_1: truth(C, 0), attempt_2: truth(C, 0) }, // one candidate only: padded with it
      { attempt_1: wrongC1(), attempt_2: wrongC2() },
    ]);
    expect(sub[D]).toEqual([{ attempt_1: truth(D, 0), attempt_2: wrongD() }]);
    expect(Object.keys(sub[C][0])).toEqual(['attempt_1', 'attempt_2']);
    const sub3 = voter.submission(3);
    expect(sub3[A]).toEqual([{ attempt_1: truth(A, 0), attempt_2: wrongA(), attempt_3: truth(A, 0) }]);
    expect(sub3[D]).toEqual([{ attempt_1: truth(D, 0), attempt_2: wrongD(), attempt_3: [] }]);
    expect(JSON.parse(JSON.stringify(sub))).toEqual(sub);

    // No votes at all: every test input of every task gets [[0]] attempts; every score is 0.
    const empty = new ArcVoter(out);
    const none = empty.submission();
    for (const t of TASKS) {
      expect(none[t]).toEqual(tasks.get(t)!.test.map(() => ({ attempt_1: [[0]], attempt_2: [[0]] })));
    }
    const s = empty.score({ passKs: [1, 2] });
    expect(s).toMatchObject({ tasks: 4, tasksWithVotes: 0, rows: 0, passAtK: { 1: 0, 2: 0 }, passAtKPartial: { 1: 0, 2: 0 } });
    // Votes for only some tasks: the others count as unsolved in the denominator.
    empty.add(allRows().filter((r) => versions.get(A)!.some((v) => v.id === r.puzzleIdentifier)));
    expect(empty.score({ passKs: [1] })).toMatchObject({ tasksWithVotes: 1, passAtK: { 1: 0.25 }, passAtKPartial: { 1: 0.25 } });
    expect(empty.submission()[B]).toEqual([{ attempt_1: [[0]], attempt_2: [[0]] }]);
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
