/**
 * A query's result as a Parquet file, typed as the query typed it (decimals stay decimals, exact). The
 * rows are written batch by batch to a temporary JSON-lines file, then a private DuckDB of its own reads
 * that file and writes the Parquet, both as streams: the result is never held whole, and the analysts'
 * read-only catalog connection never gets to write a file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createDuckDB } from '../engine/duckdb.ts';
import { lit } from '../engine/sql.ts';
import type { QueryColumn, QueryStream } from './backend.ts';
import { exactRowOf, textSink } from './export-result.ts';
import { jsonText } from './output.ts';

/** Memory the private DuckDB may use before it spills to its temporary directory. */
const PARQUET_MEMORY_LIMIT = '256MB';

/** Athena's type names as DuckDB spells them; anything DuckDB cannot name is written as text. */
function duckType(c: QueryColumn): string {
  const t = c.type.trim();
  if (/^(varchar|char|string)(\(\d+\))?$/i.test(t)) return 'VARCHAR';
  if (/^[A-Za-z][A-Za-z0-9 _]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/.test(t)) return t;
  if (/^(STRUCT|MAP|UNION)\(/.test(t)) return t;
  return 'VARCHAR';
}

/** Writes the rows to `file`; returns how many. */
export async function exportParquet(r: QueryStream, file: string): Promise<number> {
  const work = await mkdtemp(join(tmpdir(), 'lake-export-'));
  try {
    const rows = join(work, 'rows.jsonl');
    const sink = textSink(rows, { write: () => undefined });
    const exact = exactRowOf(r.columns);
    let count = 0;
    try {
      for await (const batch of r.batches) {
        await sink.write(batch.map((row) => `${jsonText(exact(row))}\n`).join(''));
        count += batch.length;
      }
      await sink.close();
    } catch (e) {
      sink.abort();
      throw e;
    }
    const db = await createDuckDB(':memory:', {
      threads: '1',
      memory_limit: PARQUET_MEMORY_LIMIT,
      temp_directory: work,
    });
    const conn = await db.connect();
    try {
      const columns = `{${r.columns.map((c) => `${lit(c.name)}: ${lit(duckType(c))}`).join(', ')}}`;
      const select =
        r.columns.length === 0
          ? 'SELECT 1 WHERE false'
          : `SELECT * FROM read_json(${lit(rows)}, format = 'newline_delimited', columns = ${columns})`;
      await conn.run(`COPY (${select}) TO ${lit(resolve(file))} (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    return count;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
