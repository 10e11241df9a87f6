/**
 * An uploaded .xlsx workbook becomes a UTF-8 CSV working file that the engine reads like any CSV.
 * One sheet is converted, streaming, by a reader that does not depend on the order of the parts in the
 * zip: the zip's central directory is read first (xlsx/zip-directory.ts), then the parts by name, one
 * after the other: the workbook part (sheet names, date system), its relationships (which part holds
 * each sheet), the styles (which cells are dates), the shared strings, and last the chosen sheet alone,
 * its rows streamed to the CSV. Memory holds the shared-string table and one chunk of the sheet.
 *
 * The CSV's first column is `__line`, the sheet row number (1-based, as the spreadsheet shows it), so
 * every record and every rejection points at the row the data steward sees (see xlsx/write-sheet.ts).
 */

import { dirname } from 'node:path';
import { DEFAULT_MERGED_CELLS, type MERGED_CELLS } from '../contracts/schema.ts';
import { FileRejectedError } from './errors.ts';
import { CellConverter } from './xlsx/cell-converter.ts';
import { CsvOut } from './xlsx/csv-out.ts';
import { filledRows, MergedCellFiller, readMergedRanges } from './xlsx/merged-cells.ts';
import { notAWorkbook } from './xlsx/not-a-workbook.ts';
import { type Relationship, readRelationships } from './xlsx/relationships-part.ts';
import { readSharedStrings } from './xlsx/shared-strings-part.ts';
import { sheetRows } from './xlsx/sheet-rows.ts';
import { readStyleFormats, type StyleFormats } from './xlsx/styles-part.ts';
import { readWorkbookPart } from './xlsx/workbook-part.ts';
import { type WorkbookSheets, workbookSheets } from './xlsx/workbook-sheets.ts';
import { writeSheet } from './xlsx/write-sheet.ts';
import { readZipDirectory, type ZipDirectory } from './xlsx/zip-directory.ts';
import { entryText } from './xlsx/zip-entry.ts';

export interface XlsxConversion {
  /** The sheet converted. */
  sheet: string;
  /** All sheets of the workbook, in the workbook's (tab) order. */
  sheets: string[];
  /** Data rows written, header excluded. */
  rows: number;
  /** Columns of the header row, `__line` excluded. */
  columns: number;
  /** Cells given their merged range's value (format.mergedCells fill), when there were any. */
  filledFromMerged?: number;
}

export interface XlsxOptions {
  /** The sheet to convert; the first sheet when absent. */
  sheet?: string;
  /**
   * Told the sheet row of the first non-blank row (the CSV's header record, whose `__line` is not a row)
   * and whether the workbook counts its dates in the 1904 date system.
   */
  onSheet?: (facts: { headerRow: number; date1904: boolean }) => void;
  /** What the cells of merged ranges hold (see xlsx/merged-cells.ts). @default DEFAULT_MERGED_CELLS */
  mergedCells?: MergedCells;
}

type MergedCells = (typeof MERGED_CELLS)[number];

const WORKBOOK = 'xl/workbook.xml';
const WORKBOOK_RELS = 'xl/_rels/workbook.xml.rels';

/** The workbook's parts, read by name from the archive at `path`. */
class WorkbookParts {
  constructor(
    private readonly path: string,
    private readonly zip: ZipDirectory,
  ) {}

  has(name: string): boolean {
    return this.zip.get(name) !== undefined;
  }

  /** The text of part `name`, or null when the archive has no such part. */
  text(name: string): AsyncGenerator<string> | null {
    const entry = this.zip.get(name);
    return entry ? entryText(this.path, entry) : null;
  }

  /** The text of part `name`, which the archive is known to hold. */
  required(name: string): AsyncGenerator<string> {
    const text = this.text(name);
    if (text === null) throw notAWorkbook(`the zip archive has no ${name}`);
    return text;
  }

  /** The part the workbook's relationship of `kind` points at, else the part's usual name. */
  partOf(rels: readonly Relationship[], kind: string, usual: string): string {
    return rels.find((r) => r.kind === kind && r.part !== null)?.part ?? usual;
  }
}

/** The worksheet part of `sheet`, or a `sheet` or `format` rejection naming what to do. */
function chosenPart(sheets: WorkbookSheets, sheet: string, parts: WorkbookParts): string {
  const { names } = sheets;
  if (!names.includes(sheet)) {
    if (names.length === 0) throw notAWorkbook('the workbook has no sheets');
    throw new FileRejectedError(
      'sheet',
      `sheet "${sheet}" not found; the workbook has: ${names.join(', ')}; set format.sheet in the contract`,
    );
  }
  const part = sheets.worksheetPart(sheet);
  if (part === null) {
    throw new FileRejectedError(
      'sheet',
      `sheet "${sheet}" has no cells to read (it is a chart sheet, or stored in a form this reader does not support); the workbook has: ${names.join(', ')}; set format.sheet in the contract to a sheet with the data`,
    );
  }
  if (!parts.has(part)) {
    throw notAWorkbook(`the zip archive has no ${part}, the part that holds sheet "${sheet}"`);
  }
  return part;
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
  const parts = new WorkbookParts(inputPath, await readZipDirectory(inputPath));
  const book = await readWorkbookPart(parts.required(WORKBOOK), WORKBOOK);
  const relsText = parts.text(WORKBOOK_RELS);
  const rels = relsText ? await readRelationships(relsText, WORKBOOK_RELS, 'xl/') : [];
  const sheets = workbookSheets(book, rels);
  const sheet = opts.sheet ?? sheets.first ?? '';
  const sheetPart = chosenPart(sheets, sheet, parts);

  const stylesPart = parts.partOf(rels, 'styles', 'xl/styles.xml');
  const stylesText = parts.text(stylesPart);
  const formats: StyleFormats = stylesText ? await readStyleFormats(stylesText, stylesPart) : [];
  // Merged ranges follow the cells in the part: a first pass reads them alone.
  const fill = (opts.mergedCells ?? DEFAULT_MERGED_CELLS) === 'fill';
  const filler = new MergedCellFiller(
    fill ? await readMergedRanges(parts.required(sheetPart), sheetPart, sheet) : [],
  );
  const stringsPart = parts.partOf(rels, 'sharedStrings', 'xl/sharedStrings.xml');
  const stringsText = parts.text(stringsPart);
  // Beyond a memory budget the strings spill beside the working CSV; closed below, whatever happens.
  const strings = stringsText
    ? await readSharedStrings(stringsText, stringsPart, { spillDir: dirname(outPath) })
    : null;
  const convert = new CellConverter(book.date1904, strings, formats);
  const out = new CsvOut(outPath);
  let written: { columns: number; rows: number; headerRow: number } | null;
  try {
    const rows = sheetRows(parts.required(sheetPart), sheetPart, sheet, convert);
    written = await writeSheet(filledRows(rows, filler), out);
    await out.close();
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    strings?.close();
  }
  if (written === null) {
    throw new FileRejectedError(
      'empty',
      `sheet "${sheet}" is empty: it has no header row and no data; put the data on this sheet with the column names in the first non-empty row, or set format.sheet in the contract to the sheet that holds it`,
    );
  }
  opts.onSheet?.({ headerRow: written.headerRow, date1904: book.date1904 });
  return {
    sheet,
    sheets: sheets.names,
    rows: written.rows,
    columns: written.columns,
    ...(filler.filled > 0 ? { filledFromMerged: filler.filled } : {}),
  };
}
