/**
 * The CSV working file a sheet is written to: records are buffered and written in blocks, waiting for
 * the file stream to drain, and a write error is kept so that it is told apart from a bad upload.
 */
import { createWriteStream } from 'node:fs';

const FLUSH_BYTES = 256 * 1024;

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export class CsvOut {
  private readonly out;
  private buf: string[] = [];
  private bytes = 0;
  /** A write error: the working file could not be written (not the upload's fault). */
  failure: Error | null = null;

  constructor(path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      this.failure = e;
    });
  }

  async line(fields: string[]): Promise<void> {
    const text = `${fields.map(csvField).join(',')}\n`;
    this.buf.push(text);
    this.bytes += text.length;
    if (this.bytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const text = this.buf.join('');
    this.buf = [];
    this.bytes = 0;
    if (text && !this.out.write(text)) {
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

  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) =>
      this.out.end((e?: Error | null) => (e ? reject(e) : resolve())),
    );
    if (this.failure) throw this.failure;
  }

  destroy(): void {
    this.out.destroy();
  }
}
