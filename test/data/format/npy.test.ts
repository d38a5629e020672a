/** .npy files (src/data/format/npy.ts). */
import * as fs from 'fs';
import * as path from 'path';
import { NpyFile, NpyWriter, readNpy, writeNpy } from '../../../src/data/format';
import { tmpDir } from '../../helpers/reference';
import * as subject from '../../../src/data/format/npy';
import { expectInvalidArgument } from '../../helpers/errors';

describe('.npy', () => {
  test('round trips for uint8, int32, int64, float32; streaming writer; row reads', () => {
    const dir = tmpDir('npy-');
    writeNpy(path.join(dir, 'u8.npy'), Uint8Array.from([1, 2, 3, 4, 5, 6]), [2, 3], 'uint8');
    writeNpy(path.join(dir, 'i32.npy'), Int32Array.from([-1, 7, 2 ** 30]), [3], 'int32');
    writeNpy(path.join(dir, 'i64.npy'), BigInt64Array.from([2n ** 40n, -5n]), [2], 'int64');
    writeNpy(path.join(dir, 'f32.npy'), Float32Array.from([0.5, -1.25]), [1, 2], 'float32');
    expect(readNpy(path.join(dir, 'u8.npy'))).toEqual({ dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(readNpy(path.join(dir, 'i32.npy')).data).toEqual(Int32Array.from([-1, 7, 2 ** 30]));
    expect(readNpy(path.join(dir, 'i64.npy')).data).toEqual(BigInt64Array.from([2n ** 40n, -5n]));
    expect(readNpy(path.join(dir, 'f32.npy')).shape).toEqual([1, 2]);
    const w = new NpyWriter(path.join(dir, 'stream.npy'), 'uint8', [4]);
    for (let i = 0; i < 5; i++) w.append(Uint8Array.from([i, i, i, i]), 1);
    w.close();
    const f = new NpyFile(path.join(dir, 'stream.npy'));
    expect(f.shape).toEqual([5, 4]);
    expect([...f.readRowsRaw(3, 2)]).toEqual([3, 3, 3, 3, 4, 4, 4, 4]);
    expect(() => f.readRowsRaw(4, 2)).toThrow(/outside \[0, 5\)/);
    f.close();
    fs.rmSync(dir, { recursive: true });
  });

  test('truncated, foreign and Fortran-ordered files are refused clearly', () => {
    const dir = tmpDir('npy-');
    const file = path.join(dir, 'a.npy');
    writeNpy(file, new Uint8Array(100), [10, 10], 'uint8');
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    expect(() => readNpy(file)).toThrow(/data holds 99 bytes, shape \[10,10\] of uint8 needs 100/);
    fs.writeFileSync(file, Buffer.from('not numpy at all'));
    expect(() => readNpy(file)).toThrow(/NUMPY magic/);
    const fortran = Buffer.from(bytes);
    fortran.write("'fortran_order': True ", bytes.indexOf("'fortran_order'"), 'latin1');
    fs.writeFileSync(file, fortran);
    expect(() => readNpy(file)).toThrow(/Fortran/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('npyView names a dtype or buffer that is not one', () => {
    expectInvalidArgument(() => subject.npyView('float16' as never, Buffer.alloc(4)), 'npyView(): dtype must be one of uint8, int8, int16, int32, int64, float32, float64, bool, got string "float16"');
    expectInvalidArgument(() => subject.npyView('int32', undefined as never), 'npyView(): buf must be a Buffer, got undefined');
  });
});
