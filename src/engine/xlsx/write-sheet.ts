/**
 * One sheet's rows as CSV records. The first row with a non-blank cell is the header, prefixed with
 * `__line`; each later non-blank row is a record prefixed with its sheet row number. Completely blank
 * rows are skipped, short rows are padded to the header, and a row wider than the header keeps its
 * extra cells so that the engine's ragged-row check reports it.
 */
import type { CsvOut } from './csv-out.ts';
import type { SheetRow } from './sheet-rows.ts';

/** The number of the last column with a non-blank cell; 0 for a blank row. */
function widthOf(cells: readonly string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) {
    const text = cells[i];
    if (text !== undefined && text.trim() !== '') return i + 1;
  }
  return 0;
}

/** Writes one sheet's rows; returns the header's width and row, or null when the sheet has no non-blank row. */
export async function writeSheet(
  rows: AsyncIterable<SheetRow>,
  out: CsvOut,
): Promise<{ columns: number; rows: number; headerRow: number } | null> {
  let header: number | null = null;
  let headerRow = 0;
  let written = 0;
  for await (const row of rows) {
    const { cells } = row;
    const width = widthOf(cells);
    if (width === 0) continue;
    if (header === null) {
      header = width;
      headerRow = row.number;
      const names: string[] = ['__line'];
      for (let i = 0; i < width; i++) names.push((cells[i] ?? '').trim());
      await out.line(names);
      continue;
    }
    const fields: string[] = [String(row.number)];
    const n = Math.max(header, width);
    for (let i = 0; i < n; i++) fields.push(cells[i] ?? '');
    await out.line(fields);
    written++;
  }
  return header === null ? null : { columns: header, rows: written, headerRow };
}
