/** Shared helpers for engine tests: run the engine on a file and read its outputs back with DuckDB. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, expect } from 'vitest';
import { type DatasetContract, datasetSchema } from '../../src/contracts/schema.ts';
import type { IngestReport } from '../../src/engine/report.ts';
import { type TransformOptions, transformFile } from '../../src/engine/transform.ts';

/** Temp directories made by these helpers, removed when the test file is done. */
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export const HASH_KEY = Buffer.from('test-hash-key-0123456789abcdef', 'utf8');
export const NOW = new Date('2026-11-28T08:00:00Z');

/** A contract from a plain object, with the loader's defaults applied. */
export function contract(input: Record<string, unknown>): DatasetContract {
  return datasetSchema.parse({ department: 'health', name: 'clinics', title: 'Test dataset', ...input });
}

export interface Outcome {
  report: IngestReport;
  outDir: string;
  /** Published rows, in source-line order, read back with DuckDB (values as JSON-friendly strings). */
  curated: Record<string, unknown>[];
  /** Quarantined rows, in source-line order. */
  quarantine: Record<string, unknown>[];
  /** Column name -> DuckDB type of the curated file. */
  curatedTypes: Record<string, string>;
}

export async function readParquet(
  path: string,
): Promise<{ rows: Record<string, unknown>[]; types: Record<string, string> }> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const lit = `'${path.replaceAll("'", "''")}'`;
    const r = await c.runAndReadAll(
      `SELECT * FROM read_parquet(${lit}, hive_partitioning = false) ORDER BY _source_line`,
    );
    const d = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit}, hive_partitioning = false)`);
    return {
      rows: r.getRowObjectsJson() as Record<string, unknown>[],
      types: Object.fromEntries(d.getRows().map((x) => [String(x[0]), String(x[1])])),
    };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Run the engine on `inputPath` and read everything it wrote. */
export async function ingest(
  inputPath: string,
  c: DatasetContract,
  extra: Partial<TransformOptions> = {},
): Promise<Outcome> {
  const outDir = await tempDir('lake-test-out-');
  const report = await transformFile({
    inputPath,
    contract: c,
    sourceKey: `landing/${c.department}/${c.name}/${inputPath.split('/').pop()}`,
    uploadId: 'upload-1',
    outDir,
    hashKey: HASH_KEY,
    now: NOW,
    ...extra,
  });
  const curatedOut = report.outputs.find((o) => o.kind === 'curated');
  const quarantineOut = report.outputs.find((o) => o.kind === 'quarantine');
  const cur = curatedOut ? await readParquet(join(outDir, curatedOut.key)) : { rows: [], types: {} };
  const q = quarantineOut ? await readParquet(join(outDir, quarantineOut.key)) : { rows: [], types: {} };
  const written = JSON.parse(
    await readFile(join(outDir, `reports/${c.department}/${c.name}/upload-1.json`), 'utf8'),
  );
  if (JSON.stringify(written) !== JSON.stringify(report))
    throw new Error('the report file differs from the returned report');
  return { report, outDir, curated: cur.rows, quarantine: q.rows, curatedTypes: cur.types };
}

/** The invariant every report must keep. */
export function expectAccounted(report: IngestReport): void {
  const { total, accepted, rejected, skipped = 0 } = report.rows;
  if (accepted + rejected + skipped !== total)
    throw new Error(`accepted ${accepted} + rejected ${rejected} + skipped ${skipped} != total ${total}`);
  const outRows = report.outputs.reduce((n, o) => n + o.rows, 0);
  if (outRows + skipped !== total)
    throw new Error(`outputs hold ${outRows} rows and ${skipped} were skipped, the report says ${total}`);
  if (report.status === 'rejected' && report.errors.length === 0)
    throw new Error('a rejected file must say why');
}

/** One CSV record: fields quoted when they hold a comma, a quote or a line break. */
export function csvRecord(values: readonly string[]): string {
  return values.map((v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',');
}

/** CSV text from a header and rows, one record per line, with a final newline. */
export function csvText(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return `${[header, ...rows].map(csvRecord).join('\n')}\n`;
}

/** Write `text` as `name` into a fresh temporary directory; returns the file's path. */
export async function writeInput(text: string | Buffer, name = 'upload.csv'): Promise<string> {
  const dir = await tempDir('lake-test-in-');
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** Milliseconds since the epoch of a TIMESTAMPTZ read back as JSON text (e.g. '2026-11-28 08:00:00+00'). */
export function timestamptzMillis(text: string): number {
  const iso = text
    .replace(' ', 'T')
    .replace(/([+-]\d\d)$/, '$1:00')
    .replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  return Date.parse(iso);
}

export interface ExpectedRowError {
  line: number;
  column: string | null;
  rule: string;
  message: string;
}

type AnyRowError = Omit<ExpectedRowError, 'line'> & { line: number | null };
const byLineColumnRule = (a: AnyRowError, b: AnyRowError) =>
  (a.line ?? 0) - (b.line ?? 0) ||
  String(a.column).localeCompare(String(b.column)) ||
  a.rule.localeCompare(b.rule) ||
  a.message.localeCompare(b.message);

/**
 * The row errors of an upload that was not rejected as a whole are exactly `expected`: in the report's
 * errors (in line order), in its errorCounts, and in the quarantine file (one row per line, with
 * `_source_line` and every error of the line in `_errors`).
 */
export function expectRowErrors(o: Outcome, expected: ExpectedRowError[]): void {
  const lines = o.report.errors.map((e) => e.line ?? 0);
  expect(lines).toEqual([...lines].sort((a, b) => a - b));
  expect([...o.report.errors].sort(byLineColumnRule)).toEqual([...expected].sort(byLineColumnRule));

  const counts: Record<string, Record<string, number>> = {};
  for (const e of expected) {
    counts[e.rule] ??= {};
    counts[e.rule][e.column ?? '_row'] = (counts[e.rule][e.column ?? '_row'] ?? 0) + 1;
  }
  expect(o.report.errorCounts).toEqual(counts);

  const expectedLines = [...new Set(expected.map((e) => e.line))].sort((a, b) => a - b);
  expect(o.quarantine.map((r) => Number(r._source_line))).toEqual(expectedLines);
  for (const row of o.quarantine) {
    const line = Number(row._source_line);
    const want = expected
      .filter((e) => e.line === line)
      .map(({ column, rule, message }) => ({ column, rule, message }));
    const got = row._errors as { column: string | null; rule: string; message: string }[];
    expect(got).toHaveLength(want.length);
    expect(got).toEqual(expect.arrayContaining(want));
  }
}

/**
 * Rows as plain values for comparison: BIGINT columns (read back as strings) and `_source_line` as
 * numbers, and without the `_upload_id` and `_ingested_at` lineage columns.
 */
export function plainRows(
  rows: Record<string, unknown>[],
  types: Record<string, string> = {},
): Record<string, unknown>[] {
  return rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) {
      if (k === '_upload_id' || k === '_ingested_at') continue;
      const integer = k === '_source_line' || types[k] === 'BIGINT';
      out[k] = integer && typeof v === 'string' ? Number(v) : v;
    }
    return out;
  });
}
