/**
 * The parts of exceljs's streaming workbook reader this engine relies on, typed: the model it builds
 * from the workbook part, the workbook's relationships, and the parse hooks that SafeWorkbookReader
 * overrides. exceljs does not publish these types.
 */
import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

export interface SheetModel {
  name: string;
  rId: string;
  state?: string;
}

export interface Relationship {
  Id: string;
  Target: string;
}

export interface WorksheetReader extends AsyncIterable<ExcelJS.Row> {
  name: string;
  /** The N of xl/worksheets/sheetN.xml, set by SafeWorkbookReader. */
  partNumber?: string;
}

export interface ReaderInternals {
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

/** exceljs's streaming workbook reader, seen through ReaderInternals. */
export const WorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: Readable,
  options: object,
) => ReaderInternals;
