/** Atomic writes (src/util/atomic.ts): readers see the old file or the complete new one, and no temporary stays behind. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import { ATOMIC_TMP_SUFFIX, AtomicFile, writeFileAtomic } from '../../src/util/atomic';
import { tmpDir } from '../helpers/reference';

let dir: string;
beforeEach(() => {
  dir = tmpDir('hrm-atomic-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('AtomicFile', () => {
  test('commit replaces the target; until then the old content is what readers see', () => {
    const file = path.join(dir, 'out.txt');
    fs.writeFileSync(file, 'old');
    const f = new AtomicFile(file);
    f.write('new ');
    f.write(new Uint8Array([0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74])); // "content"
    f.writeAt(new Uint8Array([0x4e]), 0); // patch "n" -> "N", as headers are patched at the end
    expect(fs.readFileSync(file, 'utf8')).toBe('old');
    const temps = fs.readdirSync(dir).filter((n) => n !== 'out.txt');
    expect(temps).toHaveLength(1);
    expect(temps[0].startsWith('.out.txt.') && temps[0].endsWith(ATOMIC_TMP_SUFFIX)).toBe(true); // a hidden sibling
    f.commit();
    expect(fs.readFileSync(file, 'utf8')).toBe('New content');
    expect(fs.readdirSync(dir)).toEqual(['out.txt']);
  });

  test('abort leaves the target as it was and no temporary behind (and may be called twice)', () => {
    const file = path.join(dir, 'keep.bin');
    fs.writeFileSync(file, 'original');
    const f = new AtomicFile(file);
    f.write('half-written');
    f.abort();
    f.abort();
    expect(fs.readFileSync(file, 'utf8')).toBe('original');
    expect(fs.readdirSync(dir)).toEqual(['keep.bin']);
  });

  test('creates the folder of a new target', () => {
    const file = path.join(dir, 'a', 'b', 'c.json');
    const f = new AtomicFile(file);
    f.write('{}');
    f.commit();
    expect(fs.readFileSync(file, 'utf8')).toBe('{}');
  });
});

describe('writeFileAtomic', () => {
  test('writes a string, bytes, or a list of chunks', () => {
    const file = path.join(dir, 'w');
    writeFileAtomic(file, 'text');
    expect(fs.readFileSync(file, 'utf8')).toBe('text');
    writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    expect([...fs.readFileSync(file)]).toEqual([1, 2, 3]);
    writeFileAtomic(file, ['a', new Uint8Array([0x62]), 'c']);
    expect(fs.readFileSync(file, 'utf8')).toBe('abc');
    expect(fs.readdirSync(dir)).toEqual(['w']);
  });

  test('an interrupted atomic write leaves the previous file intact and no temp file', () => {
    ht.scope(() => {
      const file = path.join(dir, 'ckpt.safetensors');
      ht.saveSafetensors(file, { w: ht.ones([4]) });
      const before = fs.readFileSync(file);
      expect(() => ht.writeFileAtomic(file, [new Uint8Array(10), 42 as unknown as Uint8Array])).toThrow();
      expect(fs.readFileSync(file).equals(before)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['ckpt.safetensors']);
    });
  });

  test('a throw while writing a new file leaves neither the file nor a temporary', () => {
    const file = path.join(dir, 'never.txt');
    expect(() => writeFileAtomic(file, ['ok', null as unknown as string])).toThrow();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
