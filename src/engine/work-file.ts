/**
 * A working file the engine writes (a decompressed upload, a decoded copy): writes wait for the stream
 * to drain, and a write error (a full disk) is kept and thrown to the writer instead of being emitted
 * on a stream nobody listens to, which would end the process.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

export class WorkFile {
  private readonly out: WriteStream;
  private failure: Error | null = null;
  /** Bytes written so far. */
  bytes = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      this.failure ??= e;
    });
  }

  /** Appends `chunk`; throws the stream's error (e.g. ENOSPC) once it has one. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) {
      // 'close' as well: a stream that failed never drains.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.off('drain', done);
          this.out.off('close', done);
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes and closes the file; throws its write error, if any. */
  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.end();
    try {
      await finished(this.out);
    } catch (e) {
      throw this.failure ?? e;
    }
    if (this.failure) throw this.failure;
  }

  /** Closes the file without flushing, after a failure elsewhere. */
  destroy(): void {
    this.out.destroy();
  }
}
