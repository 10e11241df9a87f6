/**
 * Reading the first rows of a sample file as the engine reads an upload (any encoding and format it
 * supports), as text, for a draft contract to be inferred from.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { datasetSchema, type FORMAT_TYPES } from '../contracts/schema.ts';
import { createSource } from '../engine/source.ts';
import type { DatasetRef } from '../lake/layout.ts';
import { InferError } from './infer-error.ts';
import { keyOrder, wrappedRecordsPath } from './json-shape.ts';

/** Rows sampled per file. */
export const INFER_SAMPLE_ROWS = 5000;

export type Format = (typeof FORMAT_TYPES)[number];

/** The first rows of a file: its header, its values as text, and how it was read. */
export interface Sample {
  format: Format;
  /** The encoding the engine detected; null for formats that have none (xlsx). */
  encoding: string | null;
  columns: string[];
  rows: (string | null)[][];
  /** Each row's line (sheet row for a workbook). */
  lines: number[];
  /** Each row's shape problem as the engine sees it (`ragged`: fewer or more cells than the header), or null. */
  rules: (string | null)[];
  /** The header's lines and the title rows above it, when the header is not the first row. */
  header?: { rows: number[]; skipped: number[] };
  /** For wrapped JSON: the dot path of the records (format.property). */
  property?: string;
  /** Columns read from inside nested JSON objects (their dot paths are their names). */
  nested: number[];
  /** Cells of merged ranges the engine gave their range's value (xlsx). */
  filledFromMerged: number;
}

/** The format a file's name suggests (`.gz` looked through). */
export function formatOfName(name: string): Format | null {
  const parts = name.toLowerCase().split('.');
  if (parts.at(-1) === 'gz') parts.pop();
  const ext = parts.length > 1 ? parts.at(-1) : '';
  switch (ext) {
    case 'csv':
    case 'txt':
      return 'csv';
    case 'tsv':
    case 'tab':
      return 'tsv';
    case 'json':
      return 'json';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'xlsx':
      return 'xlsx';
    default:
      return null;
  }
}

/** Puts the columns of a JSON sample in the order its records write their keys (DuckDB sorts them). */
async function inFileOrder(
  conn: Awaited<ReturnType<DuckDBInstance['connect']>>,
  sample: Sample,
  sampleRows: number,
): Promise<void> {
  const records = await conn.runAndReadAll(
    `SELECT j FROM raw WHERE __valid ORDER BY __rn LIMIT ${sampleRows}`,
  );
  const order = keyOrder(records.getRows().map((r) => String(r[0])));
  const rank = (c: string) => {
    const i = order.indexOf(c);
    return i < 0 ? order.length : i;
  };
  const perm = sample.columns
    .map((_, i) => i)
    .sort((a, b) => rank(sample.columns[a]) - rank(sample.columns[b]) || a - b);
  const nested = new Set(sample.nested);
  sample.columns = perm.map((i) => sample.columns[i]);
  sample.rows = sample.rows.map((r) => perm.map((i) => r[i]));
  sample.nested = perm.flatMap((i, k) => (nested.has(i) ? [k] : []));
}

/** Reads up to `sampleRows` rows of `inputPath`, the file for dataset `ref`. Throws an InferError when it cannot. */
export async function readSample(
  inputPath: string,
  ref: DatasetRef,
  sampleRows = INFER_SAMPLE_ROWS,
): Promise<Sample> {
  const format = formatOfName(basename(inputPath));
  if (!format) {
    throw new InferError(
      'unknown_format',
      `cannot tell the format of ${basename(inputPath)} from its name`,
      `Name the file with one of the extensions .csv .tsv .json .jsonl .xlsx (optionally .gz).`,
    );
  }
  const work = await mkdtemp(join(tmpdir(), 'lake-infer-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: join(work, 'spill') });
  const conn = await db.connect();
  try {
    const property = format === 'json' ? wrappedRecordsPath(inputPath) : null;
    const probe = datasetSchema.parse({
      name: ref.dataset,
      department: ref.department,
      title: 'probe',
      format: { type: format, ...(property ? { property } : {}) },
      fields: [{ name: 'probe' }],
    });
    let source: Awaited<ReturnType<typeof createSource>>;
    try {
      source = await createSource(conn, { inputPath, contract: probe, workDir: work });
    } catch (e) {
      throw new InferError(
        'unreadable_file',
        `cannot read ${basename(inputPath)} as ${format}: ${(e as Error).message}`,
        'Check that the file is complete and its extension says its format.',
        { cause: e },
      );
    }
    const cols = source.columns.map((_, i) => `"s${i}"`).join(', ');
    // Ragged rows too: a footnote below the table has fewer cells than the header.
    const result = cols
      ? await conn.runAndReadAll(
          `SELECT __line, __row_rule, ${cols} FROM src WHERE __row_rule IS NULL OR __row_rule = 'ragged' ORDER BY __rn LIMIT ${sampleRows}`,
        )
      : null;
    const all = result?.getRows() ?? [];
    const text = (v: unknown) => (v === null ? null : String(v));
    const sample: Sample = {
      format,
      encoding: source.encoding,
      columns: source.columns,
      rows: all.map((r) => r.slice(2).map(text)),
      lines: all.map((r) => Number(r[0])),
      rules: all.map((r) => text(r[1])),
      ...(source.header && source.header.rows.join() !== '1' ? { header: source.header } : {}),
      ...(property ? { property } : {}),
      nested: source.nested ?? [],
      filledFromMerged: source.cells?.filledFromMerged ?? 0,
    };
    if (format === 'json' || format === 'jsonl') await inFileOrder(conn, sample, sampleRows);
    return sample;
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}
