/**
 * A query's result as a Parquet file, typed as the query typed it (decimals stay decimals). The result's
 * rows go to a private, in-memory DuckDB of their own through a temporary JSON-lines file, and that
 * DuckDB writes the Parquet: the analysts' read-only catalog connection never gets to write a file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { lit } from '../engine/sql.ts';
import type { QueryColumn, QueryOutcome } from './backend.ts';
import { exactRows } from './export-result.ts';
import { jsonText } from './output.ts';

/** Athena's type names as DuckDB spells them; anything DuckDB cannot name is written as text. */
function duckType(c: QueryColumn): string {
  const t = c.type.trim();
  if (/^(varchar|char|string)(\(\d+\))?$/i.test(t)) return 'VARCHAR';
  if (/^[A-Za-z][A-Za-z0-9 _]*(\(\s*\d+\s*(,\s*\d+\s*)?\))?(\[\])*$/.test(t)) return t;
  if (/^(STRUCT|MAP|UNION)\(/.test(t)) return t;
  return 'VARCHAR';
}

export async function exportParquet(r: QueryOutcome, file: string): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'lake-export-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const rows = join(work, 'rows.jsonl');
    await writeFile(
      rows,
      exactRows(r)
        .map((row) => `${jsonText(row)}\n`)
        .join(''),
    );
    const columns = `{${r.columns.map((c) => `${lit(c.name)}: ${lit(duckType(c))}`).join(', ')}}`;
    const select =
      r.columns.length === 0
        ? 'SELECT 1 WHERE false'
        : `SELECT * FROM read_json(${lit(rows)}, format = 'newline_delimited', columns = ${columns})`;
    await conn.run(`COPY (${select}) TO ${lit(resolve(file))} (FORMAT parquet, COMPRESSION zstd)`);
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}
