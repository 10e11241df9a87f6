/**
 * Analysts' SQL over the local catalog: a read-only connection that sees the views, can read the curated
 * cache and no other file on the machine, and results as JSON-ready columns and rows.
 */
import { sep } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from '@duckdb/node-api';
import { lit } from '../engine/sql.ts';
import { openCatalog } from './catalog-db.ts';
import type { LakePaths } from './lake-dir.ts';

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
}

/** Raised for SQL the catalog cannot run (syntax, unknown table, a function that is not allowed...). */
export class QueryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueryError';
  }
}

/**
 * A read-only connection to the catalog, for analysts' SQL: it sees the views, can read the curated cache
 * and no other file, cannot attach databases, install extensions or change these settings.
 */
export class CatalogReader {
  private constructor(
    private readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(paths: LakePaths): Promise<CatalogReader> {
    const db = await openCatalog(paths.catalog, true);
    const conn = await db.connect();
    try {
      await readOnly(conn, paths.cache);
    } catch (e) {
      conn.closeSync();
      db.closeSync();
      throw e;
    }
    return new CatalogReader(db, conn);
  }

  /** A reader on a connection the caller has set up (views defined), restricted now to the files of `dir`. */
  static async restricted(db: DuckDBInstance, conn: DuckDBConnection, dir: string): Promise<CatalogReader> {
    try {
      await readOnly(conn, dir);
    } catch (e) {
      conn.closeSync();
      db.closeSync();
      throw e;
    }
    return new CatalogReader(db, conn);
  }

  /** Runs one SQL statement and returns its columns and rows (values JSON-ready). */
  async query(sql: string): Promise<QueryResult> {
    let result: DuckDBResultReader;
    try {
      result = await this.conn.runAndReadAll(sql);
    } catch (e) {
      throw new QueryError(cleanDuckDbMessage((e as Error).message), { cause: e });
    }
    return toQueryResult(result);
  }

  close(): void {
    this.conn.closeSync();
    this.db.closeSync();
  }
}

/**
 * Restricts a connection for analysts' SQL: it reads the files under `dir` and no other, cannot attach
 * databases, install or load extensions, nor change these settings.
 */
async function readOnly(conn: DuckDBConnection, dir: string): Promise<void> {
  const allowed = dir.endsWith(sep) ? dir : `${dir}${sep}`;
  await conn.run(`SET allowed_directories = [${lit(allowed)}]`);
  await conn.run('SET enable_external_access = false');
  await conn.run(`SET TimeZone = 'UTC'`);
  await conn.run('SET autoinstall_known_extensions = false');
  await conn.run('SET autoload_known_extensions = false');
  await conn.run('SET lock_configuration = true');
}

/** DuckDB's message without the paths of the cache (of no use to an analyst). */
function cleanDuckDbMessage(message: string): string {
  return message.replace(/"[^"]*\/(?:cache|quarantine-[^/"]+)\/([^"]*)"/g, '"$1"');
}

const INTEGER_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;

/** Column names made unique (a, a_2, a_3) so that every value has its own key in a row object. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    let name = count === 1 ? n : `${n}_${count}`;
    while (count > 1 && seen.has(name)) name = `${name}_`;
    if (count > 1) seen.set(name, 1);
    return name;
  });
}

export function toQueryResult(result: DuckDBResultReader): QueryResult {
  const names = uniqueNames(result.columnNames());
  const types = result.columnTypes().map((t) => t.toString());
  const numeric = types.map((t) => INTEGER_TYPES.test(t) || t.startsWith('DECIMAL'));
  const rows = result.getRowsJson().map((row) => {
    const obj: Record<string, unknown> = {};
    row.forEach((v, i) => {
      obj[names[i]] = numeric[i] && typeof v === 'string' ? toNumber(v) : v;
    });
    return obj;
  });
  return { columns: names.map((name, i) => ({ name, type: types[i] })), rows };
}

/** A number when it is exactly representable, else the string. */
function toNumber(s: string): number | string {
  const n = Number(s);
  if (!Number.isFinite(n)) return s;
  if (/^-?\d+$/.test(s) && !Number.isSafeInteger(n)) return s;
  return n;
}
