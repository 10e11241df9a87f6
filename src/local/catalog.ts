/**
 * The local catalog: DuckDB in the part Glue and Athena play in AWS. `catalog.duckdb` holds one schema per
 * department and one view per dataset, `<department>.<dataset>`, with the columns, types and comments of the
 * dataset's Glue table (both read the dataset model) over local copies of the curated Parquet:
 *
 * - `replace` datasets read the files the current-upload manifest lists: the latest accepted upload only;
 * - `append` datasets read every upload, and have the `ingest_date` partition column, as in Athena.
 *
 * Bytes move with the S3 API (the local endpoint), DuckDB reads local files: syncCatalog copies what the
 * manifests and listings name into the cache, drops what they no longer name, and redefines the views.
 * Analysts' queries run on CatalogReader (catalog-reader.ts). Each sync saves what it was made from
 * (catalog-state.ts), so that a query on a lake unchanged since opens the catalog as it is.
 */
import { chmod, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { ident, lit } from '../engine/sql.ts';
import { readCurrentManifest } from '../ingest/current-manifest.ts';
import { downloadToFile, listObjects } from '../ingest/s3-objects.ts';
import type { LakeBuckets } from '../ingest/types.ts';
import { LINEAGE } from '../lake/column-types.ts';
import {
  type DatasetModel,
  datasetModel,
  type PublishedColumn,
  tableColumns,
} from '../lake/dataset-model.ts';
import { glueColumns, gluePartitionKeys, tableDescription } from '../lake/glue-table.ts';
import { openCatalog } from './catalog-db.ts';
import { clearCatalogState, lakeFingerprint, writeCatalogState } from './catalog-state.ts';
import { type LakePaths, PRIVATE_DIR, PRIVATE_FILE } from './lake-dir.ts';

/** The curated keys a dataset's table reads now. */
export async function currentKeys(
  s3: S3Client,
  buckets: LakeBuckets,
  model: DatasetModel,
): Promise<string[]> {
  if (model.storage.currentManifestKey) {
    const manifest = await readCurrentManifest(s3, buckets.curated, model.ref);
    if (!manifest) return [];
    const prefix = `s3://${buckets.curated}/`;
    return manifest.uris.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length));
  }
  const keys: string[] = [];
  for await (const o of listObjects(s3, buckets.curated, model.storage.curatedPrefix)) {
    if (o.Key?.endsWith('.parquet') && !o.Key.includes('/_')) keys.push(o.Key);
  }
  return keys.sort();
}

/** The view's SELECT over `files` (local Parquet paths), given the columns the files actually have. */
export function viewSql(model: DatasetModel, files: readonly string[], present: ReadonlySet<string>): string {
  const columns = tableColumns(model);
  const typed = (c: PublishedColumn, expr: string) => `CAST(${expr} AS ${c.type.duckdb})`;
  if (files.length === 0) {
    return `SELECT ${columns.map((c) => `${typed(c, 'NULL')} AS ${ident(c.name)}`).join(', ')} WHERE false`;
  }
  const select = columns.map((c) => {
    if (c.role === 'partition')
      return `regexp_extract(filename, '/${c.name}=([^/]+)/', 1) AS ${ident(c.name)}`;
    if (!present.has(c.name)) return `${typed(c, 'NULL')} AS ${ident(c.name)}`;
    // Parquet keeps the ingestion time with its zone; the table's column is a timestamp in UTC.
    if (c.name === LINEAGE.ingestedAt.name)
      return `${typed(c, `${ident(c.name)} AT TIME ZONE 'UTC'`)} AS ${ident(c.name)}`;
    return `${typed(c, ident(c.name))} AS ${ident(c.name)}`;
  });
  return `SELECT ${select.join(', ')} FROM ${readParquet(files)}`;
}

function readParquet(files: readonly string[]): string {
  return `read_parquet([${files.map(lit).join(', ')}], union_by_name = true, hive_partitioning = false, filename = true)`;
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
  const { contracts, paths } = opts;
  await mkdir(paths.root, { recursive: true, mode: PRIVATE_DIR });
  let files: CatalogFiles;
  // The catalog opened for writing is the lake's sync lock: one process at a time updates the cache and the
  // views, and none while another reads them (readers hold catalog.duckdb open, read-only, while they query).
  const db = await openCatalog(paths.catalog, false);
  let fingerprint: string;
  try {
    // Taken before the lake is read: a change made while syncing leaves it stale, and the next query syncs.
    clearCatalogState(paths);
    fingerprint = await lakeFingerprint(paths, contracts);
    files = await syncCache(opts);
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
        await defineView(conn, datasetModel(contract), files.get(key) ?? []);
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
      // Saved while the catalog is still locked: no other sync can be under way.
      writeCatalogState(paths, {
        fingerprint,
        files: [...files.values()].flat(),
        datasets: Object.fromEntries(files),
      });
    } catch (e) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      conn.closeSync();
    }
  } finally {
    db.closeSync();
  }
  await privateFiles([paths.catalog, `${paths.catalog}.wal`]);
  return files;
}
/** Copies into the cache the curated files each table reads, and removes those no table reads any more. */
async function syncCache(opts: SyncOptions): Promise<CatalogFiles> {
  const { s3, buckets, contracts, paths } = opts;
  const files: CatalogFiles = new Map();
  const wanted = new Set<string>();
  for (const [key, contract] of contracts) {
    const keys = await currentKeys(s3, buckets, datasetModel(contract));
    const local: string[] = [];
    for (const k of keys) {
      const path = join(paths.cache, ...k.split('/'));
      wanted.add(path);
      local.push(path);
      if (await exists(path)) continue;
      await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR });
      const part = `${path}.part`;
      await downloadToFile(s3, { Bucket: buckets.curated, Key: k }, part);
      await chmod(part, PRIVATE_FILE);
      await rename(part, path);
    }
    files.set(key, local);
  }
  await pruneCache(paths.cache, wanted);
  return files;
}

/** Makes the files that exist owner-only (DuckDB creates its files with the default mode). */
async function privateFiles(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    await chmod(p, PRIVATE_FILE).catch((e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    });
  }
}

async function defineView(
  conn: DuckDBConnection,
  model: DatasetModel,
  files: readonly string[],
): Promise<void> {
  const schema = ident(model.ref.department);
  const name = `${schema}.${ident(model.ref.dataset)}`;
  let present = new Set<string>();
  if (files.length > 0) {
    const d = await conn.runAndReadAll(`DESCRIBE SELECT * FROM ${readParquet(files)}`);
    present = new Set(d.getRows().map((r) => String(r[0])));
  }
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await conn.run(`CREATE OR REPLACE VIEW ${name} AS ${viewSql(model, files, present)}`);
  // The same description and comments as the Glue table's.
  await conn.run(`COMMENT ON VIEW ${name} IS ${lit(tableDescription(model))}`);
  for (const c of [...glueColumns(model), ...gluePartitionKeys(model)]) {
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
