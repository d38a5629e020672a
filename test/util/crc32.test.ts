/** CRC-32 (src/util/crc32.ts): the check value of the standard, Node's zlib where it has one, and Python's zlib. */
import * as zlib from 'zlib';
import { crc32, crc32Table } from '../../src/util/crc32';
import { describeWithTorch, runPython } from '../helpers/reference';

// Lengths around the 8-byte steps of the table version, and a larger one.
function samples(): Buffer[] {
  let x = 12345;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
  return [0, 1, 7, 8, 9, 15, 16, 17, 1000, 20003].map(bytes);
}

describe('crc32', () => {
  test('the check value of CRC-32/ISO-HDLC ("123456789" -> 0xcbf43926), from both implementations', () => {
    const b = Buffer.from('123456789');
    expect([crc32(b), crc32Table(b)]).toEqual([0xcbf43926, 0xcbf43926]);
    expect([crc32(Buffer.alloc(0)), crc32Table(Buffer.alloc(0))]).toEqual([0, 0]);
  });

  test('the table version agrees with the one in use, whole and continued across pieces', () => {
    for (const b of samples()) {
      const whole = crc32(b);
      expect(crc32Table(b)).toBe(whole);
      const cut = Math.floor(b.length / 3);
      expect(crc32Table(b.subarray(cut), crc32Table(b.subarray(0, cut)))).toBe(whole);
      expect(crc32(b.subarray(cut), crc32(b.subarray(0, cut)))).toBe(whole);
    }
  });

  const nativeCrc = (zlib as { crc32?: (b: Uint8Array) => number }).crc32;
  (nativeCrc ? test : test.skip)("Node's zlib.crc32 (Node 20.15+) gives the same values", () => {
    for (const b of samples()) expect(crc32Table(b)).toBe(nativeCrc!(b) >>> 0);
  });
});

describeWithTorch("crc32 against Python's zlib", () => {
  test('the same values as zlib.crc32', () => {
    const list = samples();
    const out = runPython('import json, sys, zlib; print(json.dumps([zlib.crc32(bytes.fromhex(h)) for h in sys.argv[1:]]))', list.map((b) => b.toString('hex')));
    expect(list.map((b) => crc32Table(b))).toEqual(JSON.parse(out.trim()));
  });
});
