/** Opening the local catalog's DuckDB file, shared by the process that syncs it and those that query it. */
import type { DuckDBInstance } from '@duckdb/node-api';
import { createDuckDB } from '../engine/duckdb.ts';

/** How long a command waits for another process to release catalog.duckdb. */
export const CATALOG_LOCK_WAIT_MS = 30_000;

function isLockError(e: unknown): boolean {
  return /Could not set lock|Conflicting lock|database is locked/i.test((e as Error)?.message ?? '');
}

/** Opens catalog.duckdb, waiting while another process holds it. */
export async function openCatalog(path: string, readOnly: boolean): Promise<DuckDBInstance> {
  const deadline = Date.now() + CATALOG_LOCK_WAIT_MS;
  for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await createDuckDB(path, {
        access_mode: readOnly ? 'READ_ONLY' : 'READ_WRITE',
        threads: '2',
      });
    } catch (e) {
      if (!isLockError(e) || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
