/**
 * The quick demo: teach a small network to add binary numbers, from scratch, on the CPU, with
 * hrm-torch's tensors and autograd (Adam written out with in-place ops), then ask it sums it has
 * never seen. Run: `npx hrm example addition` (`npm run example:addition` in a checkout).
 */
import * as ht from 'hrm-torch';

const BITS = 6; // operands 0..63, sums 0..126
const HIDDEN = 256;
const STEPS = Number(process.env.DEMO_STEPS ?? 1500);
const BATCH = 128;

function encode(pairs: [number, number][]): { x: ht.Tensor; y: ht.Tensor } {
  const x = new Float32Array(pairs.length * 2 * BITS);
  const y = new Float32Array(pairs.length * (BITS + 1));
  pairs.forEach(([a, b], i) => {
    for (let k = 0; k < BITS; k++) {
      x[i * 2 * BITS + k] = (a >> k) & 1;
      x[i * 2 * BITS + BITS + k] = (b >> k) & 1;
    }
    for (let k = 0; k <= BITS; k++) y[i * (BITS + 1) + k] = ((a + b) >> k) & 1;
  });
  return { x: ht.fromTypedArray(x, [pairs.length, 2 * BITS]), y: ht.fromTypedArray(y, [pairs.length, BITS + 1]) };
}

function decode(bits: ArrayLike<number | boolean>, offset: number): number {
  let v = 0;
  for (let k = 0; k <= BITS; k++) if (bits[offset + k]) v |= 1 << k;
  return v;
}

function main(): void {
  ht.manualSeed(0);
  // Every pair of operands, shuffled; a quarter is held out and never trained on.
  const all: [number, number][] = [];
  for (let a = 0; a < 1 << BITS; a++) for (let b = 0; b < 1 << BITS; b++) all.push([a, b]);
  const order = ht.randperm(all.length).toArray() as number[];
  const shuffled = order.map((i) => all[i]);
  const nTest = Math.floor(all.length / 4);
  const test = shuffled.slice(0, nTest);
  const train = encode(shuffled.slice(nTest));
  const held = encode(test);

  // A 3-layer MLP with LeCun-normal weights.
  const shapes: [number, number][] = [
    [HIDDEN, 2 * BITS],
    [HIDDEN, HIDDEN],
    [BITS + 1, HIDDEN],
  ];
  const params: ht.Tensor[] = [];
  for (const [out, inp] of shapes) {
    params.push(ht.truncNormal([out, inp], { std: 1 / Math.sqrt(inp) }).requiresGrad_(true));
    params.push(ht.zeros([out]).requiresGrad_(true));
  }
  const forward = (x: ht.Tensor) => {
    let h = x;
    for (let l = 0; l < 3; l++) {
      h = ht.linear(h, params[2 * l], params[2 * l + 1]);
      if (l < 2) h = h.silu();
    }
    return h;
  };

  // Adam, written out: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr m_hat / (sqrt(v_hat) + eps)
  const m = params.map((p) => ht.zerosLike(p));
  const v = params.map((p) => ht.zerosLike(p));
  const [lr, b1, b2, eps] = [3e-3, 0.9, 0.999, 1e-8];

  const nTrain = train.x.shape[0];
  const t0 = Date.now();
  console.log(`Training a ${shapes.map((s) => s[1]).join('-')}-${BITS + 1} MLP to add ${BITS}-bit numbers on ${nTrain} of ${all.length} pairs (${ht.getNumThreads()} CPU threads)`);
  const progress = new ht.ProgressBar('train', STEPS, process.stdout);
  for (let step = 1; step <= STEPS; step++) {
    const loss = ht.scope(() => {
      const idx = ht.randint(0, nTrain, [BATCH]);
      const logits = forward(train.x.indexSelect(0, idx));
      const l = ht.binaryCrossEntropyWithLogits(logits, train.y.indexSelect(0, idx));
      l.backward();
      ht.noGrad(() => {
        const bc1 = 1 - b1 ** step;
        const bc2 = 1 - b2 ** step;
        params.forEach((p, i) => {
          const g = p.grad!;
          m[i].lerp_(g, 1 - b1);
          v[i].mul_(b2).addcmul_(g, g, 1 - b2);
          const denom = v[i].div(bc2).sqrt().add(eps);
          p.addcdiv_(m[i], denom, -lr / bc1);
          p.grad = undefined;
        });
      });
      return l.item() as number;
    });
    progress.update(step, `loss ${loss.toFixed(4)}`);
  }

  // Held-out evaluation: a sum counts only if every bit is right.
  const predicted = ht.scope(() => ht.noGrad(() => forward(held.x).gt(0).toTypedArray() as Uint8Array));
  let exact = 0;
  test.forEach(([a, b], i) => {
    if (decode(predicted, i * (BITS + 1)) === a + b) exact++;
  });
  console.log(`Held-out exact accuracy: ${exact}/${test.length} = ${((100 * exact) / test.length).toFixed(1)}% (trained in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  for (const i of [0, 1, 2, 3, 4]) {
    const [a, b] = test[i];
    const got = decode(predicted, i * (BITS + 1));
    console.log(`  ${String(a).padStart(2)} + ${String(b).padStart(2)} = ${String(a + b).padStart(3)}   model: ${String(got).padStart(3)} ${got === a + b ? 'ok' : 'wrong'}`);
  }
  const mem = ht.memory();
  console.log(`Live tensors at the end: ${mem.liveTensors} (parameters, optimizer state and data), freed by GC: ${mem.freedByGc}`);
}

main();
