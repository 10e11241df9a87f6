/**
 * Sheet names and the default sheet, from what exceljs's reader has read of the workbook part and its
 * relationships. exceljs names a sheet only when the relationship target is exactly
 * `worksheets/sheetN.xml`; absolute targets (`/xl/worksheets/sheetN.xml`) are resolved here too.
 */
import type { ReaderInternals, WorksheetReader } from './reader-internals.ts';

/** A relationship target as a path under xl/, whether it was written relative or absolute. */
function partOf(target: string): string {
  return target.replace(/^\//, '').replace(/^xl\//, '');
}

/** Sheet names in tab order, and the sheet converted by default: the first visible worksheet. */
export function workbookSheets(reader: ReaderInternals): { names: string[]; first: string | undefined } {
  const sheets = reader.model?.sheets ?? [];
  const rels = new Map((reader.workbookRels ?? []).map((r) => [r.Id, partOf(r.Target)]));
  const worksheets = sheets.filter((s) => /^worksheets\//.test(rels.get(s.rId) ?? ''));
  const visible = worksheets.filter((s) => s.state !== 'hidden' && s.state !== 'veryHidden');
  return { names: sheets.map((s) => s.name), first: (visible[0] ?? worksheets[0] ?? sheets[0])?.name };
}

/** The name of a worksheet the reader found, by its part, whatever the order of parts in the zip. */
export function sheetName(reader: ReaderInternals, ws: WorksheetReader): string {
  if (ws.partNumber === undefined) return ws.name;
  const part = `worksheets/sheet${ws.partNumber}.xml`;
  const rel = (reader.workbookRels ?? []).find((r) => partOf(r.Target) === part);
  const sheet = rel && (reader.model?.sheets ?? []).find((s) => s.rId === rel.Id);
  return sheet ? sheet.name : ws.name;
}
