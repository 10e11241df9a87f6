/**
 * Every error of an upload, not only the first ones its report keeps: the file-level errors from the
 * report, then each quarantined row's `_errors` read from the quarantine Parquet, in source order. Read
 * by a private in-memory DuckDB (the analysts' catalog connection cannot read quarantine).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createDuckDB } from '../engine/duckdb.ts';
import type { IngestReport, RowError } from '../engine/report.ts';
import { lit } from '../engine/sql.ts';
import { downloadToFile } from '../ingest/s3-objects.ts';

/**
 * The errors of `report` (at most `limit`; null: all), its quarantine Parquet downloaded from
 * `bucket` to a private temporary directory for the reading, then removed.
 */
export async function quarantinedErrors(
  s3: S3Client,
  bucket: string,
  report: IngestReport,
  limit: number | null,
): Promise<RowError[]> {
  const quarantine = report.outputs.find((o) => o.kind === 'quarantine' && o.rows > 0);
  if (!quarantine) return report.errors.slice(0, limit ?? undefined);
  const work = await mkdtemp(join(tmpdir(), 'lake-quarantine-'));
  try {
    const file = join(work, 'quarantine.parquet');
    await downloadToFile(s3, { Bucket: bucket, Key: quarantine.key }, file);
    return await readRejectedRows(report, file, limit);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The errors of `report`, at most `limit` (null: all), its row errors read from `quarantineParquet`. */
export async function readRejectedRows(
  report: IngestReport,
  quarantineParquet: string,
  limit: number | null,
): Promise<RowError[]> {
  const fileErrors = report.errors.filter((e) => e.line === null);
  const fileRules = new Set(fileErrors.map((e) => e.rule));
  const exclude = fileRules.size ? `WHERE e.rule NOT IN (${[...fileRules].map(lit).join(', ')})` : '';
  const rest = limit === null ? null : Math.max(0, limit - fileErrors.length);
  const db = await createDuckDB(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    const rows = await conn.runAndReadAll(
      `SELECT line, e.column, e.rule, e.message
       FROM (SELECT _source_line AS line, unnest(_errors) AS e FROM read_parquet(${lit(quarantineParquet)})) ${exclude}
       ORDER BY line${rest === null ? '' : ` LIMIT ${rest}`}`,
    );
    const rowErrors = rows.getRows().map(([line, column, rule, message]) => ({
      line: line === null ? null : Number(line),
      column: column as string | null,
      rule: String(rule),
      message: String(message),
    }));
    return [...fileErrors, ...rowErrors].slice(0, limit ?? undefined);
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
