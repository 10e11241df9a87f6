/**
 * Analysts' and stewards' SQL on the local lake's DuckDB readers, whole (query) or as it comes (stream):
 * SQL the lake cannot run is the user's to fix, so its error becomes a CliError that says which tables
 * there are, whether it fails at once or while the rows are read.
 */
import type { DatasetContract } from '../contracts/schema.ts';
import { QueryError, type QueryResult, type QueryRowStream } from '../local/catalog-reader.ts';
import type { LocalLake } from '../local/local-lake.ts';
import { CliError, EXIT } from './errors.ts';

/** What an analyst's query may name (the published tables). */
export const CATALOG_TABLES = 'Tables are <department>.<dataset>: `lake catalog` lists them.';
/** What a steward's query on the quarantine may name. */
export const QUARANTINE_TABLES =
  'Tables are quarantine.<department>_<dataset> (e.g. quarantine.health_clinics): the rejected rows with _errors.';

/** A query error in the CLI's terms: what DuckDB said, and how to fix it. */
function queryFailed(e: QueryError, tables: string): CliError {
  return new CliError(`the query failed: ${e.message}`, {
    hint: `Fix the SQL (DuckDB dialect locally). ${tables}`,
    code: 'query_failed',
    exitCode: EXIT.failure,
    cause: e,
  });
}

/** Runs the SQL and returns its whole result. */
export async function runQuery(
  reader: { query(sql: string): Promise<QueryResult> },
  sql: string,
  tables: string,
): Promise<QueryResult> {
  try {
    return await reader.query(sql);
  } catch (e) {
    throw e instanceof QueryError ? queryFailed(e, tables) : e;
  }
}

/** Runs the SQL and returns its columns, its rows read a chunk at a time. */
export async function streamQuery(
  reader: { stream(sql: string): Promise<QueryRowStream> },
  sql: string,
  tables: string,
): Promise<QueryRowStream> {
  let opened: QueryRowStream;
  try {
    opened = await reader.stream(sql);
  } catch (e) {
    throw e instanceof QueryError ? queryFailed(e, tables) : e;
  }
  async function* batches(): AsyncGenerator<Record<string, unknown>[]> {
    try {
      yield* opened.batches;
    } catch (e) {
      throw e instanceof QueryError ? queryFailed(e, tables) : e;
    }
  }
  return { columns: opened.columns, batches: batches() };
}

/** A steward's SQL on the quarantine of `contracts`' datasets (their rejected rows with `_errors`), whole. */
export async function runQuarantineQuery(
  lake: LocalLake,
  contracts: ReadonlyMap<string, DatasetContract>,
  sql: string,
): Promise<QueryResult> {
  const { QuarantineReader } = await import('../local/quarantine-reader.ts');
  const reader = await QuarantineReader.open({
    s3: lake.s3,
    buckets: lake.buckets,
    contracts,
    paths: lake.paths,
  });
  try {
    return await runQuery(reader, sql, QUARANTINE_TABLES);
  } finally {
    await reader.close();
  }
}
