/** Spreadsheet uploads: the sheet becomes a working CSV whose first column is the sheet row number. */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { defineDayNumber } from './day-number.ts';
import { gunzipTo, hashFile, isGzip } from './decode.ts';
import { FileRejectedError } from './errors.ts';
import { findHeaderRows } from './header-rows.ts';
import type { SourceInfo, SourceOptions } from './source.ts';
import { createCsvViews, sourceRows } from './source-csv.ts';
import { checkColumnCount } from './source-limits.ts';
import { DriftFile, scanText } from './source-text.ts';

/** An .xlsx upload (gzipped or not): one sheet, converted to CSV, then read as a CSV upload is. */
export async function createXlsxSource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
  const gz = opts.contract.format.gzip === 'auto' ? await isGzip(opts.inputPath) : opts.contract.format.gzip;
  let workbook = opts.inputPath;
  let facts: { bytes: number; sha256: string };
  if (gz) {
    facts = await gunzipTo(opts.inputPath, join(opts.workDir, 'workbook.xlsx'), opts.maxDecompressedBytes);
    workbook = join(opts.workDir, 'workbook.xlsx');
  } else {
    facts = await hashFile(opts.inputPath);
  }
  const csvPath = join(opts.workDir, 'sheet.csv');
  // Loaded on demand: the spreadsheet reader is only needed for xlsx uploads.
  const { xlsxToCsv } = await import('./xlsx.ts');
  let sheet = { headerRow: 1, date1904: false };
  const conv = await xlsxToCsv(workbook, csvPath, {
    sheet: opts.contract.format.sheet,
    mergedCells: opts.contract.format.mergedCells,
    onSheet: (facts) => {
      sheet = facts;
    },
  });
  await defineDayNumber(conn, sheet.date1904);
  const drift = new DriftFile(join(opts.workDir, 'drift.csv'));
  // The working CSV is plain UTF-8 whatever the contract says of the upload's encoding and gzip.
  const csvContract = {
    ...opts.contract,
    format: { ...opts.contract.format, encoding: 'utf-8' as const, gzip: false },
  };
  const { scan } = await scanText({ ...opts, inputPath: csvPath, contract: csvContract }, 'csv', ',', drift);
  if (scan.headerText === null)
    throw new FileRejectedError(
      'empty',
      `sheet "${conv.sheet}" is empty: put the data on this sheet with the column names in the first row, or set format.sheet in the contract to the sheet that holds it`,
    );
  const header = findHeaderRows(csvPath, opts.contract, ',', sheet.headerRow);
  const columns = ['', ...header.columns];
  checkColumnCount(columns.length - 1, 'columns');
  const skipped = await createCsvViews(conn, {
    textPath: csvPath,
    delimiter: ',',
    columns,
    skip: scan.headerStartLine,
    driftPath: drift.path,
    driftCount: 0,
    headerEndLine: scan.headerEndLine,
    lineFromColumn: true,
    headerRecord: header.headerRecord,
    skipRows: opts.contract.format.skipRows,
  });
  return {
    bytes: facts.bytes,
    sha256: facts.sha256,
    compression: gz ? 'gzip' : null,
    encoding: null,
    format: 'xlsx',
    columns: columns.slice(1),
    records: scan.records - header.headerRecord - skipped.count,
    ...sourceRows(opts.contract, header, skipped),
    ...(conv.filledFromMerged ? { cells: { filledFromMerged: conv.filledFromMerged } } : {}),
  };
}
