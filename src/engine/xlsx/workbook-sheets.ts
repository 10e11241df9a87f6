/**
 * The workbook's sheets, from the workbook part and its relationships: their names in tab order, the
 * sheet converted by default (the first visible worksheet) and the part that holds a sheet's cells.
 */
import type { Relationship } from './relationships-part.ts';
import type { WorkbookPart } from './workbook-part.ts';

export interface WorkbookSheets {
  /** All sheet names, in tab order. */
  names: string[];
  /** The first visible worksheet, else the first worksheet, else the first sheet. */
  first: string | undefined;
  /** The worksheet part of sheet `name`; null for a chart sheet or any sheet that is not a worksheet. */
  worksheetPart(name: string): string | null;
}

export function workbookSheets(book: WorkbookPart, rels: readonly Relationship[]): WorkbookSheets {
  const byId = new Map(rels.map((r) => [r.id, r]));
  const partOf = (rId: string): string | null => {
    const rel = byId.get(rId);
    return rel?.kind === 'worksheet' ? rel.part : null;
  };
  const worksheets = book.sheets.filter((s) => partOf(s.rId) !== null);
  const visible = worksheets.filter((s) => !s.hidden);
  return {
    names: book.sheets.map((s) => s.name),
    first: (visible[0] ?? worksheets[0] ?? book.sheets[0])?.name,
    worksheetPart(name) {
      const sheet = book.sheets.find((s) => s.name === name);
      return sheet ? partOf(sheet.rId) : null;
    },
  };
}
