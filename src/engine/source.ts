/**
 * Every input format becomes one DuckDB view, `src`: `__rn` (record number), `__line` (source line),
 * `__row_rule`/`__row_error` (a structural problem with the record, else NULL) and one VARCHAR column
 * per source column (`s0`, `s1`, ...), with `columns` naming them as the file's header does.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { defineDayNumber } from './day-number.ts';
import { createCsvSource } from './source-csv.ts';
import { createJsonArraySource, createJsonLinesSource } from './source-json.ts';
import { createXlsxSource } from './source-xlsx.ts';

export interface SourceInfo {
  bytes: number;
  sha256: string;
  compression: 'gzip' | null;
  encoding: string | null;
  format: string;
  /** Source column names, as in the file, in order (index i is column `s{i}`). */
  columns: string[];
  /** Records as counted while reading, when known; the engine skips its quarantine pass when all are accepted. */
  records: number | null;
  /** Where the header was (csv/tsv/xlsx), when rows above it were left out or the contract named its rows. */
  header?: { rows: number[]; skipped: number[] };
  /** Rows format.skipRows left out (csv/tsv/xlsx), when there were any: their count and first lines. */
  skipped?: { count: number; lines: number[] };
  /** Cells of merged ranges given their range's value (xlsx, format.mergedCells fill), when there were any. */
  cells?: { filledFromMerged: number };
  /**
   * Columns read from inside nested JSON objects (their index in `columns`, named by dot path): when no
   * field maps one, every value of it is still searched for personal data.
   */
  nested?: number[];
}

export interface SourceOptions {
  inputPath: string;
  contract: DatasetContract;
  workDir: string;
  maxDecompressedBytes?: number;
}

/**
 * Read the input into the `src` view. Throws FileRejectedError when the file cannot be decoded or
 * parsed at all.
 */
export async function createSource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
  const fmt = opts.contract.format;
  // Day numbers are dates only in a workbook, in its date system (the xlsx source says which).
  if (fmt.type !== 'xlsx') await defineDayNumber(conn, null);
  switch (fmt.type) {
    case 'csv':
    case 'tsv':
      return createCsvSource(conn, opts, fmt.delimiter ?? (fmt.type === 'tsv' ? '\t' : undefined));
    case 'jsonl':
      return createJsonLinesSource(conn, opts);
    case 'json':
      return createJsonArraySource(conn, opts);
    case 'xlsx':
      return createXlsxSource(conn, opts);
  }
}
