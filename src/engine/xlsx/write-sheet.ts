/**
 * One sheet's rows as CSV records. The first row with a non-blank cell is the header, prefixed with
 * `__line`; each later non-blank row is a record prefixed with its sheet row number. Completely blank
 * rows are skipped, short rows are padded to the header, and a row wider than the header keeps its
 * extra cells so that the engine's ragged-row check reports it.
 */
import type { CellConverter } from './cell-converter.ts';
import type { CsvOut } from './csv-out.ts';
import type { WorksheetReader } from './reader-internals.ts';

/** Writes one sheet's rows; returns the header width, or null when the sheet has no non-blank row. */
export async function writeSheet(
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
