/**
 * Analysts' SQL over the local catalog: a read-only connection that sees the views, can read the curated
 * cache and no other file on the machine (but an export's private directory), and results as JSON-ready
 * columns and rows.
 */
import { sep } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBResultReader } from '@duckdb/node-api';
import { lit } from '../engine/sql.ts';
import { openCatalog } from './catalog-db.ts';
import type { LakePaths } from './lake-dir.ts';
import { type ExportRows, exportRows } from './result-export.ts';
import { rowConverter, uniqueNames } from './result-rows.ts';

export interface QueryColumn {
  name: string;
  type: string;
}

export interface QueryResult {
  columns: QueryColumn[];
  rows: Record<string, unknown>[];
}

/** A result read as it comes: the columns, then the rows a chunk at a time (values as in QueryResult). */
export interface QueryRowStream {
  columns: QueryColumn[];
  batches: AsyncIterable<Record<string, unknown>[]>;
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
    /** The private directory an export's result is written to (stream()), when the reader has one. */
    readonly exportDir?: string,
  ) {}

  /** Opens the catalog for reading; with `exportDir`, the connection may also write there (stream()). */
  static async open(paths: LakePaths, opts: { exportDir?: string } = {}): Promise<CatalogReader> {
    const db = await openCatalog(paths.catalog, true);
    const conn = await db.connect();
    try {
      await readOnly(conn, [paths.cache, ...(opts.exportDir ? [opts.exportDir] : [])]);
    } catch (e) {
      conn.closeSync();
      db.closeSync();
      throw e;
    }
    return new CatalogReader(db, conn, opts.exportDir);
  }

  /** A reader on a connection the caller has set up (views defined), restricted now to the files of `dir`. */
  static async restricted(db: DuckDBInstance, conn: DuckDBConnection, dir: string): Promise<CatalogReader> {
    try {
      await readOnly(conn, [dir]);
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

  /**
   * Runs one SELECT for an export and returns its columns, and its rows a chunk at a time (result-export.ts):
   * a reader opened with an `exportDir` only.
   */
  async stream(sql: string): Promise<QueryRowStream> {
    const dir = this.exportDir;
    if (!dir) throw new Error('CatalogReader.stream needs a reader opened with an exportDir');
    let opened: ExportRows;
    try {
      opened = await exportRows(this.conn, sql, dir);
    } catch (e) {
      throw new QueryError(cleanDuckDbMessage((e as Error).message), { cause: e });
    }
    async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
      try {
        yield* opened.batches;
      } catch (e) {
        throw new QueryError(cleanDuckDbMessage((e as Error).message), { cause: e });
      }
    }
    return { columns: opened.columns, batches: batches() };
  }

  close(): void {
    this.conn.closeSync();
    this.db.closeSync();
  }
}

/**
 * Restricts a connection for analysts' SQL: it reaches the files under `dirs` and no other, cannot attach
 * databases, install or load extensions, nor change these settings.
 */
async function readOnly(conn: DuckDBConnection, dirs: readonly string[]): Promise<void> {
  const allowed = dirs.map((dir) => lit(dir.endsWith(sep) ? dir : `${dir}${sep}`));
  await conn.run(`SET allowed_directories = [${allowed.join(', ')}]`);
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

export function toQueryResult(result: DuckDBResultReader): QueryResult {
  const names = uniqueNames(result.columnNames());
  const types = result.columnTypes().map((t) => t.toString());
  const rows = result.getRowsJson().map(rowConverter(names, types));
  return { columns: names.map((name, i) => ({ name, type: types[i] })), rows };
}
