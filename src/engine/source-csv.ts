/** CSV and TSV uploads (and the working CSV of a sheet): the `src` view over DuckDB's CSV reader. */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { FileRejectedError } from './errors.ts';
import { findHeaderRows, type HeaderRows } from './header-rows.ts';
import type { SourceInfo, SourceOptions } from './source.ts';
import { checkColumnCount, MAX_LINE_BYTES } from './source-limits.ts';
import { createLineView, DriftFile, NO_NULL, scanText } from './source-text.ts';
import { ident, lit } from './sql.ts';

function csvOptions(delimiter: string, skip: number, columns: string[]): string {
  const cols = columns.map((c) => `${lit(c)}: 'VARCHAR'`).join(', ');
  return [
    'header = false',
    `skip = ${skip}`,
    `columns = {${cols}}`,
    `delim = ${lit(delimiter)}`,
    `quote = '"'`,
    `escape = '"'`,
    'null_padding = true',
    'parallel = false',
    'strict_mode = false',
    `nullstr = ${lit(NO_NULL)}`,
    'auto_detect = false',
    `max_line_size = ${MAX_LINE_BYTES}`,
    `buffer_size = ${MAX_LINE_BYTES}`,
  ].join(', ');
}

/** A CSV or TSV upload: its delimiter is the declared one, else the one the header shows. */
export async function createCsvSource(
  conn: DuckDBConnection,
  opts: SourceOptions,
  declaredDelimiter: string | undefined,
): Promise<SourceInfo> {
  const drift = new DriftFile(join(opts.workDir, 'drift.csv'));
  const { decoded, scan } = await scanText(opts, 'csv', declaredDelimiter, drift);
  const info = {
    bytes: decoded.bytes,
    sha256: decoded.sha256,
    compression: decoded.compression,
    encoding: decoded.encoding,
    format: opts.contract.format.type,
  };
  if (scan.headerText === null) {
    throw new FileRejectedError(
      'empty',
      'the file is empty: it has no header and no rows; upload the complete file',
    );
  }
  if (scan.unterminatedQuote) {
    // DuckDB would read everything after the quote as one value of one record.
    const line = scan.unterminatedQuoteLine ?? undefined;
    throw new FileRejectedError(
      'quote',
      `line ${line}: a quoted value starts here and its closing quote is missing, so the rest of the file would be read as one value: close the quote (a quote inside a quoted value is written twice: ""), or upload the complete file if it was cut off`,
      { line },
    );
  }
  const header = findHeaderRows(decoded.textPath, opts.contract, declaredDelimiter, null);
  const { columns, delimiter } = header;
  checkColumnCount(columns.length, 'columns');
  const skipped = await createCsvViews(conn, {
    textPath: decoded.textPath,
    delimiter,
    columns,
    skip: scan.headerStartLine,
    driftPath: drift.path,
    driftCount: scan.driftEntries,
    headerEndLine: scan.headerEndLine,
    lineFromColumn: false,
    headerRecord: header.headerRecord,
    skipRows: opts.contract.format.skipRows,
  });
  return {
    ...info,
    columns,
    records: scan.records - header.headerRecord - skipped.count,
    ...sourceRows(opts.contract, header, skipped),
  };
}

/** The header and skipped rows a source tells the report about: only when rows were left out or named. */
export function sourceRows(
  contract: DatasetContract,
  header: HeaderRows,
  skipped: SkippedRows,
): Pick<SourceInfo, 'header' | 'skipped'> {
  const named = contract.format.headerRows !== undefined || header.skipped.length > 0;
  return {
    ...(named ? { header: { rows: header.lines, skipped: header.skipped } } : {}),
    ...(skipped.count > 0 ? { skipped } : {}),
  };
}

/** Rows left out by format.skipRows: how many, and the lines of the first of them. */
export interface SkippedRows {
  count: number;
  lines: number[];
}

/** Lines of skipped rows the report lists. */
export const MAX_SKIPPED_LINES = 100;

/**
 * The `raw` and `src` views over a CSV file. With lineFromColumn, its first column holds each
 * record's line (a sheet's row number); else lines come from the drift entries.
 */
export async function createCsvViews(
  conn: DuckDBConnection,
  o: {
    textPath: string;
    delimiter: string;
    columns: string[];
    skip: number;
    driftPath: string;
    driftCount: number;
    headerEndLine: number;
    lineFromColumn: boolean;
    /** Records after the first one that belong above the data (title and header rows). */
    headerRecord: number;
    skipRows: readonly string[] | undefined;
  },
): Promise<SkippedRows> {
  const n = o.columns.length;
  const names = o.columns.map((_, i) => `s${i}`);
  const readNames = [...names, '__extra'];
  await conn.run(
    `CREATE VIEW raw AS SELECT row_number() OVER () AS __rn, * FROM read_csv(${lit(o.textPath)}, ${csvOptions(o.delimiter, o.skip, readNames)})`,
  );
  const dataNames = o.lineFromColumn ? names.slice(1) : names;
  const rowRule = `CASE WHEN ${ident(names[n - 1])} IS NULL OR __extra IS NOT NULL THEN 'ragged' END`;
  const expected = `expected ${n - (o.lineFromColumn ? 1 : 0)} columns as in the header`;
  const delim = o.delimiter === '\t' ? 'tab' : `"${o.delimiter}"`;
  const fewer = `${expected}, found fewer: add the missing values (an empty value still needs its ${delim} delimiter)`;
  // A sheet row (xlsx) wider than its header has cells beyond the last named column.
  const more = o.lineFromColumn
    ? `${expected}, found more: give the extra cells a header, or clear them`
    : `${expected}, found more: quote the values that contain a ${delim}, or remove the extra values`;
  const rowError = `CASE WHEN ${ident(names[n - 1])} IS NULL THEN ${lit(fewer)} WHEN __extra IS NOT NULL THEN ${lit(more)} END`;
  const cols = dataNames.map((c, i) => `${ident(c)} AS ${ident(`s${i}`)}`).join(', ');
  if (o.lineFromColumn) {
    await conn.run(
      `CREATE VIEW src_all AS SELECT __rn, CAST(s0 AS BIGINT) AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw`,
    );
    return filterRows(conn, dataNames.length, o.headerRecord, o.skipRows);
  }
  const simple = await createLineView(conn, o.driftPath, o.driftCount, o.headerEndLine);
  if (simple) {
    await conn.run(
      `CREATE VIEW src_all AS SELECT __rn, ${simple} AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw`,
    );
  } else {
    await conn.run(
      `CREATE VIEW src_all AS SELECT raw.__rn, coalesce(d.line + (raw.__rn - d.rn), raw.__rn + ${o.headerEndLine}) AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw ASOF LEFT JOIN __drift d ON raw.__rn >= d.rn`,
    );
  }
  return filterRows(conn, n, o.headerRecord, o.skipRows);
}

/**
 * The `src` view: the records of `src_all` below the header, without the rows format.skipRows leaves out
 * (those whose first non-empty cell matches one of its patterns), which are counted.
 */
async function filterRows(
  conn: DuckDBConnection,
  width: number,
  headerRecord: number,
  skipRows: readonly string[] | undefined,
): Promise<SkippedRows> {
  const below = `__rn > ${headerRecord}`;
  if (!skipRows?.length) {
    await conn.run(`CREATE VIEW src AS SELECT * FROM src_all WHERE ${below}`);
    return { count: 0, lines: [] };
  }
  const cells = Array.from({ length: width }, (_, i) => `nullif(trim(${ident(`s${i}`)}), '')`);
  const first = width > 1 ? `coalesce(${cells.join(', ')})` : cells[0];
  const skip = `coalesce(${skipRows.map((p) => `regexp_matches(${first}, ${lit(p)})`).join(' OR ')}, false)`;
  await conn.run(`CREATE VIEW src AS SELECT * FROM src_all WHERE ${below} AND NOT ${skip}`);
  const r = await conn.runAndReadAll(
    `SELECT count(*), coalesce(list(__line ORDER BY __line)[1:${MAX_SKIPPED_LINES}], []) FROM src_all WHERE ${below} AND ${skip}`,
  );
  const [count, lines] = r.getRowsJS()[0] as [bigint, bigint[]];
  return { count: Number(count), lines: lines.map(Number) };
}
