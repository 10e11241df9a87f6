/**
 * What `lake catalog <department>/<dataset>` shows of a local dataset beyond its description: the period
 * its rows cover, its last upload, the rows in quarantine and a few sample rows. The samples are read from
 * the dataset's view, so they hold the published values only (masked and hashed as analysts see them).
 */
import { ident } from '../engine/sql.ts';
import type { DatasetModel } from '../lake/dataset-model.ts';
import type { CatalogReader } from '../local/catalog-reader.ts';
import type { DatasetDetail, UploadSummary } from './backend.ts';

/** Field types whose first published column gives the period the data covers. */
const PERIOD_TYPES = new Set(['date', 'datetime']);

/** The first date (or datetime) field published with its type, or null. */
export function periodField(model: DatasetModel): string | null {
  const f = model.fields.find(
    (f) =>
      PERIOD_TYPES.has(f.field.type) &&
      f.column !== null &&
      (f.protection === null || f.protection.action === 'keep'),
  );
  return f?.column?.name ?? null;
}

export async function datasetPage(
  reader: CatalogReader,
  model: DatasetModel,
  uploads: readonly UploadSummary[],
  sample: number,
): Promise<Pick<DatasetDetail, 'period' | 'lastUpload' | 'quarantinedRows' | 'sample'>> {
  const table = `${ident(model.ref.department)}.${ident(model.ref.dataset)}`;
  const field = periodField(model);
  let period: DatasetDetail['period'] = null;
  if (field) {
    const r = await reader.query(
      `SELECT CAST(min(${ident(field)}) AS VARCHAR) AS "from", CAST(max(${ident(field)}) AS VARCHAR) AS "to" FROM ${table}`,
    );
    const row = r.rows[0] ?? {};
    period = { field, from: (row.from as string | null) ?? null, to: (row.to as string | null) ?? null };
  }
  const last = uploads[0];
  const fields = model.fields.flatMap((f) => (f.column ? [ident(f.column.name)] : []));
  const rows =
    sample > 0 && fields.length > 0
      ? (await reader.query(`SELECT ${fields.join(', ')} FROM ${table} LIMIT ${Math.floor(sample)}`)).rows
      : [];
  return {
    period,
    lastUpload: last ? { uploadId: last.uploadId, status: last.status, startedAt: last.startedAt } : null,
    quarantinedRows: uploads.reduce((n, u) => n + u.rows.rejected, 0),
    sample: rows,
  };
}
