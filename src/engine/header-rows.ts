/**
 * Where the header of a delimited text (a CSV upload, or a sheet's working CSV) is: the rows named by
 * `format.headerRows`, or else the row found below the title rows (rows with one non-empty cell, such
 * as `贵州省2026年第三季度医疗机构统计表`, or rows above the row whose cells match the contract's field
 * names and header spellings best). Only the first rows of the text are read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { type DatasetContract, DEFAULT_HEADER_JOIN } from '../contracts/schema.ts';
import { FileRejectedError } from './errors.ts';
import { headerScore } from './header-match.ts';
import { DELIMITER_CANDIDATES, detectDelimiter, splitCsvRecord } from './line-scanner.ts';

/** Rows looked at for the header. */
export const HEADER_SEARCH_ROWS = 30;
/** Bytes of text looked at for them. */
const HEADER_SEARCH_BYTES = 1 << 20;

/** One of the first records: its line (a sheet's row number for a sheet) and its cells. */
interface LeadRecord {
  line: number;
  cells: string[];
}

export interface HeaderRows {
  /** The column names: the header row's cells, or several rows' cells joined. */
  columns: string[];
  /** The delimiter the header shows (the declared one when there is one). */
  delimiter: string;
  /** Records before the first data record, the header included (0-based record index of the last header row). */
  headerRecord: number;
  /** Lines (sheet rows) of the header. */
  lines: number[];
  /** Lines (sheet rows) above the header, left out as title rows. */
  skipped: number[];
}

/** The first records of the text, framed as DuckDB reads them: quoted line breaks kept, blank lines skipped. */
function leadRecords(textPath: string): { texts: string[]; lines: number[] } {
  const fd = openSync(textPath, 'r');
  const buf = Buffer.alloc(HEADER_SEARCH_BYTES);
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = buf
    .subarray(0, n)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const complete = n < buf.length;
  const texts: string[] = [];
  const lines: number[] = [];
  let line = 1;
  let start = 0;
  let startLine = 1;
  let quoted = false;
  for (let i = 0; i <= text.length && texts.length < HEADER_SEARCH_ROWS; i++) {
    const end = i === text.length;
    if (end && !complete) break;
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (c === '\n' || end) {
      if (!quoted || end) {
        const record = text.slice(start, i).replace(/\r$/, '');
        if (record !== '') {
          texts.push(record);
          lines.push(startLine);
        }
        start = i + 1;
        startLine = line + 1;
      }
      line++;
    }
  }
  return { texts, lines };
}

/** The delimiter of the first record that has one (a title row above the header has none). */
function shownDelimiter(texts: string[]): string {
  const first = texts.find((t) => DELIMITER_CANDIDATES.some((d) => splitCsvRecord(t, d).length > 1));
  return detectDelimiter(first ?? texts[0] ?? '');
}

const nonEmpty = (cells: string[]) => cells.filter((c) => c.trim() !== '').length;

/** The header's record index, found: the best-matching row, else the first row below one-cell title rows. */
function foundHeader(contract: DatasetContract, records: LeadRecord[]): number {
  const scores = records.map((r) => headerScore(contract, r.cells));
  let best = 0;
  scores.forEach((s, i) => {
    // A later row is the header when it matches better, and mostly of field names (not a data row).
    if (s > scores[best] && s * 2 >= nonEmpty(records[i].cells)) best = i;
  });
  if (best > 0 || scores[0] > 0) return best;
  const wide = records.findIndex((r) => nonEmpty(r.cells) >= 2);
  return Math.max(wide, 0);
}

/**
 * The header of the text at `textPath`. For a sheet's working CSV, `firstRow` is the sheet row of its
 * first record, and the first column holds each later record's row; null for other text.
 */
export function findHeaderRows(
  textPath: string,
  contract: DatasetContract,
  declaredDelimiter: string | undefined,
  firstRow: number | null,
): HeaderRows {
  const lead = leadRecords(textPath);
  const delimiter = declaredDelimiter ?? shownDelimiter(lead.texts);
  const records: LeadRecord[] = lead.texts.map((t, i) => {
    const cells = splitCsvRecord(t, delimiter).map((h) => h.trim());
    if (firstRow === null) return { line: lead.lines[i], cells };
    return { line: i === 0 ? firstRow : Number(cells[0]), cells: cells.slice(1) };
  });
  const wanted = contract.format.headerRows;
  const headerIdx = wanted
    ? wanted.map((row) => {
        const i = records.findIndex((r) => r.line === row);
        if (i < 0)
          throw new FileRejectedError(
            'header',
            `format.headerRows names row ${row}, which is blank or not among the first ${HEADER_SEARCH_ROWS} rows of the file: name the rows that hold the column names`,
          );
        return i;
      })
    : [foundHeader(contract, records)];
  const last = Math.max(...headerIdx);
  const width = Math.max(...headerIdx.map((i) => records[i].cells.length));
  const join = contract.format.headerJoin ?? DEFAULT_HEADER_JOIN;
  // A header cell merged down several header rows (filled from its range) is named once.
  const columns = Array.from({ length: width }, (_, c) =>
    headerIdx
      .map((i) => records[i].cells[c] ?? '')
      .filter((cell, k, cells) => cell !== '' && cell !== cells[k - 1])
      .join(join),
  );
  const isHeader = new Set(headerIdx);
  return {
    columns,
    delimiter,
    headerRecord: last,
    lines: headerIdx.map((i) => records[i].line),
    skipped: records.slice(0, last).flatMap((r, i) => (isHeader.has(i) ? [] : [r.line])),
  };
}
