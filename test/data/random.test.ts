/** The seeded generator of the dataset builders (src/data/random.ts). */
import { Rng } from '../../src/data/random';
import * as subject from '../../src/data/random';
import { expectInvalidArgument } from '../helpers/errors';

describe('Rng', () => {
  test('is deterministic per seed and gives values in range', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const r = new Rng(1);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 7000; i++) counts[r.int(7)]++;
    expect(Math.min(...counts)).toBeGreaterThan(800); // roughly uniform (expected 1000 each)
    expect(r.int(1)).toBe(0);
    // large seeds are not folded onto their low 32 bits
    expect(new Rng(2 ** 40 + 5).uint32()).not.toBe(new Rng(5).uint32());
  });

  test('shuffle, permutation and sample draw without replacement', () => {
    const r = new Rng(7);
    const p = r.permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    const arr = Int16Array.from([5, 6, 7, 8]);
    r.shuffle(arr);
    expect(Array.from(arr).sort()).toEqual([5, 6, 7, 8]);
    for (const [n, k] of [[10, 10], [1000, 7], [100, 30], [5, 0]]) {
      const s = r.sample(n, k);
      expect(s).toHaveLength(k);
      expect(new Set(s).size).toBe(k);
      expect(s.every((v) => Number.isInteger(v) && v >= 0 && v < n)).toBe(true);
    }
    // every value can be drawn (sparse path)
    const seen = new Set<number>();
    for (let i = 0; i < 400; i++) for (const v of r.sample(20, 2)) seen.add(v);
    expect(seen.size).toBe(20);
    const f1 = new Rng(3).fork();
    const f2 = new Rng(3).fork();
    expect(f1.uint32()).toBe(f2.uint32());
  });

  test('rejects bad arguments with clear errors', () => {
    const r = new Rng();
    expect(() => r.int(0)).toThrow(/Rng.int: n must be an integer/);
    expect(() => r.int(2.5)).toThrow(/Rng.int/);
    expect(() => r.sample(3, 4)).toThrow(/cannot draw 4 distinct values from 3/);
    expect(() => r.permutation(-1)).toThrow(/non-negative integer/);
    expect(() => new Rng(NaN)).toThrow(/seed must be a finite number/);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('checkRng returns an Rng and names anything else', () => {
    const rng = new subject.Rng(1);
    expect(subject.checkRng(rng, 'f(): rng')).toBe(rng);
    expectInvalidArgument(() => subject.checkRng({ next: () => 0.5 }, 'f(): rng'), 'f(): rng must be an Rng (new data.Rng(seed)), got an object');
  });
});
