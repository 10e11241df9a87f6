/**
 * The open copy of a dataset, built in DuckDB from curated Parquet on local disk: the published columns
 * that are public and not personal data (checked here again, though the contract loader already refuses
 * an open dataset with any other), without the lineage columns, only the rows of the uploads given.
 *
 *   <dataset>.parquet            typed, zstd
 *   <dataset>.csv                UTF-8 with BOM, CRLF, a header of column names, cells guarded against
 *                                formulas: Excel opens it, Chinese included, and runs nothing
 *   <dataset>.dictionary.json    name, title, type, description, original headers of each column
 *   <dataset>.dictionary.csv     the same as a table (BOM, CRLF)
 *
 * It also works out what the catalogue says of the rows: how many, and the range of the temporal field.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDuckDB } from '../../engine/duckdb.ts';
import { ident, lit } from '../../engine/sql.ts';
import { LINEAGE } from '../../lake/column-types.ts';
import { csvCell } from '../../lake/csv-cell.ts';
import type { DatasetModel, PublishedColumn } from '../../lake/dataset-model.ts';
import { type DatasetRef, openPrefix } from '../../lake/layout.ts';

/** What each open file is, for its catalogue distribution. */
export type OpenFileKind = 'csv' | 'parquet' | 'dictionary-json' | 'dictionary-csv';

export interface OpenFile {
  kind: OpenFileKind;
  /** Its key in the zone, `open/<department>/<dataset>/<name>`. */
  key: string;
  bytes: number;
  sha256: string;
  /** The local file it was built to. */
  path: string;
}

export interface DictionaryColumn {
  name: string;
  title: string | null;
  /** The contract's type (Table Schema: string, integer, date…). */
  type: string;
  /** The type of the Parquet column. */
  parquetType: string;
  description: string | null;
  /** The header spellings the department's files use. */
  headers: string[];
}

export interface OpenBuild {
  files: OpenFile[];
  rows: number;
  /** The temporal field's range (contract `temporal: { field }`), or null. */
  temporal: { start: string; end: string } | null;
}

const BOM = '\uFEFF';
const CRLF = '\r\n';

/** The columns an open copy may hold: contract fields, public, without personal data. */
export function openColumns(model: DatasetModel): PublishedColumn[] {
  return model.columns.filter(
    (c) => c.role === 'field' && c.classification === 'public' && c.protection === null,
  );
}

/** File names of an open dataset's files. */
export function openFileKey(ref: DatasetRef, kind: OpenFileKind): string {
  const name = {
    csv: `${ref.dataset}.csv`,
    parquet: `${ref.dataset}.parquet`,
    'dictionary-json': `${ref.dataset}.dictionary.json`,
    'dictionary-csv': `${ref.dataset}.dictionary.csv`,
  }[kind];
  return `${openPrefix(ref)}${name}`;
}

/** Builds the open files of a dataset from `inputs` (curated Parquet), keeping the rows of `uploads`. */
export async function buildOpenCopy(job: {
  ref: DatasetRef;
  /** `<department>/<dataset>` */
  id: string;
  /** The columns to open, as the dictionary describes them (dictionaryOf, or the zone's own dictionary). */
  dictionary: readonly DictionaryColumn[];
  /** The date field whose range is the period covered, if any. */
  temporalField?: string;
  inputs: readonly string[];
  uploads: readonly string[];
  outDir: string;
  memoryLimit?: string;
}): Promise<OpenBuild> {
  const { outDir, dictionary } = job;
  if (dictionary.length === 0) {
    throw new Error(`${job.id} has no public column without personal data: there is nothing to open`);
  }
  const db = await createDuckDB(':memory:', {
    threads: '1',
    temp_directory: join(outDir, 'duckdb-tmp'),
    ...(job.memoryLimit ? { memory_limit: job.memoryLimit } : {}),
  });
  const conn = await db.connect();
  const paths = {
    parquet: join(outDir, 'open.parquet'),
    csv: join(outDir, 'open.csv'),
    dictJson: join(outDir, 'dictionary.json'),
    dictCsv: join(outDir, 'dictionary.csv'),
  };
  const typedNull = (c: DictionaryColumn) => `CAST(NULL AS ${c.parquetType}) AS ${ident(c.name)}`;
  try {
    let temporal: OpenBuild['temporal'] = null;
    if (job.inputs.length > 0 && job.uploads.length > 0) {
      const files = `read_parquet([${job.inputs.map(lit).join(', ')}], hive_partitioning = false, union_by_name = true)`;
      const present = new Set(
        (await conn.runAndReadAll(`SELECT column_name FROM (DESCRIBE SELECT * FROM ${files})`))
          .getRows()
          .map(([n]) => String(n)),
      );
      // A column added to the contract after older uploads is empty in their rows.
      const cols = dictionary.map((c) =>
        present.has(c.name) ? `CAST(${ident(c.name)} AS ${c.parquetType}) AS ${ident(c.name)}` : typedNull(c),
      );
      const uploadId = ident(LINEAGE.uploadId.name);
      await conn.run(
        `COPY (SELECT ${cols.join(', ')} FROM ${files} WHERE ${uploadId} IN (${job.uploads.map(lit).join(', ')}) ORDER BY ${uploadId}, ${ident(LINEAGE.sourceLine.name)}) TO ${lit(paths.parquet)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } else {
      await conn.run(
        `COPY (SELECT ${dictionary.map(typedNull).join(', ')} LIMIT 0) TO ${lit(paths.parquet)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    }
    const open = `read_parquet(${lit(paths.parquet)})`;
    const rows = Number((await conn.runAndReadAll(`SELECT count(*) FROM ${open}`)).getRows()[0][0]);
    const field = job.temporalField;
    if (field && dictionary.some((c) => c.name === field) && rows > 0) {
      const [min, max] = (
        await conn.runAndReadAll(
          `SELECT CAST(min(${ident(field)}) AS DATE)::VARCHAR, CAST(max(${ident(field)}) AS DATE)::VARCHAR FROM ${open}`,
        )
      ).getRows()[0];
      if (min !== null && max !== null) temporal = { start: String(min), end: String(max) };
    }
    // CSV: every value as its text, guarded, one CRLF line per row.
    const csv = createWriteStream(paths.csv);
    csv.write(`${BOM}${dictionary.map((c) => csvCell(c.name)).join(',')}${CRLF}`);
    const text = dictionary.map((c) => `CAST(${ident(c.name)} AS VARCHAR)`).join(', ');
    const result = await conn.stream(`SELECT ${text} FROM ${open}`);
    for await (const chunk of result.yieldRowsJs()) {
      const lines = chunk.map((row) => `${row.map(csvCell).join(',')}${CRLF}`).join('');
      if (!csv.write(lines)) await new Promise<void>((r) => csv.once('drain', () => r()));
    }
    await new Promise<void>((done, fail) => csv.end((e?: Error | null) => (e ? fail(e) : done())));

    await writeText(paths.dictJson, `${JSON.stringify({ dataset: job.id, columns: dictionary }, null, 2)}\n`);
    await writeText(paths.dictCsv, dictionaryCsv(dictionary));

    const files: OpenFile[] = [];
    for (const [kind, path] of [
      ['csv', paths.csv],
      ['parquet', paths.parquet],
      ['dictionary-json', paths.dictJson],
      ['dictionary-csv', paths.dictCsv],
    ] as const) {
      files.push({ kind, key: openFileKey(job.ref, kind), path, ...(await digest(path)) });
    }
    return { files, rows, temporal };
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

/** The dictionary of a dataset's open columns (public contract fields without personal data). */
export function dictionaryOf(model: DatasetModel): DictionaryColumn[] {
  return openColumns(model).map((c) => {
    const field = model.fields.find((f) => f.column?.name === c.name)?.field;
    return {
      name: c.name,
      title: c.title,
      type: field?.type ?? 'string',
      parquetType: c.type.duckdb,
      description: c.description,
      headers: field?.headers ?? [],
    };
  });
}

const DICTIONARY_HEADER = ['name', 'title', 'type', 'parquet_type', 'description', 'headers'];

function dictionaryCsv(columns: readonly DictionaryColumn[]): string {
  const lines = [DICTIONARY_HEADER.join(',')];
  for (const c of columns) {
    lines.push(
      [c.name, c.title, c.type, c.parquetType, c.description, c.headers.join(' / ')].map(csvCell).join(','),
    );
  }
  return `${BOM}${lines.join(CRLF)}${CRLF}`;
}

async function writeText(path: string, text: string): Promise<void> {
  await writeFile(path, text, 'utf8');
}

/** Size and SHA-256 of a local file. */
export async function digest(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { bytes: (await stat(path)).size, sha256: hash.digest('hex') };
}
