/**
 * DuckDB, loaded when first asked for. Its native library (about 71 MB) then loads only in the processes
 * that run it (the transformer, the local lake, an export), not in those that merely import a module that
 * can: the portal API's Lambda ships without it, and `lake --help` does not wait for it.
 */
import type { DuckDBInstance } from '@duckdb/node-api';

/** A DuckDB database (`:memory:` or a file), with its configuration options. */
export async function createDuckDB(path: string, options?: Record<string, string>): Promise<DuckDBInstance> {
  const loaded = await import('@duckdb/node-api');
  // A CommonJS package: Node's loader gives its exports by name, a bundle's import() (the built CLI's
  // chunks, scripts/build-cli.mjs) may give them as the default export only.
  const api = loaded.DuckDBInstance ? loaded : (loaded as unknown as { default: typeof loaded }).default;
  return api.DuckDBInstance.create(path, options);
}
