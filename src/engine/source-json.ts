/**
 * JSON uploads, one object per line (jsonl) or one array of objects (json), or an array inside a wrapped
 * document (format.property): their keys become the columns, in file order, and so do the keys inside
 * nested objects, by dot path (`contact.phone`), which a field maps with `path`.
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { decodeToUtf8 } from './decode.ts';
import { FileRejectedError } from './errors.ts';
import { checkProperty, dotPath, jsonPointer, pathKeys } from './json-path.ts';
import type { SourceInfo, SourceOptions } from './source.ts';
import { checkColumnCount, MAX_JSON_OBJECT_BYTES, MAX_LINE_BYTES } from './source-limits.ts';
import { createLineView, DriftFile, NO_NULL, scanText } from './source-text.ts';
import { ident, lit } from './sql.ts';

const JSON_INVALID = 'not valid JSON: each record must be one complete JSON object, like {"name": "value"}';
const JSON_NOT_OBJECT =
  'a JSON value that is not an object: each record must be an object of named values, like {"name": "value"}';

/** A column of a JSON source: a top-level key, or a key inside nested objects named by its dot path. */
interface JsonColumn {
  name: string;
  pointer: string;
  nested: boolean;
}

/**
 * The columns of the records in `raw`, in file order (the order keys first appear): each top-level key
 * (a nested object's column holds its JSON text), and each key inside nested objects, by its dot path
 * (`contact.phone`). Arrays are not entered. The records' merged structure is read in one pass.
 */
async function jsonColumns(conn: DuckDBConnection): Promise<JsonColumn[]> {
  const r = await conn.runAndReadAll(
    `SELECT t.id, t.parent, t.key, t.type FROM (SELECT json_group_structure(CAST(j AS JSON)) AS s FROM raw WHERE __valid) g, json_tree(g.s) t WHERE g.s IS NOT NULL ORDER BY t.id`,
  );
  const keysOf = new Map<string, string[]>();
  const objects = new Set<string>();
  const columns: JsonColumn[] = [];
  for (const [id, parent, key, type] of r
    .getRows()
    .map((row) => row.map((x) => (x === null ? null : String(x))))) {
    if (id === null) continue;
    if (parent === null) {
      if (type === 'OBJECT') objects.add(id);
      keysOf.set(id, []);
      continue;
    }
    // Only keys of objects (not inside arrays) are columns.
    if (!objects.has(parent) || key === null) continue;
    const keys = [...(keysOf.get(parent) ?? []), key];
    keysOf.set(id, keys);
    if (type === 'OBJECT') objects.add(id);
    const nested = keys.length > 1;
    if (!nested || type !== 'OBJECT')
      columns.push({ name: dotPath(keys), pointer: jsonPointer(keys), nested });
  }
  return columns;
}

async function createJsonSourceView(
  conn: DuckDBConnection,
  lineExpr: string,
): Promise<{ keys: string[]; nested: number[] }> {
  const columns = await jsonColumns(conn);
  checkColumnCount(columns.length, 'keys');
  const cols = columns
    .map(
      (c, i) => `CASE WHEN __valid THEN json_extract_string(j, ${lit(c.pointer)}) END AS ${ident(`s${i}`)}`,
    )
    .join(', ');
  await conn.run(
    `CREATE VIEW src AS SELECT __rn, ${lineExpr} AS __line,
       CASE WHEN NOT __valid THEN 'json' END AS __row_rule,
       CASE WHEN NOT __parsed THEN ${lit(JSON_INVALID)} WHEN NOT __valid THEN ${lit(JSON_NOT_OBJECT)} END AS __row_error
       ${cols ? `, ${cols}` : ''} FROM raw`,
  );
  return {
    keys: columns.map((c) => c.name),
    nested: columns.flatMap((c, i) => (c.nested ? [i] : [])),
  };
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
  let keys: { keys: string[]; nested: number[] };
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
    columns: keys.keys,
    records: scan.records,
    ...(keys.nested.length > 0 ? { nested: keys.nested } : {}),
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
  const { property } = opts.contract.format;
  let keys: { keys: string[]; nested: number[] };
  try {
    if (property === undefined) {
      await conn.run(
        `CREATE VIEW raw0 AS SELECT row_number() OVER () AS __rn, json AS j, true AS __parsed FROM read_json_objects(${lit(decoded.textPath)}, format = 'array', maximum_object_size = ${MAX_JSON_OBJECT_BYTES})`,
      );
    } else {
      // A wrapped document ({"code": 0, "data": {"list": [...]}}): read whole, its records unnested.
      await conn.run(
        `CREATE TABLE doc AS SELECT json AS j FROM read_json_objects(${lit(decoded.textPath)}, format = 'unstructured', maximum_object_size = ${MAX_JSON_OBJECT_BYTES}) LIMIT 1`,
      );
      await checkProperty(conn, 'doc', property);
      await conn.run(
        `CREATE VIEW raw0 AS SELECT row_number() OVER () AS __rn, e AS j, true AS __parsed FROM (SELECT unnest(CAST(json_extract(j, ${lit(jsonPointer(pathKeys(property)))}) AS JSON[])) AS e FROM doc)`,
      );
    }
    await conn.run(
      `CREATE VIEW raw AS SELECT *, coalesce(json_type(j) = 'OBJECT', false) AS __valid FROM raw0`,
    );
    keys = await createJsonSourceView(conn, '__rn');
    await conn.run('SELECT count(*) FROM raw');
  } catch (e) {
    if (e instanceof FileRejectedError) throw e;
    // Running out of memory or disk is the engine's failure, to be retried, not the file's.
    if (/^(Out of Memory|IO) Error/.test((e as Error).message)) throw e;
    const wrapped = property === undefined ? '' : ` holding the records at "${property}"`;
    throw new FileRejectedError(
      'format',
      // DuckDB names the file it read: a working copy in a temporary directory, of no use to the uploader.
      property === undefined
        ? `the file is not a JSON array of objects (${detail(e)}): upload an array like [{"a": 1}, ...], or declare format.type jsonl for one object per line (or format.property, the path of the array inside a wrapped document)`
        : `the file is not a JSON document${wrapped} (${detail(e)}): upload the complete document, at most ${MAX_JSON_OBJECT_BYTES / 1024 / 1024} MiB`,
      { cause: e },
    );
  }
  return {
    bytes: decoded.bytes,
    sha256: decoded.sha256,
    compression: decoded.compression,
    encoding: decoded.encoding,
    format: 'json',
    columns: keys.keys,
    records: null,
    ...(keys.nested.length > 0 ? { nested: keys.nested } : {}),
  };
}

/** DuckDB's reason, without the working copy's path it names (of no use to the uploader). */
function detail(e: unknown): string {
  return (e as Error).message.split('\n')[0].replace(/ in file "[^"]*"/, '');
}
