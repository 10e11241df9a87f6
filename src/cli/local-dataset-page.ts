/**
 * What `lake catalog <department>/<dataset>` shows of a local dataset beyond its description: the period
 * its rows cover (the contract's `temporal.field`, else its first published date field), its last upload,
 * its freshness, the rows in quarantine, the name of the area it covers (from the published statistics
 * divisions, when the lake holds them) and a few sample rows. The samples are read from the dataset's
 * view, so they hold the published values only (masked and hashed as analysts see them).
 */
import { ident, lit } from '../engine/sql.ts';
import { type CatalogueEntry, catalogueEntry, divisionCodeForms } from '../lake/catalogue.ts';
import type { DatasetModel } from '../lake/dataset-model.ts';
import { freshness, lakeNow, lastCountingUpload } from '../lake/freshness.ts';
import type { CatalogReader } from '../local/catalog-reader.ts';
import type { DatasetDetail, UploadSummary } from './backend.ts';

/** Field types whose first published column gives the period the data covers. */
const PERIOD_TYPES = new Set(['date', 'datetime']);

/** The published table of divisions that names a dataset's `spatial` code, and its columns. */
export const DIVISIONS_TABLE = { department: 'statistics', dataset: 'divisions', code: 'code', name: 'name' };

/**
 * The field whose range is the period the data covers: the contract's `temporal.field`, else the first
 * date (or datetime) field published with its type; null when there is none.
 */
export function periodField(model: DatasetModel): string | null {
  const temporal = model.contract.temporal;
  const wanted = temporal && 'field' in temporal ? temporal.field : null;
  const f = model.fields.find(
    (f) =>
      (wanted === null || f.field.name === wanted) &&
      PERIOD_TYPES.has(f.field.type) &&
      f.column !== null &&
      (f.protection === null || f.protection.action === 'keep'),
  );
  return f?.column?.name ?? null;
}

/** The name of a division code in the published divisions table, or null (no such table, or no row). */
export async function divisionName(reader: CatalogReader, code: string): Promise<string | null> {
  const t = DIVISIONS_TABLE;
  const exists = await reader.query(
    `SELECT 1 FROM information_schema.tables WHERE table_schema = ${lit(t.department)} AND table_name = ${lit(t.dataset)}`,
  );
  if (exists.rows.length === 0) return null;
  const forms = divisionCodeForms(code);
  const r = await reader.query(
    `SELECT CAST(${ident(t.name)} AS VARCHAR) AS name FROM ${ident(t.department)}.${ident(t.dataset)} WHERE CAST(${ident(t.code)} AS VARCHAR) IN (${forms.map(lit).join(', ')}) LIMIT 1`,
  );
  return (r.rows[0]?.name as string | null | undefined) ?? null;
}

export async function datasetPage(
  reader: CatalogReader,
  model: DatasetModel,
  uploads: readonly UploadSummary[],
  sample: number,
  now: Date = lakeNow(),
): Promise<
  Pick<DatasetDetail, 'period' | 'lastUpload' | 'quarantinedRows' | 'sample' | 'freshness' | 'catalogue'>
> {
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
  const catalogue: CatalogueEntry = catalogueEntry(model.contract);
  if (catalogue.spatial) catalogue.spatial.name = await divisionName(reader, catalogue.spatial.code);
  return {
    catalogue,
    freshness: freshness(model.contract.updateFrequency, lastCountingUpload(uploads), now),
    period,
    lastUpload: last ? { uploadId: last.uploadId, status: last.status, startedAt: last.startedAt } : null,
    quarantinedRows: uploads.reduce((n, u) => n + u.rows.rejected, 0),
    sample: rows,
  };
}
