/** JSON uploads, one object per line (jsonl) or one array of objects (json): their keys become the columns. */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeToUtf8 } from './decode.ts';
import { FileRejectedError } from './errors.ts';
import type { SourceInfo, SourceOptions } from './source.ts';
import { checkColumnCount, MAX_JSON_OBJECT_BYTES, MAX_LINE_BYTES } from './source-limits.ts';
import { createLineView, DriftFile, NO_NULL, scanText } from './source-text.ts';
import { ident, lit } from './sql.ts';

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

export async function createJsonLinesSource(
  conn: DuckDBConnection,
  opts: SourceOptions,
): Promise<SourceInfo> {
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

export async function createJsonArraySource(
  conn: DuckDBConnection,
  opts: SourceOptions,
): Promise<SourceInfo> {
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

function firstLine(s: string): string {
  return s.split('\n')[0];
}
