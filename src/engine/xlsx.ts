/**
 * An uploaded .xlsx workbook becomes a UTF-8 CSV working file that the engine reads like any CSV.
 * One sheet is converted, streaming: the workbook is read with exceljs's streaming reader, so memory
 * holds the shared-string table and one row at a time, not the sheet.
 *
 * The CSV's first column is `__line`, the sheet row number (1-based, as the spreadsheet shows it), so
 * every record and every rejection points at the row the data steward sees. The header row is the
 * first row with a non-blank cell; completely blank rows are not records and are skipped. A row wider
 * than the header keeps its extra cells, so the engine's ragged-row check reports it.
 *
 * exceljs's streaming reader has defects this module works around:
 * - it decodes each compressed chunk of XML on its own, so a multi-byte character (any Chinese
 *   character) split across chunks turns into U+FFFD; the XML parts are decoded here with a streaming
 *   decoder before exceljs sees them;
 * - errors inside the zip stream (a truncated or damaged archive) do not reach the entry being read,
 *   so reading would wait forever; the archive's central directory is checked first, and a zip error
 *   ends the entry in flight so that the error surfaces;
 * - it knows only the date formats with an explicit code, not the CJK built-in ones (ids 27-36 and
 *   50-58, e.g. `yyyy"年"m"月"d"日"`), so such dates would read as day numbers; they are added;
 * - it names a sheet only when the workbook's relationship target is exactly `worksheets/sheetN.xml`;
 *   absolute targets (`/xl/worksheets/sheetN.xml`) are resolved here.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { FileRejectedError } from './errors.ts';

export interface XlsxConversion {
  /** The sheet converted. */
  sheet: string;
  /** All sheets of the workbook, in the workbook's (tab) order. */
  sheets: string[];
  /** Data rows written, header excluded. */
  rows: number;
  /** Columns of the header row, `__line` excluded. */
  columns: number;
}

export interface XlsxOptions {
  /** The sheet to convert; the first sheet when absent. */
  sheet?: string;
}

const FIX = 'save it from the spreadsheet as .xlsx, or declare format.type csv';
const FLUSH_BYTES = 256 * 1024;
/** Largest central directory accepted; a real workbook's is a few kilobytes. */
const MAX_CENTRAL_DIRECTORY_BYTES = 64 * 1024 * 1024;

function notAWorkbook(detail: string, cause?: unknown): FileRejectedError {
  return new FileRejectedError('format', `the file is not a readable .xlsx workbook (${detail}): ${FIX}`, {
    cause,
  });
}

// ---------------------------------------------------------------------------------------------------
// The zip container, checked before streaming: the end-of-archive record and the central directory.

async function readAt(
  fh: Awaited<ReturnType<typeof open>>,
  position: number,
  length: number,
): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

function describeNonZip(head: Buffer): string {
  if (head.length >= 8 && head.readUInt32BE(0) === 0xd0cf11e0 && head.readUInt32BE(4) === 0xa1b11ae1) {
    return 'it is an Excel 97-2003 .xls workbook or a password-protected workbook';
  }
  const text = head
    .toString('latin1')
    .replace(/^\xEF\xBB\xBF/, '')
    .trimStart();
  if (text.startsWith('<')) return 'it is an HTML or XML file, not a zip archive';
  return 'it is not a zip archive';
}

function describeZipWithoutWorkbook(names: Set<string>): string {
  if (names.has('word/document.xml')) return 'it is a Word document';
  if (names.has('ppt/presentation.xml')) return 'it is a PowerPoint presentation';
  if (names.has('content.xml') && names.has('mimetype')) return 'it is an OpenDocument file such as .ods';
  return 'it is a zip archive without xl/workbook.xml';
}

/**
 * Rejects a file that is not a complete zip archive holding xl/workbook.xml, reading only its first
 * bytes, its end record and its central directory (the table of contents at the end of a zip).
 */
async function checkZip(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size === 0) throw notAWorkbook('the file is empty');
    const head = await readAt(fh, 0, Math.min(size, 512));
    const signature = head.length >= 4 ? head.readUInt32LE(0) : 0;
    if (signature !== 0x04034b50 && signature !== 0x06054b50) throw notAWorkbook(describeNonZip(head));

    const tailStart = Math.max(0, size - (22 + 0xffff));
    const tail = await readAt(fh, tailStart, size - tailStart);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) <= tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw notAWorkbook(
        'the zip archive is incomplete: its end is missing, the upload may have been cut off',
      );
    }
    let entries = tail.readUInt16LE(eocd + 10);
    let cdSize = tail.readUInt32LE(eocd + 12);
    let cdOffset = tail.readUInt32LE(eocd + 16);
    const eocdAt = tailStart + eocd;
    // Zip64: a locator just before the end record points at the zip64 end record.
    const locator = eocd >= 20 ? tail.subarray(eocd - 20, eocd) : Buffer.alloc(0);
    if (locator.length === 20 && locator.readUInt32LE(0) === 0x07064b50) {
      const rec = await readAt(fh, Number(locator.readBigUInt64LE(8)), 56);
      if (rec.length !== 56 || rec.readUInt32LE(0) !== 0x06064b50) {
        throw notAWorkbook('the zip archive is damaged: its zip64 end record is unreadable');
      }
      entries = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    } else if (cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      throw notAWorkbook('the zip archive is damaged: its zip64 end record is missing');
    }
    if (cdOffset + cdSize > eocdAt || cdSize > MAX_CENTRAL_DIRECTORY_BYTES) {
      throw notAWorkbook(
        'the zip archive is damaged or incomplete: its table of contents points past the file',
      );
    }
    const cd = await readAt(fh, cdOffset, cdSize);
    const names = new Set<string>();
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) {
        throw notAWorkbook('the zip archive is damaged: its table of contents is unreadable');
      }
      const flags = cd.readUInt16LE(p + 8);
      const nameLength = cd.readUInt16LE(p + 28);
      const next = p + 46 + nameLength + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
      const localHeader = cd.readUInt32LE(p + 42);
      if (next > cd.length || (localHeader !== 0xffffffff && localHeader >= cdOffset)) {
        throw notAWorkbook('the zip archive is damaged: its table of contents is unreadable');
      }
      names.add(cd.toString(flags & 0x800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength));
      p = next;
    }
    if (!names.has('xl/workbook.xml')) throw notAWorkbook(describeZipWithoutWorkbook(names));
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------------------------------------------
// exceljs's streaming reader, with the fixes described at the top of this file.

interface SheetModel {
  name: string;
  rId: string;
  state?: string;
}
interface Relationship {
  Id: string;
  Target: string;
}
interface WorksheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
  /** The N of xl/worksheets/sheetN.xml, set by SafeWorkbookReader. */
  partNumber?: string;
}
interface ReaderInternals {
  model?: { sheets?: SheetModel[] };
  workbookRels?: Relationship[];
  properties?: { model?: { date1904?: boolean } };
  styles: { index?: { numFmt?: Record<number, string | undefined> } };
  [Symbol.asyncIterator](): AsyncIterator<WorksheetReader>;
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(
    chunks: AsyncIterable<Buffer | string>,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: WorksheetReader }>;
}
const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: Readable,
  options: object,
) => ReaderInternals;

/**
 * The CJK built-in number formats (ECMA-376 Part 1, 18.8.30), all dates or times. A workbook cites
 * them by id without spelling them out.
 */
const CJK_DATE_FORMATS: Record<number, string> = {
  27: 'yyyy"年"m"月"',
  28: 'm"月"d"日"',
  29: 'm"月"d"日"',
  30: 'm-d-yy',
  31: 'yyyy"年"m"月"d"日"',
  32: 'h"时"mm"分"',
  33: 'h"时"mm"分"ss"秒"',
  34: 'AM/PM h"时"mm"分"',
  35: 'AM/PM h"时"mm"分"ss"秒"',
  36: 'yyyy"年"m"月"',
  50: 'yyyy"年"m"月"',
  51: 'm"月"d"日"',
  52: 'yyyy"年"m"月"',
  53: 'm"月"d"日"',
  54: 'm"月"d"日"',
  55: 'AM/PM h"时"mm"分"',
  56: 'AM/PM h"时"mm"分"ss"秒"',
  57: 'yyyy"年"m"月"',
  58: 'm"月"d"日"',
};

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

class SafeWorkbookReader extends WorkbookReader {
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

function partOf(target: string): string {
  return target.replace(/^\//, '').replace(/^xl\//, '');
}

/** Sheet names in tab order, and the sheet converted by default: the first visible worksheet. */
function workbookSheets(reader: ReaderInternals): { names: string[]; first: string | undefined } {
  const sheets = reader.model?.sheets ?? [];
  const rels = new Map((reader.workbookRels ?? []).map((r) => [r.Id, partOf(r.Target)]));
  const worksheets = sheets.filter((s) => /^worksheets\//.test(rels.get(s.rId) ?? ''));
  const visible = worksheets.filter((s) => s.state !== 'hidden' && s.state !== 'veryHidden');
  return { names: sheets.map((s) => s.name), first: (visible[0] ?? worksheets[0] ?? sheets[0])?.name };
}

/** The name of a worksheet the reader found, by its part, whatever the order of parts in the zip. */
function sheetName(reader: ReaderInternals, ws: WorksheetReader): string {
  if (ws.partNumber === undefined) return ws.name;
  const part = `worksheets/sheet${ws.partNumber}.xml`;
  const rel = (reader.workbookRels ?? []).find((r) => partOf(r.Target) === part);
  const sheet = rel && (reader.model?.sheets ?? []).find((s) => s.rId === rel.Id);
  return sheet ? sheet.name : ws.name;
}

// ---------------------------------------------------------------------------------------------------
// Cell values as text.

const MS_PER_DAY = 86_400_000;
/** Day 0 of the 1900 and 1904 date systems, as exceljs converts them. */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A number format without its bracketed parts (`[Red]`, `[$-804]`, `[h]`) and quoted literals. */
function formatTokens(format: string | undefined): string {
  return (format ?? '').replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
}

/** Whether a number format shows a date or time (the test exceljs applies to plain cells). */
function isDateFormat(format: string | undefined): boolean {
  return /[ymdhMsb]/.test(formatTokens(format));
}

/**
 * `YYYY-MM-DD` at midnight, else `YYYY-MM-DD HH:MM:SS` (to the nearest second); `HH:MM:SS` for a time
 * of day: a value on day 0 whose format shows neither year nor day.
 */
function dateText(d: Date, epoch: number, format: string | undefined): string {
  const ms = d.getTime();
  if (!Number.isFinite(ms)) return '';
  const t = new Date(Math.round(ms / 1000) * 1000);
  const time = `${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
  const day = Math.floor(t.getTime() / MS_PER_DAY) * MS_PER_DAY;
  if (day === epoch && !/[yd]/i.test(formatTokens(format))) return time;
  const date = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
  return time === '00:00:00' ? date : `${date} ${time}`;
}

function numberText(n: number): string {
  if (!Number.isFinite(n)) return '';
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * Text as the spreadsheet shows it: characters XML cannot hold are stored as `_xHHHH_` (a carriage
 * return is `_x000D_`), and a literal `_x` as `_x005F_x`.
 */
function unescapeText(s: string): string {
  if (!s.includes('_x')) return s;
  return s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

interface RichTextRun {
  text?: string | null;
}

function richText(runs: RichTextRun[]): string {
  return unescapeText(runs.map((r) => r.text ?? '').join(''));
}

class CellConverter {
  constructor(private readonly epoch: number) {}

  text(cell: ExcelJS.Cell): string {
    return this.value(cell.value as unknown, cell);
  }

  private value(v: unknown, cell: ExcelJS.Cell): string {
    if (v === null || v === undefined) return '';
    switch (typeof v) {
      case 'string':
        return unescapeText(v);
      case 'number':
        return numberText(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'object':
        break;
      default:
        return String(v);
    }
    if (v instanceof Date) return dateText(v, this.epoch, cell.numFmt);
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.richText)) return richText(o.richText as RichTextRun[]);
    if ('formula' in o || 'sharedFormula' in o || 'result' in o) {
      const result = o.result;
      // A formula's cached number keeps the cell's date format, which exceljs does not apply.
      if (typeof result === 'number' && Number.isFinite(result) && isDateFormat(cell.numFmt)) {
        return dateText(new Date(Math.round(result * MS_PER_DAY) + this.epoch), this.epoch, cell.numFmt);
      }
      if (result !== null && typeof result === 'object' && 'error' in result) return '';
      return this.value(result, cell);
    }
    if ('error' in o) return '';
    if ('text' in o) return this.value(o.text, cell);
    if ('sharedString' in o) {
      throw notAWorkbook(
        `cell ${cell.address} refers to a shared string, but the workbook has no shared-string table`,
      );
    }
    return '';
  }
}

// ---------------------------------------------------------------------------------------------------
// CSV output.

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

class CsvOut {
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

/** Writes one sheet's rows; returns the header width, or null when the sheet has no non-blank row. */
async function writeSheet(
  ws: WorksheetReader,
  convert: CellConverter,
  out: CsvOut,
): Promise<{ columns: number; rows: number } | null> {
  let header: number | null = null;
  let rows = 0;
  for await (const row of ws) {
    const cells: string[] = [];
    let width = 0;
    row.eachCell((cell, col) => {
      const text = convert.text(cell);
      cells[col - 1] = text;
      if (col > width && text.trim() !== '') width = col;
    });
    if (width === 0) continue;
    if (header === null) {
      header = width;
      const names: string[] = ['__line'];
      for (let i = 0; i < width; i++) names.push((cells[i] ?? '').trim());
      await out.line(names);
      continue;
    }
    const fields: string[] = [String(row.number)];
    const n = Math.max(header, width);
    for (let i = 0; i < n; i++) fields.push(cells[i] ?? '');
    await out.line(fields);
    rows++;
  }
  return header === null ? null : { columns: header, rows };
}

// ---------------------------------------------------------------------------------------------------

/**
 * Convert one sheet of the workbook at `inputPath` to a CSV working file at `outPath` (see the top of
 * this file for its shape). Throws FileRejectedError when the file is not a readable workbook
 * (`format`), the sheet does not exist (`sheet`), or the sheet is empty (`empty`).
 */
export async function xlsxToCsv(
  inputPath: string,
  outPath: string,
  opts: XlsxOptions = {},
): Promise<XlsxConversion> {
  await checkZip(inputPath);

  const input = createReadStream(inputPath);
  const zip: {
    parser: Readable | null;
    error: { error: Error; part: string | null } | null;
    /** The entry the zip parser is filling, and the entry exceljs is reading (it may lag behind). */
    filling: string | null;
    reading: PassThrough | null;
  } = { parser: null, error: null, filling: null, reading: null };
  const fail = (e: Error): void => {
    zip.error ??= { error: e, part: zip.filling };
    // exceljs waits for the entry it is reading to end, and a zip error never reaches that entry.
    const pending = zip.reading;
    zip.reading = null;
    if (pending && !pending.writableEnded) {
      pending.on('error', () => {});
      pending.end();
    }
  };
  input.on('error', (e) => {
    fail(e);
    zip.parser?.destroy(e);
  });
  // exceljs pipes the input into its zip parser; hook that parser's errors and entries.
  const pipe = input.pipe.bind(input);
  input.pipe = <T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T => {
    const z = destination as unknown as Readable;
    zip.parser = z;
    const push = z.push.bind(z);
    z.push = (chunk: unknown, encoding?: BufferEncoding): boolean => {
      if (chunk !== null && typeof chunk === 'object' && 'path' in chunk) zip.filling = String(chunk.path);
      return push(chunk, encoding);
    };
    z.on('error', fail);
    z.on('data', (e: PassThrough) => {
      zip.reading = e;
    });
    const piped = pipe(destination, options);
    if (zip.error) z.destroy(zip.error.error);
    return piped;
  };

  const reader = new SafeWorkbookReader(input, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const out = new CsvOut(outPath);
  let target: string | undefined = opts.sheet;
  let found = false;
  let written: { columns: number; rows: number } | null = null;
  let sheetError: unknown = null;
  const rejection = (e: unknown): unknown => {
    if (e instanceof FileRejectedError || (out.failure !== null && e === out.failure)) return e;
    if (zip.error) {
      const what =
        zip.error.error.message === 'FILE_ENDED' ? 'it ends inside a file' : zip.error.error.message;
      const where = zip.error.part ? ` at ${zip.error.part}` : '';
      return notAWorkbook(`the zip archive is damaged${where}: ${what}`, zip.error.error);
    }
    const what = e instanceof Error ? e.message : String(e);
    if (e === sheetError) return notAWorkbook(`the data of sheet "${target}" is damaged: ${what}`, e);
    return notAWorkbook(`the workbook is damaged: ${what}`, e);
  };
  try {
    try {
      for await (const ws of reader) {
        target ??= workbookSheets(reader).first;
        if (found || sheetName(reader, ws) !== target) continue;
        found = true;
        const epoch = reader.properties?.model?.date1904 ? EPOCH_1904 : EPOCH_1900;
        try {
          written = await writeSheet(ws, new CellConverter(epoch), out);
        } catch (e) {
          sheetError = e;
          throw e;
        }
      }
      if (zip.error) throw zip.error.error;
    } catch (e) {
      throw rejection(e);
    }
    await out.close();
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    input.destroy();
  }

  if (reader.model === undefined) throw notAWorkbook('the zip archive has no readable xl/workbook.xml');
  const { names, first } = workbookSheets(reader);
  const sheet = target ?? first ?? '';
  if (!names.includes(sheet)) {
    if (names.length === 0) throw notAWorkbook('the workbook has no sheets');
    throw new FileRejectedError(
      'sheet',
      `sheet "${sheet}" not found; the workbook has: ${names.join(', ')}; set format.sheet in the contract`,
    );
  }
  if (!found) {
    throw new FileRejectedError(
      'sheet',
      `sheet "${sheet}" has no cells to read (it is a chart sheet, or stored in a form this reader does not support); the workbook has: ${names.join(', ')}; set format.sheet in the contract to a sheet with the data`,
    );
  }
  if (written === null) {
    throw new FileRejectedError(
      'empty',
      `sheet "${sheet}" is empty: it has no header row and no data; put the data on this sheet with the column names in the first non-empty row, or set format.sheet in the contract to the sheet that holds it`,
    );
  }
  return { sheet, sheets: names, rows: written.rows, columns: written.columns };
}
