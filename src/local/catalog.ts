/**
 * The local catalog: DuckDB in the part Glue and Athena play in AWS. `catalog.duckdb` holds one schema per
 * department and one view per dataset, `<department>.<dataset>`, with the columns and types of the dataset's
 * Glue table (the same function computes both) over local copies of the curated Parquet:
 *
 * - `replace` datasets read the files the current-upload manifest lists: the latest accepted upload only;
 * - `append` datasets read every upload, and have the `ingest_date` partition column, as in Athena.
 *
 * Bytes move with the S3 API (the local endpoint), DuckDB reads local files: syncCatalog copies what the
 * manifests and listings name into the cache, drops what they no longer name, and redefines the views.
 * Queries run on a read-only connection that can read the curated cache and nothing else on the machine.
 */
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type DuckDBConnection, DuckDBInstance, type DuckDBResultReader } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { readCurrentManifest } from '../ingest/current-manifest.ts';
import { downloadToFile, listObjects } from '../ingest/s3-objects.ts';
import type { LakeBuckets } from '../ingest/types.ts';
import { glueColumns, INGEST_DATE_COLUMN, tableDescription } from '../lake/glue-columns.ts';
import { curatedPrefix, type DatasetRef } from '../lake/layout.ts';
import type { LakePaths } from './lake-dir.ts';

/** DuckDB type of each Glue column type the catalog uses. */
export const DUCKDB_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  double: 'DOUBLE',
  bigint: 'BIGINT',
  int: 'INTEGER',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
};

/** How long a command waits for another process to release catalog.duckdb. */
export const CATALOG_LOCK_WAIT_MS = 30_000;

export interface CatalogColumn {
  name: string;
  /** The Glue (Hive) type, as Athena shows it. */
  type: string;
  comment?: string;
  /** True for the partition column. */
  partition?: boolean;
}

/** The columns of a dataset's table: the Glue table's columns, then `ingest_date` for append datasets. */
export function catalogColumns(contract: DatasetContract): CatalogColumn[] {
  const columns: CatalogColumn[] = glueColumns(contract).map((c) => ({ ...c }));
  if (contract.mode === 'append') {
    columns.push({
      name: INGEST_DATE_COLUMN,
      type: 'string',
      comment: 'Day the upload was ingested (UTC), YYYY-MM-DD.',
      partition: true,
    });
  }
  return columns;
}

/** The curated keys a dataset's table reads now. */
export async function currentKeys(
  s3: S3Client,
  buckets: LakeBuckets,
  contract: DatasetContract,
): Promise<string[]> {
  const ref = refOf(contract);
  if (contract.mode === 'replace') {
    const manifest = await readCurrentManifest(s3, buckets.curated, ref);
    if (!manifest) return [];
    const prefix = `s3://${buckets.curated}/`;
    return manifest.uris.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length));
  }
  const keys: string[] = [];
  for await (const o of listObjects(s3, buckets.curated, curatedPrefix(ref))) {
    if (o.Key?.endsWith('.parquet') && !o.Key.includes('/_')) keys.push(o.Key);
  }
  return keys.sort();
}

function refOf(contract: DatasetContract): DatasetRef {
  return { department: contract.department, dataset: contract.name };
}

const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The view's SELECT over `files` (local Parquet paths), given the columns the files actually have. */
export function viewSql(
  contract: DatasetContract,
  files: readonly string[],
  present: ReadonlySet<string>,
): string {
  const columns = catalogColumns(contract);
  const typed = (c: CatalogColumn, expr: string) => `CAST(${expr} AS ${DUCKDB_TYPES[c.type] ?? 'VARCHAR'})`;
  if (files.length === 0) {
    return `SELECT ${columns.map((c) => `${typed(c, 'NULL')} AS ${ident(c.name)}`).join(', ')} WHERE false`;
  }
  const select = columns.map((c) => {
    if (c.partition) return `regexp_extract(filename, '/${c.name}=([^/]+)/', 1) AS ${ident(c.name)}`;
    if (!present.has(c.name)) return `${typed(c, 'NULL')} AS ${ident(c.name)}`;
    // Parquet keeps the ingestion time with its zone; the Glue column is a timestamp in UTC.
    if (c.name === '_ingested_at')
      return `${typed(c, `${ident(c.name)} AT TIME ZONE 'UTC'`)} AS ${ident(c.name)}`;
    return `${typed(c, ident(c.name))} AS ${ident(c.name)}`;
  });
  return `SELECT ${select.join(', ')} FROM ${readParquet(files)}`;
}

function readParquet(files: readonly string[]): string {
  return `read_parquet([${files.map(lit).join(', ')}], union_by_name = true, hive_partitioning = false, filename = true)`;
}

function isLockError(e: unknown): boolean {
  return /Could not set lock|Conflicting lock|database is locked/i.test((e as Error)?.message ?? '');
}

/** Opens catalog.duckdb, waiting while another process holds it. */
async function openDatabase(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  const deadline = Date.now() + CATALOG_LOCK_WAIT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await DuckDBInstance.create(path, {
        access_mode: readOnly ? 'READ_ONLY' : 'READ_WRITE',
        threads: '2',
      });
    } catch (e) {
      if (!isLockError(e) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

export interface SyncOptions {
  s3: S3Client;
  buckets: LakeBuckets;
  contracts: ReadonlyMap<string, DatasetContract>;
  paths: LakePaths;
}

/** Per dataset, the curated files the view reads. */
export type CatalogFiles = Map<string, string[]>;

/**
 * Brings the cache and the catalog up to date with the lake: copies the curated files each dataset's table
 * reads, removes cached files no table reads any more, and redefines every view (and drops views of
 * datasets without a contract).
 */
export async function syncCatalog(opts: SyncOptions): Promise<CatalogFiles> {
  const { s3, buckets, contracts, paths } = opts;
  const files: CatalogFiles = new Map();
  const wanted = new Set<string>();
  for (const [key, contract] of contracts) {
    const keys = await currentKeys(s3, buckets, contract);
    const local: string[] = [];
    for (const k of keys) {
      const path = join(paths.cache, ...k.split('/'));
      wanted.add(path);
      local.push(path);
      if (await exists(path)) continue;
      await mkdir(dirname(path), { recursive: true });
      const part = `${path}.part`;
      await downloadToFile(s3, { Bucket: buckets.curated, Key: k }, part);
      await rename(part, path);
    }
    files.set(key, local);
  }
  await pruneCache(paths.cache, wanted);

  await mkdir(paths.root, { recursive: true });
  const db = await openDatabase(paths.catalog, false);
  const conn = await db.connect();
  try {
    await conn.run('BEGIN TRANSACTION');
    const existing = await conn.runAndReadAll(
      `SELECT schema_name, view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()`,
    );
    for (const [schema, view] of existing.getRows()) {
      if (!contracts.has(`${schema}/${view}`))
        await conn.run(`DROP VIEW ${ident(String(schema))}.${ident(String(view))}`);
    }
    for (const [key, contract] of contracts) {
      await defineView(conn, contract, files.get(key) ?? []);
    }
    const schemas = await conn.runAndReadAll(
      `SELECT schema_name FROM duckdb_schemas() WHERE NOT internal AND database_name = current_database() AND schema_name <> 'main'`,
    );
    const departments = new Set([...contracts.values()].map((c) => c.department));
    for (const [schema] of schemas.getRows()) {
      if (!departments.has(String(schema)))
        await conn.run(`DROP SCHEMA IF EXISTS ${ident(String(schema))} CASCADE`);
    }
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
  return files;
}

async function defineView(
  conn: DuckDBConnection,
  contract: DatasetContract,
  files: readonly string[],
): Promise<void> {
  const schema = ident(contract.department);
  const name = `${schema}.${ident(contract.name)}`;
  let present = new Set<string>();
  if (files.length > 0) {
    const d = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${readParquet(files)}`);
    present = new Set(d.getRows().map((r) => String(r[0])));
  }
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await conn.run(`CREATE OR REPLACE VIEW ${name} AS ${viewSql(contract, files, present)}`);
  await conn.run(`COMMENT ON VIEW ${name} IS ${lit(tableDescription(contract))}`);
  for (const c of catalogColumns(contract)) {
    if (c.comment) await conn.run(`COMMENT ON COLUMN ${name}.${ident(c.name)} IS ${lit(c.comment)}`);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function pruneCache(dir: string, wanted: ReadonlySet<string>): Promise<void> {
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true })) as string[];
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e);
    if ((e.endsWith('.parquet') || e.endsWith('.part')) && !wanted.has(path)) await rm(path, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Queries

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
    const db = await openDatabase(paths.catalog, true);
    const conn = await db.connect();
    try {
      const cache = paths.cache.endsWith(sep) ? paths.cache : `${paths.cache}${sep}`;
      await conn.run(`SET allowed_directories = [${lit(cache)}]`);
      await conn.run('SET enable_external_access = false');
      await conn.run(`SET TimeZone = 'UTC'`);
      await conn.run('SET autoinstall_known_extensions = false');
      await conn.run('SET autoload_known_extensions = false');
      await conn.run('SET lock_configuration = true');
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

/** DuckDB's message without the paths of the cache (of no use to an analyst). */
function cleanDuckDbMessage(message: string): string {
  return message.replace(/"[^"]*\/cache\/([^"]*)"/g, '"$1"');
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
