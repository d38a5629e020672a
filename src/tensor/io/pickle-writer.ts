/**
 * The subset of pickle (protocol 2) that a torch.save state dict needs: opcodes, globals,
 * strings, integers and integer tuples, written in order into one buffer.
 * @module
 */
import { PICKLE_OPCODES as OP } from './pickle-opcodes';

/** Writes a pickle program piece by piece; `bytes()` returns it. */
export class PickleWriter {
  private parts: Buffer[] = [];
  /** Raw opcode bytes. */
  op(...bytes: number[]): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }
  /** GLOBAL: a module attribute by name. */
  global(mod: string, name: string): this {
    this.parts.push(Buffer.from(`c${mod}\n${name}\n`, 'utf8'));
    return this;
  }
  /** BINUNICODE: a utf8 string. */
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const h = Buffer.alloc(5);
    h[0] = OP.BINUNICODE;
    h.writeUInt32LE(b.length, 1);
    this.parts.push(h, b);
    return this;
  }
  /** BININT, or LONG1 with 8 bytes beyond 32 bits. */
  int(v: number): this {
    if (v >= -(2 ** 31) && v < 2 ** 31) {
      const h = Buffer.alloc(5);
      h[0] = OP.BININT;
      h.writeInt32LE(v, 1);
      this.parts.push(h);
    } else {
      const h = Buffer.alloc(10);
      h[0] = OP.LONG1;
      h[1] = 8;
      h.writeBigInt64LE(BigInt(v), 2);
      this.parts.push(h);
    }
    return this;
  }
  /** A tuple of integers (MARK ... TUPLE). */
  tuple(vals: number[]): this {
    this.op(OP.MARK);
    for (const v of vals) this.int(v);
    return this.op(OP.TUPLE);
  }
  /** The program written so far. */
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
