/**
 * The CSV working file a sheet is written to: records are buffered and written in blocks to a WorkFile,
 * which waits for the file stream to drain and keeps a write error (a full disk) so that it is told apart
 * from a bad upload.
 */
import { WorkFile } from '../work-file.ts';

const FLUSH_BYTES = 256 * 1024;

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export class CsvOut {
  private readonly out: WorkFile;
  private buf: string[] = [];
  private bytes = 0;

  constructor(path: string) {
    this.out = new WorkFile(path);
  }

  async line(fields: string[]): Promise<void> {
    const text = `${fields.map(csvField).join(',')}\n`;
    this.buf.push(text);
    this.bytes += text.length;
    if (this.bytes >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    const text = this.buf.join('');
    this.buf = [];
    this.bytes = 0;
    if (text) await this.out.write(Buffer.from(text, 'utf8'));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.out.close();
  }

  destroy(): void {
    this.out.destroy();
  }
}
