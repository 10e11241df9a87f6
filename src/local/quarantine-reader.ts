/**
 * A steward's SQL over the local lake's quarantine (`lake query --zone quarantine`): one view per dataset,
 * `quarantine.<department>_<dataset>`, over the quarantine Parquet of its uploads (the rejected rows with
 * their `_errors`, personal data protected as in curated, values as found in the file).
 *
 * Kept apart from the analysts' catalog: the files are copied for this reader alone into a private folder
 * under the lake's tmp/, read by an in-memory DuckDB restricted to that folder, and removed on close. The
 * analysts' catalog.duckdb neither names these files nor may read them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DatasetContract } from '../contracts/schema.ts';
import { ident, lit } from '../engine/sql.ts';
import { downloadToFile, listObjects } from '../ingest/s3-objects.ts';
import type { LakeBuckets } from '../ingest/types.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import { ZONE_PREFIX } from '../lake/layout.ts';
import { CatalogReader, type QueryResult } from './catalog-reader.ts';
import type { LakePaths } from './lake-dir.ts';

/** The schema of the quarantine views. */
export const QUARANTINE_SCHEMA = 'quarantine';

/** The view of a dataset's quarantine: `quarantine.<department>_<dataset>`. */
export function quarantineView(contract: Pick<DatasetContract, 'department' | 'name'>): string {
  return `${QUARANTINE_SCHEMA}.${contract.department}_${contract.name}`;
}

export interface QuarantineReaderOptions {
  s3: S3Client;
  buckets: LakeBuckets;
  contracts: ReadonlyMap<string, DatasetContract>;
  paths: LakePaths;
}

/** The quarantine views over a private copy of the quarantine Parquet; close() removes the copy. */
export class QuarantineReader {
  private constructor(
    private readonly reader: CatalogReader,
    private readonly dir: string,
  ) {}

  static async open(opts: QuarantineReaderOptions): Promise<QuarantineReader> {
    const dir = await mkdtemp(join(opts.paths.tmp, 'quarantine-'));
    try {
      const files = await copyQuarantine(opts, dir);
      const db = await DuckDBInstance.create(':memory:', { threads: '2' });
      const conn = await db.connect();
      try {
        await conn.run(`CREATE SCHEMA ${ident(QUARANTINE_SCHEMA)}`);
        for (const [key, contract] of [...opts.contracts].sort(([a], [b]) => a.localeCompare(b))) {
          const name = `${ident(QUARANTINE_SCHEMA)}.${ident(`${contract.department}_${contract.name}`)}`;
          await conn.run(`CREATE VIEW ${name} AS ${quarantineSql(contract, files.get(key) ?? [])}`);
        }
      } catch (e) {
        conn.closeSync();
        db.closeSync();
        throw e;
      }
      return new QuarantineReader(await CatalogReader.restricted(db, conn, dir), dir);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }

  query(sql: string): Promise<QueryResult> {
    return this.reader.query(sql);
  }

  async close(): Promise<void> {
    this.reader.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** A dataset's quarantine rows: every upload's file, or, when none has any, an empty table of the same shape. */
function quarantineSql(contract: DatasetContract, files: readonly string[]): string {
  if (files.length > 0)
    return `SELECT * FROM read_parquet([${files.map(lit).join(', ')}], union_by_name = true, hive_partitioning = false)`;
  const columns = [
    ...datasetModel(contract).fields.flatMap((f) =>
      f.column ? [`NULL::VARCHAR AS ${ident(f.column.name)}`] : [],
    ),
    'NULL::VARCHAR AS _upload_id',
    'NULL::BIGINT AS _source_line',
    'NULL::TIMESTAMPTZ AS _ingested_at',
    'NULL::STRUCT("column" VARCHAR, "rule" VARCHAR, message VARCHAR)[] AS _errors',
    'NULL::DATE AS ingest_date',
  ];
  return `SELECT ${columns.join(', ')} WHERE false`;
}

/** Copies each dataset's quarantine Parquet into `dir`; per dataset, the local files. */
async function copyQuarantine(opts: QuarantineReaderOptions, dir: string): Promise<Map<string, string[]>> {
  const files = new Map<string, string[]>();
  let n = 0;
  for (const [key, contract] of opts.contracts) {
    const prefix = `${ZONE_PREFIX.quarantine}${contract.department}/${contract.name}/`;
    const local: string[] = [];
    for await (const o of listObjects(opts.s3, opts.buckets.quarantine, prefix)) {
      if (!o.Key?.endsWith('.parquet') || o.Key.includes('/_')) continue;
      const path = join(dir, `${n++}.parquet`);
      await downloadToFile(opts.s3, { Bucket: opts.buckets.quarantine, Key: o.Key }, path);
      local.push(path);
    }
    files.set(key, local);
  }
  return files;
}
