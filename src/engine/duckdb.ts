/**
 * DuckDB, loaded when first asked for. Its native library (about 71 MB) then loads only in the processes
 * that run it (the transformer, the local lake, an export), not in those that merely import a module that
 * can: the portal API's Lambda ships without it, and `lake --help` does not wait for it.
 */
import type { DuckDBInstance } from '@duckdb/node-api';

/** A DuckDB database (`:memory:` or a file), with its configuration options. */
export async function createDuckDB(path: string, options?: Record<string, string>): Promise<DuckDBInstance> {
  const duckdb = await import('@duckdb/node-api');
  return duckdb.DuckDBInstance.create(path, options);
}
