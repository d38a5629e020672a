/**
 * Atomic writes: the one owner of "readers see the old file or the complete new one". Every file
 * hrm-torch writes (tensors, checkpoints, datasets, CSVs, reports, configs) goes through here, and
 * so do folders built as a whole (datasets): {@link AtomicFolder}. It also owns the names of the
 * temporaries, so that what a killed process left can be told from a user's files and removed.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeValue, invalidArgument } from './errors';
import { checkPath } from './path';

/** The suffix of the temporaries {@link AtomicFile} writes beside their targets. */
export const ATOMIC_TMP_SUFFIX = '.tmp';

/**
 * A file written under a temporary name beside its target and renamed into place by commit():
 * readers see the old file or the complete new one, never a partial write.
 */
export class AtomicFile {
  private readonly fd: number;
  private readonly tmp: string;
  private open = true;

  /**
   * Opens a temporary beside `file` (creating its folder).
   * @param file the target, replaced at commit()
   */
  constructor(readonly file: string) {
    checkPath(file, 'AtomicFile: file');
    const dir = path.dirname(path.resolve(file));
    fs.mkdirSync(dir, { recursive: true });
    this.tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}${ATOMIC_TMP_SUFFIX}`);
    this.fd = fs.openSync(this.tmp, 'w');
  }

  /** Appends bytes or text. */
  write(chunk: Uint8Array | string): void {
    this.checkOpen('write');
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) throw invalidArgument(`AtomicFile.write(): chunk must be a string or a Uint8Array, got ${describeValue(chunk)}`);
    if (typeof chunk === 'string') fs.writeSync(this.fd, chunk);
    else fs.writeSync(this.fd, chunk);
  }

  /** Overwrites bytes at a position (e.g. a header patched at the end). */
  writeAt(bytes: Uint8Array, position: number): void {
    this.checkOpen('writeAt');
    if (!(bytes instanceof Uint8Array)) throw invalidArgument(`AtomicFile.writeAt(): bytes must be a Uint8Array, got ${describeValue(bytes)}`);
    if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0) throw invalidArgument(`AtomicFile.writeAt(): position must be a non-negative integer, got ${describeValue(position)}`);
    fs.writeSync(this.fd, bytes, 0, bytes.length, position);
  }

  /** Flushes to disk and renames the file into place. */
  commit(): void {
    this.checkOpen('commit');
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.open = false;
    fs.renameSync(this.tmp, this.file);
  }

  /** Throws `INVALID_ARGUMENT` naming `method` once the file was committed or aborted. */
  private checkOpen(method: string): void {
    if (!this.open) throw invalidArgument(`AtomicFile.${method}(): ${this.file} was already committed or aborted`);
  }

  /** Abandons the write: the temporary is removed and the target left as it was. */
  abort(): void {
    if (this.open) {
      this.open = false;
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    fs.rmSync(this.tmp, { force: true });
  }
}

/** Writes bytes or text to `file` atomically (temp file + fsync + rename). */
export function writeFileAtomic(file: string, chunks: (Uint8Array | string)[] | Uint8Array | string): void {
  checkPath(file, 'writeFileAtomic(): file');
  const f = new AtomicFile(file);
  try {
    for (const c of Array.isArray(chunks) ? chunks : [chunks]) f.write(c);
  } catch (e) {
    f.abort();
    throw e;
  }
  f.commit();
}

/** Copies `source` to `file` atomically (readers of `file` see the old file or the whole copy), in chunks. */
export function copyFileAtomic(source: string, file: string): void {
  checkPath(source, 'copyFileAtomic(): source');
  checkPath(file, 'copyFileAtomic(): file');
  const fd = fs.openSync(source, 'r');
  try {
    const f = new AtomicFile(file);
    try {
      const chunk = Buffer.alloc(1 << 24);
      for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) f.write(chunk.subarray(0, n));
    } catch (e) {
      f.abort();
      throw e;
    }
    f.commit();
  } finally {
    fs.closeSync(fd);
  }
}

// `.<name>.<pid>.<ms>.tmp`: the temporaries AtomicFile makes (and nothing a user names).
const ATOMIC_TMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

/** True when a process with this id is running (a process of another user counts as running). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The id of the process that made an {@link AtomicFile} temporary, from its name; undefined for any other name. */
export function atomicTempOwner(name: string): number | undefined {
  const m = ATOMIC_TMP_NAME.exec(path.basename(name));
  return m ? Number(m[1]) : undefined;
}

/**
 * Removes the {@link AtomicFile} temporaries in `dir` (not its sub-folders) that a process which
 * is no longer running left behind (killed during a write); returns their paths. Files of any
 * other name, and temporaries of running processes (this one included), are left alone.
 */
export function removeStaleTemporaries(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const removed: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const pid = atomicTempOwner(e.name);
    if (pid === undefined || !e.isFile() || pid === process.pid || isProcessAlive(pid)) continue;
    const file = path.join(dir, e.name);
    fs.rmSync(file, { force: true });
    removed.push(file);
  }
  return removed;
}

/** The file inside a folder being built by {@link AtomicFolder}: it holds the builder's process id. */
export const PARTIAL_FOLDER_MARKER = '.hrm-partial';

const PARTIAL = 'partial';
const REPLACED = 'replaced';

// `<target>.partial-<pid>` (being built) and `<target>.replaced-<pid>` (the old target, moved aside at commit).
function sibling(target: string, kind: typeof PARTIAL | typeof REPLACED, pid: number): string {
  return `${path.resolve(target)}.${kind}-${pid}`;
}

/** The folder {@link AtomicFolder} builds `target` in for process `pid`: `<target>.partial-<pid>`. */
export function partialFolder(target: string, pid = process.pid): string {
  return sibling(target, PARTIAL, pid);
}

/** What the cleaning of an interrupted folder build did (cleanFolderLeftovers in util/atomic). */
export interface FolderLeftovers {
  /** partial folders removed */
  removed: string[];
  /** an earlier target moved aside by an interrupted commit and moved back, since the target was absent */
  restored?: string;
}

/**
 * Cleans what interrupted {@link AtomicFolder} builds of `target` left beside it, for the
 * processes `isLeftover` picks: their partial folders (`<target>.partial-<pid>`, holding
 * {@link PARTIAL_FOLDER_MARKER}, or empty) are removed; an old target moved aside
 * (`<target>.replaced-<pid>`) goes back into place when the target is absent, else it is removed.
 * Nothing else is touched.
 */
export function cleanFolderLeftovers(target: string, isLeftover: (pid: number) => boolean): FolderLeftovers {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  const out: FolderLeftovers = { removed: [] };
  if (!fs.existsSync(parent)) return out;
  const pattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(${PARTIAL}|${REPLACED})-(\\d+)$`);
  for (const e of fs.readdirSync(parent, { withFileTypes: true })) {
    const m = pattern.exec(e.name);
    if (!m || !e.isDirectory() || !isLeftover(Number(m[2]))) continue;
    const dir = path.join(parent, e.name);
    if (m[1] === PARTIAL) {
      if (!fs.existsSync(path.join(dir, PARTIAL_FOLDER_MARKER)) && fs.readdirSync(dir).length > 0) continue; // not ours
      fs.rmSync(dir, { recursive: true, force: true });
      out.removed.push(dir);
    } else if (!fs.existsSync(abs)) {
      fs.renameSync(dir, abs);
      out.restored = abs;
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
      out.removed.push(dir);
    }
  }
  return out;
}

/** {@link cleanFolderLeftovers} for the builds of processes that are no longer running. */
export function cleanStaleFolderLeftovers(target: string): FolderLeftovers {
  return cleanFolderLeftovers(target, (pid) => pid !== process.pid && !isProcessAlive(pid));
}

/**
 * A folder built under a temporary name beside its target (`<target>.partial-<pid>`) and renamed
 * into place by commit(): readers see no folder, the old one, or the complete new one, never a
 * partial build. Starting one cleans what interrupted builds of the same target left
 * ({@link cleanStaleFolderLeftovers}).
 */
export class AtomicFolder {
  /** the folder to write into until commit() */
  readonly dir: string;

  /**
   * Creates the partial folder of `target` (and the folders above it).
   * @param target the folder that commit() puts in place
   */
  constructor(readonly target: string) {
    cleanStaleFolderLeftovers(target);
    this.dir = partialFolder(target);
    cleanFolderLeftovers(target, (pid) => pid === process.pid); // an abandoned build of this process
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, PARTIAL_FOLDER_MARKER), `${process.pid}\n`);
  }

  /**
   * Renames the folder into place. An existing target is replaced when `replace` is true (moved
   * aside first, removed after), or when it is an empty folder; otherwise commit() throws and
   * leaves both folders as they are.
   */
  commit(replace: boolean): void {
    const target = path.resolve(this.target);
    let aside: string | undefined;
    const existing = fs.statSync(target, { throwIfNoEntry: false });
    if (existing) {
      if (existing.isDirectory() && fs.readdirSync(target).length === 0) fs.rmdirSync(target);
      else if (!replace) throw invalidArgument(`${target} already exists`);
      else {
        aside = sibling(target, REPLACED, process.pid);
        fs.renameSync(target, aside);
      }
    }
    try {
      fs.renameSync(this.dir, target);
    } catch (e) {
      if (aside) fs.renameSync(aside, target);
      throw e;
    }
    fs.rmSync(path.join(target, PARTIAL_FOLDER_MARKER), { force: true });
    if (aside) fs.rmSync(aside, { recursive: true, force: true });
  }

  /** Abandons the build: the partial folder is removed and the target left as it was. */
  abort(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
