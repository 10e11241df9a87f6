/**
 * A query's result as an xlsx workbook (one sheet, `result`), written as a stream (each row committed to
 * the file as its batch comes): numbers as numbers (decimals with their scale as the cell's format), dates
 * as dates, booleans as booleans, the rest as text. A number a double cannot hold exactly (a BIGINT beyond
 * 2^53, a decimal of more than 15 digits) arrives as text and stays text, exact. A text cell is stored as
 * text, never as a formula, whatever it starts with.
 */
import ExcelJS from 'exceljs';
import type { QueryStream } from './backend.ts';
import { decimalScale } from './export-result.ts';

function cellValue(v: unknown, type: string): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^date$/i.test(type) && /^\d{4}-\d{2}-\d{2}$/.test(v))
    return new Date(`${v}T00:00:00Z`);
  // A number beyond 2^53 arrives as text: it stays text, exact.
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Writes the rows to `file`; returns how many. */
export async function exportXlsx(r: QueryStream, file: string): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: file,
    useSharedStrings: false,
    useStyles: true,
  });
  const sheet = workbook.addWorksheet('result');
  const formats = r.columns.map((c) => {
    const scale = decimalScale(c.type);
    if (scale !== null) return scale > 0 ? `0.${'0'.repeat(scale)}` : '0';
    return /^date$/i.test(c.type) ? 'yyyy-mm-dd' : undefined;
  });
  const header = sheet.addRow(r.columns.map((c) => c.name));
  header.font = { bold: true };
  header.commit();
  let rows = 0;
  for await (const batch of r.batches) {
    for (const values of batch) {
      const row = sheet.addRow(r.columns.map((c) => cellValue(values[c.name], c.type)));
      formats.forEach((numFmt, i) => {
        if (numFmt) row.getCell(i + 1).numFmt = numFmt;
      });
      row.commit();
    }
    rows += batch.length;
  }
  sheet.commit();
  await workbook.commit();
  return rows;
}
