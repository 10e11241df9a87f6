/**
 * A workbook's shared strings, held in memory up to a budget and beyond it in a spill file: an
 * append-only file of UTF-8 text, an index of where each string ends (8 bytes a string, in a typed
 * array), and positional reads through a small least-recently-used cache. A 100 MB workbook of distinct
 * strings then converts in bounded memory. The spill file is unlinked as soon as it is opened, so it
 * never outlives the process, and its space is freed when the table is closed.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** What a cell converter reads: the string at an index (an array is one). */
export interface SharedStringTable {
  readonly length: number;
  at(index: number): string | undefined;
}

/** Bytes a string held in memory costs, beyond its UTF-16 text: the string object and its array slot. */
const STRING_OVERHEAD_BYTES = 40;
/** Text gathered before one write to the spill file. */
const WRITE_BUFFER_BYTES = 1 << 20;
/** Bytes read back at once, grown for a longer string. */
const READ_BUFFER_BYTES = 64 * 1024;
/** Strings read back from the spill file kept for the next cells that use them. */
const CACHE_STRINGS = 4096;
/** First size of the index of string ends; it doubles as it fills. */
const FIRST_INDEX_SIZE = 1 << 16;

let spills = 0;

/** The strings past the memory budget, on disk. */
class SpillFile {
  private readonly fd: number;
  private ends = new Float64Array(FIRST_INDEX_SIZE);
  /** Text not yet written, encoded in place: no buffer per string for the collector to find. */
  private readonly pending = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private pendingBytes = 0;
  private written = 0;
  private readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly cache = new Map<number, string>();
  count = 0;

  constructor(dir: string) {
    const path = join(dir, `shared-strings-${process.pid}-${++spills}.spill`);
    this.fd = openSync(path, 'w+');
    unlinkSync(path);
  }

  append(s: string): void {
    if (this.count === this.ends.length) {
      const grown = new Float64Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    const length = Buffer.byteLength(s, 'utf8');
    if (this.pendingBytes + length > this.pending.length) this.flush();
    if (length > this.pending.length) {
      this.writeAll(Buffer.from(s, 'utf8'));
    } else {
      this.pending.write(s, this.pendingBytes, 'utf8');
      this.pendingBytes += length;
    }
    this.ends[this.count++] = this.written + this.pendingBytes;
  }

  private writeAll(block: Buffer): void {
    let done = 0;
    while (done < block.length)
      done += writeSync(this.fd, block, done, block.length - done, this.written + done);
    this.written += block.length;
  }

  flush(): void {
    if (this.pendingBytes === 0) return;
    this.writeAll(this.pending.subarray(0, this.pendingBytes));
    this.pendingBytes = 0;
  }

  read(i: number): string {
    const cached = this.cache.get(i);
    if (cached !== undefined) {
      this.cache.delete(i);
      this.cache.set(i, cached);
      return cached;
    }
    if (this.pendingBytes > 0) this.flush();
    const start = i === 0 ? 0 : this.ends[i - 1];
    const length = this.ends[i] - start;
    if (length > this.readBuffer.length) this.readBuffer = Buffer.allocUnsafe(length);
    const buf = this.readBuffer;
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    const s = buf.toString('utf8', 0, got);
    this.cache.set(i, s);
    if (this.cache.size > CACHE_STRINGS) this.cache.delete(this.cache.keys().next().value as number);
    return s;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Shared strings in memory up to `budgetBytes`, the rest spilled to a file in `spillDir`. */
export class StringTable implements SharedStringTable {
  private readonly memory: string[] = [];
  private memoryBytes = 0;
  private spill: SpillFile | null = null;

  constructor(
    private readonly budgetBytes: number,
    private readonly spillDir: string,
  ) {}

  push(s: string): void {
    const cost = s.length * 2 + STRING_OVERHEAD_BYTES;
    if (this.spill === null && this.memoryBytes + cost <= this.budgetBytes) {
      this.memory.push(s);
      this.memoryBytes += cost;
      return;
    }
    this.spill ??= new SpillFile(this.spillDir);
    this.spill.append(s);
  }

  get length(): number {
    return this.memory.length + (this.spill?.count ?? 0);
  }

  /** Strings kept on disk (for tests and the benchmark). */
  get spilled(): number {
    return this.spill?.count ?? 0;
  }

  at(index: number): string | undefined {
    if (index < 0 || index >= this.length) return undefined;
    if (index < this.memory.length) return this.memory[index];
    return this.spill?.read(index - this.memory.length);
  }

  /** Frees the spill file's space; the table cannot be read after. */
  close(): void {
    this.spill?.close();
    this.spill = null;
  }
}
