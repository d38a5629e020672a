/** Zip archives of stored entries (src/tensor/io/zip.ts): the writer's output, its alignment, and refusals of bad archives. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../../src';
import { ZipReader, zipStored } from '../../../src/tensor/io/zip';
import { hasErrorCode } from '../../../src/util/errors';
import { errorOf } from '../../helpers/errors';
import { describeWithTorch, runPython, tmpDir } from '../../helpers/reference';

const FILES: [string, Buffer][] = [
  ['archive/data.pkl', Buffer.from('pickle bytes')],
  ['archive/data/0', Buffer.from(Array.from({ length: 100 }, (_, i) => i))],
  ['archive/empty', Buffer.alloc(0)],
  ['archive/ünïcode name', Buffer.from('utf8 names survive')],
];

let dir: string;
beforeAll(() => {
  dir = tmpDir('hrm-zip-');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeZip(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

/** Opens `file` with ZipReader and returns the error it throws. */
function openError(file: string): Error {
  return errorOf(() => new ZipReader(file).close());
}

describe('zipStored and ZipReader', () => {
  test('every entry reads back byte for byte, with its name and size; data starts on a 64-byte boundary', () => {
    const file = writeZip('ok.zip', zipStored(FILES));
    const zip = new ZipReader(file);
    try {
      expect([...zip.entries.keys()]).toEqual(FILES.map(([n]) => n));
      const archive = fs.readFileSync(file);
      for (const [name, data] of FILES) {
        const e = zip.entries.get(name)!;
        expect([e.method, e.size]).toEqual([0, data.length]);
        expect(zip.bytes(name).equals(data)).toBe(true);
        // torch.load maps storages in place, so the writer aligns each entry's data to 64 bytes.
        const start = e.localOffset + 30 + archive.readUInt16LE(e.localOffset + 26) + archive.readUInt16LE(e.localOffset + 28);
        expect(start % 64).toBe(0);
      }
      const missing = errorOf(() => zip.bytes('archive/nope'));
      expect([hasErrorCode(missing, 'CORRUPT_FILE'), missing.message]).toEqual([true, expect.stringMatching(/missing archive entry archive\/nope/)]);
    } finally {
      zip.close();
    }
  });

  test('not a zip, too short, truncated, or a compressed entry: CORRUPT_FILE naming the file', () => {
    const good = zipStored(FILES);
    const notZip = openError(writeZip('text.zip', Buffer.from('this is plain text, long enough to be looked at as a zip')));
    expect([hasErrorCode(notZip, 'CORRUPT_FILE'), notZip.message]).toEqual([true, expect.stringMatching(/text\.zip.*no end-of-directory record/)]);
    const short = openError(writeZip('short.zip', Buffer.from('PK')));
    expect([hasErrorCode(short, 'CORRUPT_FILE'), short.message]).toEqual([true, expect.stringMatching(/too short/)]);
    // The tail keeps the end record but the central directory it points to is cut away.
    const cut = Buffer.concat([good.subarray(0, 40), good.subarray(good.length - 22)]);
    expect(hasErrorCode(openError(writeZip('cut.zip', cut)), 'CORRUPT_FILE')).toBe(true);
    // Mark the first entry as deflated (method 8) in the central directory.
    const deflated = Buffer.from(good);
    const central = deflated.readUInt32LE(deflated.length - 22 + 16);
    deflated.writeUInt16LE(8, central + 10);
    const zip = new ZipReader(writeZip('deflated.zip', deflated));
    try {
      const e = errorOf(() => zip.bytes('archive/data.pkl'));
      expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/compressed \(method 8\)/)]);
    } finally {
      zip.close();
    }
  });

  test('a bit flipped in an entry fails its CRC-32 check: CORRUPT_FILE naming the entry', () => {
    const good = zipStored(FILES);
    const data = FILES[1][1];
    for (const [i, bit] of [[0, 0], [57, 3], [data.length - 1, 7]]) {
      const flipped = Buffer.from(good);
      const at = flipped.indexOf(data);
      flipped[at + i] ^= 1 << bit;
      const zip = new ZipReader(writeZip(`flip${i}.zip`, flipped));
      try {
        expect(zip.bytes('archive/data.pkl').toString()).toBe('pickle bytes'); // the other entries still read
        const e = errorOf(() => zip.bytes('archive/data/0'));
        expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([
          true,
          expect.stringMatching(/flip\d+\.zip: entry archive\/data\/0 fails its CRC-32 check \(the archive records 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}\)/),
        ]);
      } finally {
        zip.close();
      }
    }
  });

  test('a central directory record or zip64 field running past its end: CORRUPT_FILE, not a RangeError', () => {
    const good = zipStored(FILES);
    const dirStart = good.readUInt32LE(good.length - 22 + 16);
    // The first record's extra field claims 60000 bytes.
    const longExtra = Buffer.from(good);
    longExtra.writeUInt16LE(60000, dirStart + 30);
    const e = openError(writeZip('extra.zip', longExtra));
    expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/a record runs past its end/)]);
  });
});

describeWithTorch('zip interchange with Python', () => {
  test("Python's zipfile reads the archive, its UTF-8 names and checks every CRC", () => {
    // Non-ASCII names included: the writer marks them UTF-8 (general-purpose bit 11), so zipfile reads them right.
    expect(FILES.some(([n]) => !/^[\x20-\x7e]*$/.test(n))).toBe(true);
    const file = writeZip('py.zip', zipStored(FILES));
    const out = runPython(
      `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()  # reads every entry and checks its CRC-32
    print(json.dumps({"bad": bad, "entries": {i.filename: [i.compress_type, list(z.read(i.filename))] for i in z.infolist()}}))
`,
      [file],
    );
    const report = JSON.parse(out.trim()) as { bad: string | null; entries: Record<string, [number, number[]]> };
    expect(report.bad).toBeNull();
    expect(report.entries).toEqual(Object.fromEntries(FILES.map(([n, d]) => [n, [0, [...d]]])));
  });

  test('a torch.save checkpoint with one bit flipped in a tensor: loadStateDictPt refuses it, naming the entry', () => {
    const file = path.join(dir, 'torch.pt');
    runPython('import sys, torch; torch.save({"w": torch.arange(256, dtype=torch.float32)}, sys.argv[1])', [file]);
    ht.scope(() => expect(ht.loadStateDictPt(file).get('w')!.sum().item()).toBe(255 * 128));
    const bytes = fs.readFileSync(file);
    const one = Buffer.alloc(4);
    one.writeFloatLE(100);
    bytes[bytes.indexOf(one) + 2] ^= 0x10; // 100 becomes another float
    const flipped = writeZip('torch-flipped.pt', bytes);
    const e = errorOf(() => ht.loadStateDictPt(flipped));
    expect([hasErrorCode(e, 'CORRUPT_FILE'), e.message]).toEqual([true, expect.stringMatching(/torch-flipped\.pt: entry [^ ]+\/data\/0 fails its CRC-32 check/)]);
  });
});
