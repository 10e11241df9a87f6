/**
 * exceljs's streaming workbook reader with the fixes this engine needs:
 * - it decodes each compressed chunk of XML on its own, so a multi-byte character (any Chinese
 *   character) split across chunks turns into U+FFFD; every XML part is decoded here with a streaming
 *   decoder before exceljs sees it;
 * - it needs the workbook part to name a sheet it streams, and fails when that part comes later in the
 *   zip; the relationships are held back until the workbook part is read, so that such a sheet is
 *   parked in a temp file and read afterwards;
 * - the CJK built-in date formats are added to the workbook's number formats;
 * - each worksheet is tagged with its part number, so that workbookSheets can name it whatever the
 *   relationship target looks like.
 */
import { Readable } from 'node:stream';
import { CJK_DATE_FORMATS } from './cjk-date-formats.ts';
import { type ReaderInternals, WorkbookReader, type WorksheetReader } from './reader-internals.ts';

/** UTF-8 text from byte chunks, characters kept whole across chunk boundaries. */
async function* utf8Text(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

export class SafeWorkbookReader extends WorkbookReader {
  private heldRels: ReaderInternals['workbookRels'];

  /*
   * exceljs streams a sheet straight through once it has the relationships and the shared strings, and
   * then needs the workbook part to name it (it fails when that part comes later in the zip, as in the
   * files exceljs itself writes, depending on timing). The relationships are held back until the
   * workbook part is read, so a sheet met before it is parked in a temp file and read afterwards.
   */
  override async _parseRels(entry: Readable): Promise<void> {
    entry.setEncoding('utf8');
    await super._parseRels(entry);
    if (this.model === undefined) {
      this.heldRels = this.workbookRels;
      this.workbookRels = undefined;
    }
  }
  override async _parseWorkbook(entry: Readable): Promise<void> {
    entry.setEncoding('utf8');
    await super._parseWorkbook(entry);
    if (this.heldRels !== undefined) {
      this.workbookRels = this.heldRels;
      this.heldRels = undefined;
    }
  }
  override async _parseStyles(entry: Readable): Promise<void> {
    entry.setEncoding('utf8');
    await super._parseStyles(entry);
    const formats = this.styles.index?.numFmt;
    if (formats) {
      for (const [id, code] of Object.entries(CJK_DATE_FORMATS)) formats[Number(id)] ??= code;
    }
  }
  override _parseSharedStrings(entry: Readable): AsyncGenerator<unknown> {
    entry.setEncoding('utf8');
    return super._parseSharedStrings(entry);
  }
  override *_parseWorksheet(
    chunks: AsyncIterable<Buffer | string>,
    sheetNo: string,
  ): Generator<{ eventType: string; value: WorksheetReader }> {
    // A sheet parked in a temp file (sheets before shared strings in the zip) arrives as a file stream
    // that opens on the next tick; when the sheet is skipped, the reader removes the file first. The
    // stream's open error would then have no listener and end the process: give it one. A sheet that is
    // read still sees its errors through iteration.
    if (chunks instanceof Readable) chunks.on('error', () => {});
    for (const event of super._parseWorksheet(utf8Text(chunks), sheetNo)) {
      event.value.partNumber = sheetNo;
      yield event;
    }
  }
}
