/**
 * An analyst's query read in full for an export, whatever its size. A DuckDB streaming result that fails
 * half-way ends exactly as one that is done (the C API's fetch returns nothing either way), so an export
 * read from one could stop short without a word. Instead the checked statement (one SELECT, nothing else)
 * is written whole by DuckDB itself, on the analyst's restricted connection, into a Parquet file in a
 * private directory that connection may write to (COPY fails loudly, and counts the rows); a DuckDB of
 * its own then reads that file back a chunk at a time, and the rows read must be the rows written.
 * Neither step holds the result in memory.
 */
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, StatementType } from '@duckdb/node-api';
import { ident, lit } from '../engine/sql.ts';
import { rowConverter, uniqueNames } from './result-rows.ts';

/** Types the Parquet writer would not keep exactly (it writes them as DOUBLE): carried as their text. */
const AS_TEXT = /^U?HUGEINT$/;

export interface ExportRows {
  columns: { name: string; type: string }[];
  /** The rows, a chunk at a time; read once. Ends with an error when fewer rows come back than were written. */
  batches: AsyncGenerator<Record<string, unknown>[]>;
}

/** Raised for SQL an export cannot run as it is (not one SELECT). */
export class ExportSqlError extends Error {}

/**
 * Checks that `sql` is one SELECT, has DuckDB write its result to `dir`/result.parquet on `conn`, and
 * returns its columns and rows, read back from that file.
 */
export async function exportRows(conn: DuckDBConnection, sql: string, dir: string): Promise<ExportRows> {
  const statements = await conn.extractStatements(sql);
  if (statements.count !== 1)
    throw new ExportSqlError(
      `an export runs one SELECT statement; this SQL holds ${statements.count}: run them one at a time`,
    );
  const prepared = await statements.prepare(0);
  let names: string[];
  let types: string[];
  try {
    if (prepared.statementType !== StatementType.SELECT)
      throw new ExportSqlError('an export runs a SELECT statement (a query), nothing else');
    names = uniqueNames(Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i)));
    types = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i).toString());
  } finally {
    prepared.destroySync();
  }
  // The checked statement alone, inside COPY: its columns renamed by position (unique names), the types
  // Parquet would round carried as text. The line break ends a trailing `--` comment.
  const body = withoutTerminator(sql);
  const projection = names.map((n, i) =>
    AS_TEXT.test(types[i]) ? `${ident(n)}::VARCHAR AS ${ident(n)}` : ident(n),
  );
  const file = join(dir, 'result.parquet');
  const select = `SELECT ${projection.join(', ')} FROM (\n${body}\n) AS q(${names.map(ident).join(', ')})`;
  const copied = await conn.runAndReadAll(`COPY (${select}) TO ${lit(file)} (FORMAT parquet)`);
  const written = Number(copied.getRowsJson()[0]?.[0] ?? 0);
  return {
    columns: names.map((name, i) => ({ name, type: types[i] })),
    batches: readBack(file, names, types, written),
  };
}

/**
 * One statement's text without its terminating `;` (one statement: any `;` outside strings, quoted names and
 * comments ends it), so that it can stand inside parentheses.
 */
export function withoutTerminator(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const rest = sql.slice(i);
    const skipped =
      /^'(?:[^']|'')*'/.exec(rest) ??
      /^"(?:[^"]|"")*"/.exec(rest) ??
      /^\$\$[\s\S]*?\$\$/.exec(rest) ??
      /^--[^\n]*/.exec(rest) ??
      /^\/\*[\s\S]*?\*\//.exec(rest);
    const piece = skipped?.[0] ?? sql[i];
    if (piece !== ';') out += piece;
    i += piece.length;
  }
  return out;
}

/** The rows of the file, a chunk at a time, checked against the count written. */
async function* readBack(
  file: string,
  names: readonly string[],
  types: readonly string[],
  written: number,
): AsyncGenerator<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const toRow = rowConverter(names, types);
    const result = await conn.stream(`SELECT * FROM read_parquet(${lit(file)})`);
    let read = 0;
    for await (const rows of result.yieldRowsJson()) {
      read += rows.length;
      yield rows.map(toRow);
    }
    if (read !== written)
      throw new Error(
        `the export read back ${read} of the ${written} rows the query gave; the file is incomplete`,
      );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
