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
    const probe = datasetSchema.parse({
      name: ref.dataset,
      department: ref.department,
      title: 'probe',
      format: { type: format },
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
    const result = cols
      ? await conn.runAndReadAll(
          `SELECT ${cols} FROM src WHERE __row_rule IS NULL ORDER BY __rn LIMIT ${sampleRows}`,
        )
      : null;
    const rows = (result?.getRows() ?? []).map((r) => r.map((v) => (v === null ? null : String(v))));
    return { format, encoding: source.encoding, columns: source.columns, rows };
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(work, { recursive: true, force: true });
  }
}
