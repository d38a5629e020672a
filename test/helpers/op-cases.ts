/**
 * The shared harness of the op tests: fixed random inputs, and a runner that computes each case
 * in the SDK and in PyTorch (test/reference/run.py) on the same inputs and compares shape, dtype
 * and value.
 */
import * as ht from '../../src';
import { describeWithTorch, expectTensorClose, runReference } from './reference';

/** Named input tensors, visible to the Python expressions by the same names. */
export type Inputs = Record<string, ht.Tensor>;

/** One op case: the SDK's computation and PyTorch's expression for it. */
export interface OpCase {
  name: string;
  ts: (x: Inputs) => ht.Tensor | ht.Tensor[];
  py: string;
  tol?: { rtol?: number; atol?: number };
}

/** The inputs every op case reads (seeded, so PyTorch sees the same values). */
export function makeInputs(): Inputs {
  ht.manualSeed(1234);
  const x: Inputs = {
    a: ht.randn([3, 4]),
    b: ht.randn([3, 4]),
    row: ht.randn([4]),
    pos: ht.rand([3, 4]).add(0.1),
    unit: ht.rand([3, 4]).mul(1.8).sub(0.9),
    m1: ht.randn([5, 6]),
    m2: ht.randn([6, 7]),
    big1: ht.randn([64, 64]),
    big2: ht.randn([64, 64]),
    b1: ht.randn([2, 3, 5]),
    b2: ht.randn([2, 5, 4]),
    w: ht.randn([7, 6]),
    bias: ht.randn([7]),
    d: ht.randn([3, 4], { dtype: 'float64' }),
    i: ht.randint(-5, 6, [3, 4], { dtype: 'int64' }),
    i32: ht.randint(-5, 6, [3, 4], { dtype: 'int32' }),
    idx: ht.tensor([2, 0, 1], { dtype: 'int64' }),
    gidx: ht.randint(0, 4, [3, 4]),
    mask: ht.rand([3, 4]).gt(0.5),
    q: ht.randn([2, 2, 5, 8]),
    k: ht.randn([2, 2, 6, 8]),
    v: ht.randn([2, 2, 6, 8]),
    logits: ht.randn([6, 5]),
    target: ht.tensor([0, 4, 2, -100, 1, 3], { dtype: 'int64' }),
    blogits: ht.randn([6]),
    btarget: ht.rand([6]).gt(0.5).float(),
    emb: ht.randn([10, 3]),
    tok: ht.tensor([[1, 9, 3], [0, 0, 7]], { dtype: 'int64' }),
    sym: ht.scope(() => {
      const s = ht.randn([5, 5], { dtype: 'float64' });
      return s.add(s.T);
    }),
    seq: ht.randn([2, 7, 6]),
  };
  return x;
}

/** One test per case, each comparing the SDK's result with PyTorch's. */
export function describeOpsAgainstTorch(title: string, cases: OpCase[]): void {
  describeWithTorch(title, () => {
    let results: Map<string, ht.Tensor[] | Error>;
    let expected: Record<string, ht.Tensor>;

    beforeAll(() => {
      ht.setNumThreads(1);
      const inputs = makeInputs();
      results = new Map();
      for (const c of cases) {
        try {
          const r = c.ts(inputs);
          results.set(c.name, Array.isArray(r) ? r : [r]);
        } catch (e) {
          results.set(c.name, e as Error);
        }
      }
      expected = runReference(inputs, cases.map((c) => ({ name: c.name, expr: c.py })));
    });

    test.each(cases.map((c) => [c.name, c] as [string, OpCase]))('%s', (name, c) => {
      const got = results.get(name)!;
      if (got instanceof Error) throw got;
      if (got.length === 1 && expected[name] !== undefined) {
        expectTensorClose(got[0], expected[name], name, c.tol);
      } else {
        got.forEach((t, i) => {
          const e = expected[`${name}.${i}`];
          if (!e) throw new Error(`${name}: PyTorch returned no output ${i}`);
          expectTensorClose(t, e, `${name}[${i}]`, c.tol);
        });
      }
    });
  });
}
