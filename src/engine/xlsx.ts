/**
 * An uploaded .xlsx workbook becomes a UTF-8 CSV working file that the engine reads like any CSV.
 * One sheet is converted, streaming: the workbook is read with exceljs's streaming reader, so memory
 * holds the shared-string table and one row at a time, not the sheet.
 *
 * The CSV's first column is `__line`, the sheet row number (1-based, as the spreadsheet shows it), so
 * every record and every rejection points at the row the data steward sees (see xlsx/write-sheet.ts).
 *
 * exceljs's streaming reader has defects worked around under xlsx/: a multi-byte character split
 * across compressed chunks, the workbook part met after a sheet, and the CJK built-in date formats
 * (safe-workbook-reader.ts); zip errors that never reach the entry being read, so reading would wait
 * forever (check-zip.ts checks the central directory first, zip-watch.ts ends the entry in flight);
 * absolute relationship targets (workbook-sheets.ts).
 */
import { createReadStream } from 'node:fs';
import { FileRejectedError } from './errors.ts';
import { CellConverter } from './xlsx/cell-converter.ts';
import { checkZip } from './xlsx/check-zip.ts';
import { CsvOut } from './xlsx/csv-out.ts';
import { notAWorkbook } from './xlsx/not-a-workbook.ts';
import { SafeWorkbookReader } from './xlsx/safe-workbook-reader.ts';
import { sheetName, workbookSheets } from './xlsx/workbook-sheets.ts';
import { writeSheet } from './xlsx/write-sheet.ts';
import { ZipWatch } from './xlsx/zip-watch.ts';

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
  const zip = new ZipWatch(input);
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
    const zipRejection = zip.rejection();
    if (zipRejection) return zipRejection;
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
        const convert = new CellConverter(Boolean(reader.properties?.model?.date1904));
        try {
          written = await writeSheet(ws, convert, out);
        } catch (e) {
          sheetError = e;
          throw e;
        }
      }
      if (zip.error) throw zip.error;
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
