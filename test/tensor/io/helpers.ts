/** Shared fixtures for the tensor file-format tests: one tensor of every dtype, raw bytes, unpickling. */
import * as ht from '../../../src';
import { StorageLoader, Unpickler } from '../../../src/tensor/io/unpickler';

/** One tensor of each dtype (plus empty, scalar and non-contiguous ones), seeded. */
export function sample(): Record<string, ht.Tensor> {
  ht.manualSeed(5);
  const base = ht.randn([3, 5]);
  return {
    f32: base,
    f64: base.to('float64').mul(1e-3),
    bf16: base.to('bfloat16'),
    f16: base.to('float16'),
    i32: ht.randint(-1000, 1000, [4], { dtype: 'int32' }),
    i64: ht.tensor([2n ** 50n, -3n, 0n], { dtype: 'int64' }),
    bool: base.gt(0),
    u8: ht.randint(0, 256, [2, 2], { dtype: 'uint8' }),
    i8: ht.randint(-128, 128, [5], { dtype: 'int8' }),
    i16: ht.randint(-3000, 3000, [5], { dtype: 'int16' }),
    empty: ht.zeros([0, 4]),
    scalar: ht.tensor(3.25),
    strided: base.T, // non-contiguous: saved in C order
  };
}

/** The tensor's elements as bytes, in C order. */
export function bytesOf(t: ht.Tensor): Buffer {
  const a = t.toTypedArray();
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

const noStorages: StorageLoader = () => {
  throw new Error('this pickle has no storages');
};

/** Runs a pickle program through the Unpickler (storages from `loadStorage`). */
export function unpickle(bytes: Buffer, loadStorage: StorageLoader = noStorages): unknown {
  const u = new Unpickler(bytes, 'test.pkl', loadStorage);
  try {
    return u.load();
  } finally {
    u.disposeStorages();
  }
}
