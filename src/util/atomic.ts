/**
 * Atomic writes: the one owner of "readers see the old file or the complete new one". Every file
 * hrm-torch writes (tensors, checkpoints, datasets, CSVs, reports, configs) goes through here.
 * @module
 */
import * as fs from 'fs';
import * as path from 'path';
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
    if (typeof chunk === 'string') fs.writeSync(this.fd, chunk);
    else fs.writeSync(this.fd, chunk);
  }

  /** Overwrites bytes at a position (e.g. a header patched at the end). */
  writeAt(bytes: Uint8Array, position: number): void {
    fs.writeSync(this.fd, bytes, 0, bytes.length, position);
  }

  /** Flushes to disk and renames the file into place. */
  commit(): void {
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.open = false;
    fs.renameSync(this.tmp, this.file);
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
