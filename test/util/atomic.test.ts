/** Atomic writes (src/util/atomic.ts): readers see the old file or the complete new one (or folder), and no temporary stays behind, even after a kill. */
import * as fs from 'fs';
import * as path from 'path';
import * as ht from '../../src';
import {
  ATOMIC_TMP_SUFFIX,
  AtomicFile,
  AtomicFolder,
  PARTIAL_FOLDER_MARKER,
  atomicTempOwner,
  cleanFolderLeftovers,
  cleanStaleFolderLeftovers,
  isProcessAlive,
  partialFolder,
  removeStaleTemporaries,
  writeFileAtomic,
} from '../../src/util/atomic';
import { deadPid, runKilled } from '../helpers/child';
import { tmpDir } from '../helpers/reference';
import * as subject from '../../src/util/atomic';
import { expectInvalidArgument } from '../helpers/errors';

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

describe('stale temporaries', () => {
  test('a kill during an atomic write leaves a temporary that removeStaleTemporaries removes; user files and live writers are kept', () => {
    // A child starts an atomic write of a checkpoint-sized file and is killed before the commit.
    const target = path.join(dir, 'step_00000009.safetensors');
    const { pid } = runKilled(`
      const { AtomicFile } = require(DIST + '/util/atomic.js');
      const f = new AtomicFile(${JSON.stringify(target)});
      f.write(Buffer.alloc(1 << 20));`);
    const left = fs.readdirSync(dir);
    expect(left).toHaveLength(1);
    expect(atomicTempOwner(left[0])).toBe(pid);
    expect(fs.statSync(path.join(dir, left[0])).size).toBe(1 << 20); // full-size, under a temporary name
    // A user's files, one that only looks alike, and a write in progress in this (running) process.
    for (const name of ['notes.tmp', '.notes.tmp', `.x.${pid}.tmp`, 'step_00000001.safetensors']) fs.writeFileSync(path.join(dir, name), 'mine');
    const live = new AtomicFile(path.join(dir, 'live.json'));
    expect(removeStaleTemporaries(dir)).toEqual([path.join(dir, left[0])]);
    expect(fs.readdirSync(dir).filter((n) => atomicTempOwner(n) === process.pid)).toHaveLength(1);
    live.commit();
    expect(fs.readdirSync(dir).sort()).toEqual(['.notes.tmp', `.x.${pid}.tmp`, 'live.json', 'notes.tmp', 'step_00000001.safetensors']);
    expect(removeStaleTemporaries(path.join(dir, 'absent'))).toEqual([]);
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(pid)).toBe(false);
  });
});

describe('AtomicFolder', () => {
  const write = (d: string, files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
      fs.writeFileSync(path.join(d, name), text);
    }
  };
  const tree = (d: string): string[] =>
    fs.existsSync(d) ? fs.readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((n) => fs.statSync(path.join(d, n)).isFile()).sort() : [];

  test('is built beside its target and renamed into place; an existing target goes only with replace, as a whole', () => {
    const target = path.join(dir, 'data');
    const a = new AtomicFolder(target);
    expect(a.dir).toBe(partialFolder(target));
    expect(a.dir).toBe(`${target}.partial-${process.pid}`);
    write(a.dir, { 'train/x': '1', 'test/y': '2' });
    expect(fs.existsSync(target)).toBe(false); // nothing at the target until commit
    a.commit(false);
    expect(tree(target)).toEqual(['test/y', 'train/x']); // the marker is gone
    expect(fs.readdirSync(dir)).toEqual(['data']);
    const b = new AtomicFolder(target);
    write(b.dir, { 'train/x': 'new' });
    expect(() => b.commit(false)).toThrow(/already exists/);
    expect(tree(target)).toEqual(['test/y', 'train/x']);
    b.commit(true);
    expect(tree(target)).toEqual(['train/x']); // no stale test/
    expect(fs.readFileSync(path.join(target, 'train', 'x'), 'utf8')).toBe('new');
    expect(fs.readdirSync(dir)).toEqual(['data']);
    // An empty target folder is simply taken.
    fs.rmSync(target, { recursive: true });
    fs.mkdirSync(target);
    const c = new AtomicFolder(target);
    write(c.dir, { f: '1' });
    c.commit(false);
    expect(tree(target)).toEqual(['f']);
  });

  test('abort leaves the target as it was and no partial folder', () => {
    const target = path.join(dir, 'data');
    write(target, { keep: 'old' });
    const a = new AtomicFolder(target);
    write(a.dir, { 'big.npy': 'x'.repeat(1000) });
    a.abort();
    expect(fs.readdirSync(dir)).toEqual(['data']);
    expect(tree(target)).toEqual(['keep']);
  });

  test('the leftovers of a killed build are removed when the next build starts; another name, a running build and a user folder are kept', () => {
    const target = path.join(dir, 'data');
    const dead = deadPid();
    write(partialFolder(target, dead), { [PARTIAL_FOLDER_MARKER]: `${dead}`, 'train/.all__inputs.npy.1.2.tmp': 'x'.repeat(4096) });
    fs.mkdirSync(partialFolder(target, deadPid())); // killed between mkdir and the marker: empty
    write(partialFolder(target, process.ppid), { [PARTIAL_FOLDER_MARKER]: 'running' }); // a build that is still running
    write(`${target}.partial-${dead}-mine`, { f: 'a user folder' });
    write(partialFolder(path.join(dir, 'other'), dead), { [PARTIAL_FOLDER_MARKER]: `${dead}` });
    const unmarked = partialFolder(target, deadPid());
    write(unmarked, { f: 'no marker: not ours' });
    const a = new AtomicFolder(target);
    a.abort();
    expect(fs.readdirSync(dir).sort()).toEqual(
      [path.basename(partialFolder(path.join(dir, 'other'), dead)), path.basename(partialFolder(target, process.ppid)), `data.partial-${dead}-mine`, path.basename(unmarked)].sort(),
    );
  });

  test('an old target moved aside by an interrupted commit is put back when the target is absent, else removed', () => {
    const target = path.join(dir, 'data');
    const dead = deadPid();
    write(`${target}.replaced-${dead}`, { 'train/old': 'old dataset' });
    expect(cleanStaleFolderLeftovers(target)).toEqual({ removed: [], restored: target });
    expect(tree(target)).toEqual(['train/old']);
    write(`${target}.replaced-${dead}`, { 'train/older': 'older' });
    expect(cleanFolderLeftovers(target, (pid) => pid === dead)).toEqual({ removed: [`${target}.replaced-${dead}`] });
    expect(fs.readdirSync(dir)).toEqual(['data']);
  });
});

describe('bad arguments name the argument, what was expected and what was given', () => {
  test('AtomicFile.write and writeAt name bad bytes or positions, and a file already committed', () => {
    const f = new subject.AtomicFile(path.join(tmpDir('atomic-args-'), 'f.bin'));
    expectInvalidArgument(() => f.write(3 as never), 'AtomicFile.write(): chunk must be a string or a Uint8Array, got number 3');
    expectInvalidArgument(() => f.writeAt(new Uint8Array(1), -1), 'AtomicFile.writeAt(): position must be a non-negative integer, got number -1');
    f.write('x');
    f.commit();
    expectInvalidArgument(() => f.write('y'), 'was already committed or aborted');
    expectInvalidArgument(() => f.commit(), 'was already committed or aborted');
  });
});
