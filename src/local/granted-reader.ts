/**
 * An identity's SQL over the local lake (`--as analyst:health`): an in-memory DuckDB that holds a table
 * for each table the identity may read, with the columns it may read, and nothing else. A table it may not
 * read is not there; a column it may not read is not in the table. The tables are copied from the files
 * the synced catalog's views read (catalog-sync.json), with the same SELECT (viewSql), so the identity
 * sees the same rows and types as the operator, never more.
 *
 * Copied, not views: a view reads its Parquet files with the querying connection's rights, and a
 * connection that may read a file may read all of it (`read_parquet('…')` names the restricted columns
 * too). So once the tables are filled, the connection may read no file at all (CatalogReader.restricted
 * on a folder that does not exist: no file, no attaching, no extensions, configuration locked).
 * catalog.duckdb itself is never opened here. The local lake is small; a copy per command is cheap.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ident, lit } from '../engine/sql.ts';
import type { DatasetModel } from '../lake/dataset-model.ts';
import { viewSql } from './catalog.ts';
import { CatalogReader } from './catalog-reader.ts';
import { readCatalogState } from './catalog-state.ts';
import type { LakePaths } from './lake-dir.ts';

export interface GrantedTable {
  model: DatasetModel;
  /** The columns the identity reads (none: the table is left out). */
  columns: readonly string[];
}

/** Opens a reader with the granted tables only. The catalog must have been synced (catalogInSync). */
export async function openGrantedReader(
  paths: LakePaths,
  tables: readonly GrantedTable[],
): Promise<CatalogReader> {
  const state = readCatalogState(paths);
  if (!state) throw new Error('the local catalog is not synced: sync it before opening a granted reader');
  const db = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await db.connect();
  try {
    for (const { model, columns } of tables) {
      if (columns.length === 0) continue;
      const files = state.datasets[model.id] ?? [];
      let present = new Set<string>();
      if (files.length > 0) {
        const d = await conn.runAndReadAll(
          `DESCRIBE SELECT * FROM read_parquet([${files.map(lit).join(', ')}], union_by_name = true, hive_partitioning = false, filename = true)`,
        );
        present = new Set(d.getRows().map((r) => String(r[0])));
      }
      const schema = ident(model.ref.department);
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await conn.run(
        `CREATE TABLE ${schema}.${ident(model.ref.dataset)} AS SELECT ${columns.map(ident).join(', ')} FROM (${viewSql(model, files, present)}) AS t`,
      );
    }
  } catch (e) {
    conn.closeSync();
    db.closeSync();
    throw e;
  }
  // No folder: the copies are all the identity reads.
  return CatalogReader.restricted(db, conn, join(paths.tmp, `no-files-${randomBytes(6).toString('hex')}`));
}
