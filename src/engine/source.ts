/**
 * Every input format becomes one DuckDB view, `src`: `__rn` (record number), `__line` (source line),
 * `__row_rule`/`__row_error` (a structural problem with the record, else NULL) and one VARCHAR column
 * per source column (`s0`, `s1`, ...), with `columns` naming them as the file's header does.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { type DecodeResult, decodeToUtf8, gunzipTo, hashFile, isGzip } from './decode.ts';
import { FileRejectedError } from './errors.ts';
import { detectDelimiter, LineScanner, type ScanResult, splitCsvRecord } from './line-scanner.ts';
import { ident, lit } from './sql.ts';

/** Longest CSV record DuckDB accepts (a 10 MB free-text field still fits). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** Largest JSON array element. */
export const MAX_JSON_OBJECT_BYTES = 16 * 1024 * 1024;
/**
 * Most source columns (or JSON keys) read from one file. DuckDB's CSV reader holds a vector per
 * column outside its memory limit: 2,000 columns stay within a few hundred MiB, 10,000 do not.
 */
export const MAX_COLUMNS = 2000;

function checkColumnCount(count: number, what: string): void {
  if (count <= MAX_COLUMNS) return;
  throw new FileRejectedError(
    'columns',
    `the file has ${count} ${what}, more than the ${MAX_COLUMNS} the lake reads from one file: remove the ${what} the contract does not name, or split the file into files of at most ${MAX_COLUMNS} ${what} that each keep the key columns`,
  );
}
/** A value no real file holds, so that empty fields read as '' and only padded fields as NULL. */
const NO_NULL = '\u0001\u0002\u0003';

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
}

export interface SourceOptions {
  inputPath: string;
  contract: DatasetContract;
  workDir: string;
  maxDecompressedBytes?: number;
}

class DriftFile {
  private fd: number;
  private buf: string[] = [];
  count = 0;
  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }
  add = (record: number, line: number): void => {
    this.buf.push(`${record},${line}\n`);
    this.count++;
    if (this.buf.length >= 4096) this.flush();
  };
  reset(): void {
    this.buf = [];
    this.count = 0;
    closeSync(this.fd);
    this.fd = openSync(this.path, 'w');
  }
  flush(): void {
    if (this.buf.length) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
  }
  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

async function scanText(
  opts: SourceOptions,
  mode: 'csv' | 'lines',
  delimiter: string | undefined,
  drift: DriftFile,
): Promise<{ decoded: DecodeResult; scan: ScanResult }> {
  let scanner = new LineScanner({ mode, delimiter, onDrift: drift.add });
  let fixed = delimiter !== undefined;
  const decoded = await decodeToUtf8({
    path: opts.inputPath,
    workPath: join(opts.workDir, 'decoded.txt'),
    declared: opts.contract.format.encoding,
    gzip: opts.contract.format.gzip,
    maxDecompressedBytes: opts.maxDecompressedBytes,
    consume: (chunk) => {
      scanner.write(chunk);
      if (!fixed && scanner.headerComplete) {
        fixed = true;
        // The header is known: from here on only the real delimiter opens a quoted field.
        const text = scanner.headerString();
        scanner.setDelimiter(detectDelimiter(text));
      }
    },
    restart: () => {
      drift.reset();
      scanner = new LineScanner({ mode, delimiter, onDrift: drift.add });
      fixed = delimiter !== undefined;
    },
    linesConsumed: () => scanner.currentLine,
  });
  drift.close();
  return { decoded, scan: scanner.end() };
}

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

async function createLineView(conn: DuckDBConnection, driftPath: string, driftCount: number, base: number) {
  if (driftCount === 0) return `(__rn + ${base})`;
  await conn.run(
    `CREATE TEMP TABLE __drift AS SELECT * FROM read_csv(${lit(driftPath)}, header = false, columns = {'rn': 'BIGINT', 'line': 'BIGINT'}, auto_detect = false)`,
  );
  return null;
}

/**
 * Read the input into the `src` view. Throws FileRejectedError when the file cannot be decoded or
 * parsed at all.
 */
export async function createSource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
  const fmt = opts.contract.format;
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

async function createCsvSource(
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
  const delimiter = declaredDelimiter ?? detectDelimiter(scan.headerText);
  const columns = splitCsvRecord(scan.headerText, delimiter).map((h) => h.trim());
  checkColumnCount(columns.length, 'columns');
  await createCsvViews(conn, {
    textPath: decoded.textPath,
    delimiter,
    columns,
    skip: scan.headerStartLine,
    driftPath: drift.path,
    driftCount: scan.driftEntries,
    headerEndLine: scan.headerEndLine,
    lineFromColumn: false,
  });
  return { ...info, columns, records: scan.records };
}

async function createCsvViews(
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
  },
): Promise<void> {
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
      `CREATE VIEW src AS SELECT __rn, CAST(s0 AS BIGINT) AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw`,
    );
    return;
  }
  const simple = await createLineView(conn, o.driftPath, o.driftCount, o.headerEndLine);
  if (simple) {
    await conn.run(
      `CREATE VIEW src AS SELECT __rn, ${simple} AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw`,
    );
  } else {
    await conn.run(
      `CREATE VIEW src AS SELECT raw.__rn, coalesce(d.line + (raw.__rn - d.rn), raw.__rn + ${o.headerEndLine}) AS __line, ${rowRule} AS __row_rule, ${rowError} AS __row_error, ${cols} FROM raw ASOF LEFT JOIN __drift d ON raw.__rn >= d.rn`,
    );
  }
}

const JSON_INVALID = 'not valid JSON: each record must be one complete JSON object, like {"name": "value"}';
const JSON_NOT_OBJECT =
  'a JSON value that is not an object: each record must be an object of named values, like {"name": "value"}';

function jsonPointer(key: string): string {
  return `/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

async function jsonKeys(conn: DuckDBConnection): Promise<string[]> {
  const r = await conn.runAndReadAll(
    `SELECT k FROM (SELECT __rn, unnest(json_keys(j)) AS k FROM raw WHERE __valid) GROUP BY k ORDER BY min(__rn), k`,
  );
  return r.getRows().map((row) => String(row[0]));
}

async function createJsonSourceView(conn: DuckDBConnection, lineExpr: string): Promise<string[]> {
  const keys = await jsonKeys(conn);
  checkColumnCount(keys.length, 'keys');
  const cols = keys
    .map(
      (k, i) =>
        `CASE WHEN __valid THEN json_extract_string(j, ${lit(jsonPointer(k))}) END AS ${ident(`s${i}`)}`,
    )
    .join(', ');
  await conn.run(
    `CREATE VIEW src AS SELECT __rn, ${lineExpr} AS __line,
       CASE WHEN NOT __valid THEN 'json' END AS __row_rule,
       CASE WHEN NOT __parsed THEN ${lit(JSON_INVALID)} WHEN NOT __valid THEN ${lit(JSON_NOT_OBJECT)} END AS __row_error
       ${cols ? `, ${cols}` : ''} FROM raw`,
  );
  return keys;
}

async function createJsonLinesSource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
  const drift = new DriftFile(join(opts.workDir, 'drift.csv'));
  const { decoded, scan } = await scanText(opts, 'lines', undefined, drift);
  if (scan.records === 0) {
    throw new FileRejectedError('empty', 'the file is empty: it has no JSON lines; upload the complete file');
  }
  // One JSON document per line: read each line whole (a raw control character never occurs in JSON text).
  // The delimiter must not occur in NO_NULL either: DuckDB refuses a delimiter inside the null string.
  const read = `read_csv(${lit(decoded.textPath)}, header = false, columns = {'j': 'VARCHAR'}, delim = ${lit('\u001f')}, quote = '', escape = '', nullstr = ${lit(NO_NULL)}, auto_detect = false, strict_mode = false, parallel = false, max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${MAX_LINE_BYTES})`;
  await conn.run(
    `CREATE VIEW raw0 AS SELECT row_number() OVER () AS __rn, j, json_valid(j) AS __parsed FROM ${read}`,
  );
  await conn.run(
    `CREATE VIEW raw AS SELECT *, __parsed AND coalesce(json_type(CASE WHEN __parsed THEN j END) = 'OBJECT', false) AS __valid FROM raw0`,
  );
  const lineExpr = await createLineView(conn, drift.path, scan.driftEntries, 0);
  let keys: string[];
  if (lineExpr) {
    keys = await createJsonSourceView(conn, lineExpr);
  } else {
    await conn.run('ALTER VIEW raw RENAME TO raw_nolines');
    await conn.run(
      `CREATE VIEW raw AS SELECT r.*, coalesce(d.line + (r.__rn - d.rn), r.__rn) AS __srcline FROM raw_nolines r ASOF LEFT JOIN __drift d ON r.__rn >= d.rn`,
    );
    keys = await createJsonSourceView(conn, '__srcline');
  }
  return {
    bytes: decoded.bytes,
    sha256: decoded.sha256,
    compression: decoded.compression,
    encoding: decoded.encoding,
    format: 'jsonl',
    columns: keys,
    records: scan.records,
  };
}

async function createJsonArraySource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
  const decoded = await decodeToUtf8({
    path: opts.inputPath,
    workPath: join(opts.workDir, 'decoded.json'),
    declared: opts.contract.format.encoding,
    gzip: opts.contract.format.gzip,
    maxDecompressedBytes: opts.maxDecompressedBytes,
    consume: () => {},
    restart: () => {},
    linesConsumed: () => 0,
  });
  if (decoded.textBytes === 0) {
    throw new FileRejectedError('empty', 'the file is empty: upload the complete JSON array');
  }
  await conn.run(
    `CREATE VIEW raw0 AS SELECT row_number() OVER () AS __rn, json AS j, true AS __parsed FROM read_json_objects(${lit(decoded.textPath)}, format = 'array', maximum_object_size = ${MAX_JSON_OBJECT_BYTES})`,
  );
  await conn.run(
    `CREATE VIEW raw AS SELECT *, coalesce(json_type(j) = 'OBJECT', false) AS __valid FROM raw0`,
  );
  let keys: string[];
  try {
    keys = await createJsonSourceView(conn, '__rn');
    await conn.run('SELECT count(*) FROM raw');
  } catch (e) {
    // Running out of memory or disk is the engine's failure, to be retried, not the file's.
    if (/^(Out of Memory|IO) Error/.test((e as Error).message)) throw e;
    throw new FileRejectedError(
      'format',
      // DuckDB names the file it read: a working copy in a temporary directory, of no use to the uploader.
      `the file is not a JSON array of objects (${firstLine((e as Error).message).replace(/ in file "[^"]*"/, '')}): upload an array like [{"a": 1}, ...], or declare format.type jsonl for one object per line`,
      { cause: e },
    );
  }
  return {
    bytes: decoded.bytes,
    sha256: decoded.sha256,
    compression: decoded.compression,
    encoding: decoded.encoding,
    format: 'json',
    columns: keys,
    records: null,
  };
}

async function createXlsxSource(conn: DuckDBConnection, opts: SourceOptions): Promise<SourceInfo> {
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
  const conv = await xlsxToCsv(workbook, csvPath, { sheet: opts.contract.format.sheet });
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
  const columns = splitCsvRecord(scan.headerText, ',').map((h) => h.trim());
  checkColumnCount(columns.length - 1, 'columns');
  await createCsvViews(conn, {
    textPath: csvPath,
    delimiter: ',',
    columns,
    skip: scan.headerStartLine,
    driftPath: drift.path,
    driftCount: 0,
    headerEndLine: scan.headerEndLine,
    lineFromColumn: true,
  });
  return {
    bytes: facts.bytes,
    sha256: facts.sha256,
    compression: gz ? 'gzip' : null,
    encoding: null,
    format: 'xlsx',
    columns: columns.slice(1),
    records: scan.records,
  };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
