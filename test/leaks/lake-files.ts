/**
 * What the local lake keeps on disk, as haystacks for the hunt. The lake directory is walked whole:
 *
 * - landing and raw objects hold the file as uploaded: restricted zones, kept apart (the hunt checks that
 *   every planted value is found there, and nowhere else);
 * - quarantine Parquet may hold the rows as uploaded (restricted), but not its `_errors` messages or
 *   its column names: those are searched;
 * - every other Parquet file (curated objects, the catalog's cache) is read back with DuckDB, every
 *   column cast to text, and its column names;
 * - everything else (reports, object metadata, manifests, catalog.duckdb, work files left in tmp/, any
 *   log) is searched as text.
 *
 * The S3 objects are s3rver's files: `<bucket>/<key>._S3rver_object`, with `._S3rver_metadata.json` beside.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { lit } from '../../src/engine/sql.ts';
import { LOCAL_BUCKETS } from '../../src/ingest/local-s3.ts';
import { CELL_SEPARATOR, type Haystack } from './hunt.ts';

const OBJECT_SUFFIX = '._S3rver_object';
const RESTRICTED_OBJECTS = [LOCAL_BUCKETS.landing, LOCAL_BUCKETS.raw].map((b) => `s3/${b}/`);
const QUARANTINE_PARQUET = `s3/${LOCAL_BUCKETS.quarantine}/quarantine/`;

/** The file of an object of the local lake's S3 endpoint. */
export function objectPath(lakeDir: string, bucket: string, key: string): string {
  return join(lakeDir, 's3', bucket, ...key.split('/')) + OBJECT_SUFFIX;
}

export interface LakeFiles {
  haystacks: Haystack[];
  /** The restricted objects (landing and raw), searched only to see that the planted values are there. */
  restricted: Haystack[];
  /** Parquet files read, by relative path. */
  parquet: string[];
}

/** A DuckDB connection of the hunt's own, to read Parquet back. */
export class ParquetReader {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(): Promise<ParquetReader> {
    const instance = await DuckDBInstance.create(':memory:');
    return new ParquetReader(instance, await instance.connect());
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  private from(path: string): string {
    return `read_parquet(${lit(path)}, hive_partitioning = false)`;
  }

  async columns(path: string): Promise<string[]> {
    const r = await this.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${this.from(path)}`);
    return r.getRows().map((row) => String(row[0]));
  }

  /** Every column of a file as text, in file order, with each row's `_source_line` when it has one. */
  async textColumns(
    path: string,
    only?: readonly string[],
  ): Promise<{ names: string[]; cells: (string | null)[][]; lines: (number | null)[] }> {
    const all = await this.columns(path);
    const names = only ? all.filter((c) => only.includes(c)) : all;
    const hasLine = all.includes('_source_line');
    const select = [
      ...names.map((c) => `CAST("${c.replaceAll('"', '""')}" AS VARCHAR)`),
      hasLine ? 'CAST(_source_line AS BIGINT)' : 'NULL::BIGINT',
    ];
    const r = await this.conn.runAndReadAll(`SELECT ${select.join(', ')} FROM ${this.from(path)}`);
    const cols = r.getColumnsJS();
    const lines = (cols.pop() ?? []).map((x) => (x === null ? null : Number(x)));
    return { names, cells: cols.map((c) => c.map((x) => (x === null ? null : String(x)))), lines };
  }

  /** The source lines of a file's rows. */
  async lines(path: string): Promise<number[]> {
    const r = await this.conn.runAndReadAll(
      `SELECT CAST(_source_line AS BIGINT) FROM ${this.from(path)} ORDER BY 1`,
    );
    return r.getColumnsJS()[0].map(Number);
  }

  /** One cell as text, by the row's source line; undefined when there is no such row or column. */
  async cell(path: string, column: string, line: number): Promise<string | null | undefined> {
    if (!(await this.columns(path)).includes(column)) return undefined;
    const r = await this.conn.runAndReadAll(
      `SELECT CAST("${column.replaceAll('"', '""')}" AS VARCHAR) FROM ${this.from(path)} WHERE _source_line = ${line}`,
    );
    const rows = r.getRowsJS();
    return rows.length === 0 ? undefined : (rows[0][0] as string | null);
  }
}

function isParquet(rel: string): boolean {
  const name = rel.endsWith(OBJECT_SUFFIX) ? rel.slice(0, -OBJECT_SUFFIX.length) : rel;
  return /\.parquet(\.tmp)?$/.test(name);
}

/** The haystacks of one Parquet file: a column each, and the column names. */
async function parquetHaystacks(reader: ParquetReader, path: string, rel: string): Promise<Haystack[]> {
  const quarantine = rel.split(sep).join('/').startsWith(QUARANTINE_PARQUET);
  const all = await reader.columns(path);
  const kind = quarantine ? 'quarantine Parquet' : 'Parquet';
  const out: Haystack[] = [{ where: `${kind} ${rel} column names`, text: all.join(CELL_SEPARATOR) }];
  // The rows of a quarantine file are restricted; what it says about them is not.
  const { names, cells, lines } = await reader.textColumns(path, quarantine ? ['_errors'] : undefined);
  names.forEach((name, i) => {
    out.push({
      where: `${kind} ${rel} column ${name}`,
      text: cells[i].map((c) => c ?? '').join(CELL_SEPARATOR),
      cellLines: lines,
    });
  });
  return out;
}

/** Every file under the lake directory, as haystacks (see above). */
export async function lakeHaystacks(lakeDir: string, reader: ParquetReader): Promise<LakeFiles> {
  const entries = (await readdir(lakeDir, { recursive: true, withFileTypes: true })).filter((e) =>
    e.isFile(),
  );
  const result: LakeFiles = { haystacks: [], restricted: [], parquet: [] };
  for (const e of entries) {
    const path = join(e.parentPath, e.name);
    const rel = path.slice(lakeDir.length + 1);
    const slashed = rel.split(sep).join('/');
    if (RESTRICTED_OBJECTS.some((p) => slashed.startsWith(p)) && slashed.endsWith(OBJECT_SUFFIX)) {
      result.restricted.push({
        where: `restricted ${slashed}`,
        text: (await readFile(path)).toString('utf8'),
      });
      continue;
    }
    if (isParquet(slashed)) {
      result.parquet.push(slashed);
      result.haystacks.push(...(await parquetHaystacks(reader, path, slashed)));
      continue;
    }
    result.haystacks.push({ where: `lake file ${slashed}`, text: (await readFile(path)).toString('utf8') });
  }
  return result;
}
