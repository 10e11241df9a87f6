/**
 * Errors of the zip stream under exceljs's streaming reader. exceljs pipes the upload into its zip
 * parser, but an error there (a truncated or damaged archive, a failed read) never reaches the entry
 * exceljs is reading, so reading would wait forever. ZipWatch hooks the upload's stream and that
 * parser: it keeps the first error with the entry being filled then, and ends the entry in flight so
 * that the error surfaces.
 */
import type { PassThrough, Readable } from 'node:stream';
import type { FileRejectedError } from '../errors.ts';
import { notAWorkbook } from './not-a-workbook.ts';

export class ZipWatch {
  private parser: Readable | null = null;
  private failure: { error: Error; part: string | null } | null = null;
  /** The entry the zip parser is filling, and the entry exceljs is reading (it may lag behind). */
  private filling: string | null = null;
  private reading: PassThrough | null = null;

  /** Hooks `input` before exceljs's reader is given it. */
  constructor(input: Readable) {
    input.on('error', (e) => {
      this.fail(e);
      this.parser?.destroy(e);
    });
    // exceljs pipes the input into its zip parser; hook that parser's errors and entries.
    const pipe = input.pipe.bind(input);
    input.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
      const z = destination as unknown as Readable;
      this.parser = z;
      const push = z.push.bind(z);
      z.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
        if (chunk !== null && typeof chunk === 'object' && 'path' in chunk) this.filling = String(chunk.path);
        return push(chunk, encoding);
      };
      z.on('error', (e: Error) => this.fail(e));
      z.on('data', (e: PassThrough) => {
        this.reading = e;
      });
      const piped = pipe(destination, options);
      if (this.failure) z.destroy(this.failure.error);
      return piped;
    };
  }

  /** The first error of the zip stream, or null. */
  get error(): Error | null {
    return this.failure?.error ?? null;
  }

  /** The first error of the zip stream as the upload's rejection, or null when there was none. */
  rejection(): FileRejectedError | null {
    if (this.failure === null) return null;
    const { error, part } = this.failure;
    const what = error.message === 'FILE_ENDED' ? 'it ends inside a file' : error.message;
    const where = part ? ` at ${part}` : '';
    return notAWorkbook(`the zip archive is damaged${where}: ${what}`, error);
  }

  private fail(e: Error): void {
    this.failure ??= { error: e, part: this.filling };
    // exceljs waits for the entry it is reading to end, and a zip error never reaches that entry.
    const pending = this.reading;
    this.reading = null;
    if (pending && !pending.writableEnded) {
      pending.on('error', () => {});
      pending.end();
    }
  }
}
