/**
 * Zip archives as torch.save uses them: a reader for stored entries (zip64 included) and a writer
 * of stored entries with 64-byte aligned data.
 * @module
 */
import * as fs from 'fs';
import { crc32 } from '../../util/crc32';
import { corruptFile, invalidArgument } from '../../util/errors';
import { checkPath } from '../../util/path';

// ---------------------------------------------------------------- reading

/** One entry of the central directory. */
export interface ZipEntry {
  name: string;
  /** 0 for stored entries (the only kind torch.save writes) */
  method: number;
  /** uncompressed size in bytes */
  size: number;
  /** where the entry's local header starts */
  localOffset: number;
  /** the CRC-32 of the entry's bytes, as the central directory records it */
  crc: number;
}

/**
 * Reads the directory of a zip archive and the bytes of its stored (uncompressed) entries, each
 * checked against the CRC-32 the directory records for it.
 */
export class ZipReader {
  /** The archive's entries by name. */
  readonly entries = new Map<string, ZipEntry>();
  private readonly fd: number;
  private readonly size: number;

  constructor(readonly file: string) {
    checkPath(file, 'ZipReader: file');
    this.fd = fs.openSync(file, 'r');
    this.size = fs.fstatSync(this.fd).size;
    try {
      this.readDirectory();
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  /** Closes the file. */
  close(): void {
    fs.closeSync(this.fd);
  }

  private read(pos: number, len: number): Buffer {
    if (pos < 0 || pos + len > this.size) throw corruptFile(this.file, `read past the end (offset ${pos}, ${len} bytes, file ${this.size} bytes)`);
    const b = Buffer.alloc(len);
    let done = 0;
    while (done < len) {
      const n = fs.readSync(this.fd, b, done, len - done, pos + done);
      if (n <= 0) throw corruptFile(this.file, 'unexpected end of file');
      done += n;
    }
    return b;
  }

  private readDirectory(): void {
    if (this.size < 22) throw corruptFile(this.file, 'too short for a zip archive');
    const tailLen = Math.min(this.size, 65557);
    const tail = this.read(this.size - tailLen, tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw corruptFile(this.file, 'not a zip archive (no end-of-directory record; torch.save files are zip archives)');
    let count = tail.readUInt16LE(eocd + 10);
    let dirSize = tail.readUInt32LE(eocd + 12);
    let dirOffset = tail.readUInt32LE(eocd + 16);
    if (dirOffset === 0xffffffff || count === 0xffff) {
      // zip64: the locator sits just before the classic record.
      const loc = eocd - 20;
      if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw corruptFile(this.file, 'zip64 locator missing');
      const recPos = Number(tail.readBigUInt64LE(loc + 8));
      const rec = this.read(recPos, 56);
      if (rec.readUInt32LE(0) !== 0x06064b50) throw corruptFile(this.file, 'zip64 directory record missing');
      count = Number(rec.readBigUInt64LE(32));
      dirSize = Number(rec.readBigUInt64LE(40));
      dirOffset = Number(rec.readBigUInt64LE(48));
    }
    const dir = this.read(dirOffset, dirSize);
    let p = 0;
    for (let k = 0; k < count; k++) {
      if (p + 46 > dir.length || dir.readUInt32LE(p) !== 0x02014b50) throw corruptFile(this.file, 'bad zip central directory');
      const method = dir.readUInt16LE(p + 10);
      const crc = dir.readUInt32LE(p + 16);
      let size = dir.readUInt32LE(p + 24);
      const nameLen = dir.readUInt16LE(p + 28);
      const extraLen = dir.readUInt16LE(p + 30);
      const commentLen = dir.readUInt16LE(p + 32);
      let localOffset = dir.readUInt32LE(p + 42);
      const recordEnd = p + 46 + nameLen + extraLen + commentLen;
      if (recordEnd > dir.length) throw corruptFile(this.file, 'bad zip central directory (a record runs past its end)');
      const name = dir.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extra field: the 0xffffffff fields, in order (uncompressed, compressed, offset).
      let e = p + 46 + nameLen;
      const eEnd = e + extraLen;
      while (e + 4 <= eEnd) {
        const tag = dir.readUInt16LE(e);
        const len = dir.readUInt16LE(e + 2);
        if (e + 4 + len > eEnd) throw corruptFile(this.file, `bad zip64 extra field for ${name}`);
        if (tag === 0x0001) {
          const field = (q: number) => {
            if (q + 8 > e + 4 + len) throw corruptFile(this.file, `bad zip64 extra field for ${name}`);
            return Number(dir.readBigUInt64LE(q));
          };
          let q = e + 4;
          if (size === 0xffffffff) {
            size = field(q);
            q += 8;
          }
          if (dir.readUInt32LE(p + 20) === 0xffffffff) q += 8;
          if (localOffset === 0xffffffff) localOffset = field(q);
        }
        e += 4 + len;
      }
      this.entries.set(name, { name, method, size, localOffset, crc });
      p = recordEnd;
    }
  }

  /** The bytes of a stored (uncompressed) entry, checked against its CRC-32. */
  bytes(name: string): Buffer {
    const e = this.entries.get(name);
    if (!e) throw corruptFile(this.file, `missing archive entry ${name}`);
    if (e.method !== 0) throw corruptFile(this.file, `entry ${name} is compressed (method ${e.method}); torch.save writes stored entries`);
    const local = this.read(e.localOffset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw corruptFile(this.file, `bad local header for ${name}`);
    const start = e.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    const data = this.read(start, e.size);
    const crc = crc32(data);
    if (crc !== e.crc) {
      const hex = (v: number) => `0x${v.toString(16).padStart(8, '0')}`;
      throw corruptFile(this.file, `entry ${name} fails its CRC-32 check (the archive records ${hex(e.crc)}, its bytes give ${hex(crc)}): the file is damaged`);
    }
    return data;
  }
}

// ---------------------------------------------------------------- writing

/** A zip archive of stored entries, data aligned to 64 bytes as torch.save does (via the extra field). */
export function zipStored(files: [string, Buffer][]): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of files) {
    const nameB = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const headerLen = 30 + nameB.length;
    const pad = (64 - ((offset + headerLen + 4) % 64)) % 64;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(0x4653, 0); // an unregistered id, skipped by readers
    extra.writeUInt16LE(pad, 2);
    // General-purpose bit 11: the name is UTF-8 (readers otherwise assume code page 437).
    const flags = /^[\x20-\x7e]*$/.test(name) ? 0 : 0x0800;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameB.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const cen = Buffer.alloc(46);
    cen.writeUInt32LE(0x02014b50, 0);
    cen.writeUInt16LE(20, 4);
    cen.writeUInt16LE(20, 6);
    cen.writeUInt16LE(flags, 8);
    cen.writeUInt32LE(crc, 16);
    cen.writeUInt32LE(data.length, 20);
    cen.writeUInt32LE(data.length, 24);
    cen.writeUInt16LE(nameB.length, 28);
    cen.writeUInt32LE(offset, 42);
    central.push(cen, nameB);
    out.push(local, nameB, extra, data);
    offset += local.length + nameB.length + extra.length + data.length;
    if (offset > 0xfffffff0) throw invalidArgument('savePt: archives over 4 GB are not supported yet; use saveSafetensors');
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, dir, end]);
}
