/**
 * The local lake's catalog as `lake catalog` shows it: every dataset's entry (owner, rows, last ingest)
 * and one dataset's page, read from catalog.duckdb; with an identity (`--as`), what it may read of each
 * and, on the page, rows of its readable columns only.
 */
import type { ReadAccess } from '../access/policy.ts';
import type { DatasetContract } from '../contracts/schema.ts';
import { catalogueEntry } from '../lake/catalogue.ts';
import {
  type DatasetModel,
  datasetModel,
  type PublishedColumn,
  tableColumns,
} from '../lake/dataset-model.ts';
import type { CatalogReader } from '../local/catalog-reader.ts';
import { LOCAL_CURATED_BUCKET } from '../local/lake-dir.ts';
import type {
  ColumnInfo,
  DatasetDetail,
  DatasetDetailOptions,
  DatasetInfo,
  UploadSummary,
} from './backend.ts';
import type { ContractSet } from './contracts.ts';
import { accessInfo } from './local-access.ts';
import { datasetPage } from './local-dataset-page.ts';

/** What an identity reads of every dataset (`<department>/<dataset>`), or null for the operator. */
export type Readable = Map<string, ReadAccess> | null;

/** Every dataset of the contracts, by key, with its rows and last ingest (and the identity's access). */
export async function catalogEntries(
  reader: CatalogReader,
  contracts: ContractSet,
  readable: Readable,
): Promise<DatasetInfo[]> {
  const out: DatasetInfo[] = [];
  for (const contract of [...contracts.datasets.values()].sort(byKey)) {
    out.push({
      ...infoOf(contract, contracts),
      ...statsFor(await stats(reader, contract.department, contract.name), contract, readable),
      ...accessOf(contract, readable),
    });
  }
  return out;
}

/** One dataset's page: its entry, columns, period, uploads and sample rows (the identity's columns only). */
export async function catalogPage(
  reader: CatalogReader,
  contracts: ContractSet,
  contract: DatasetContract,
  uploads: UploadSummary[],
  readable: Readable,
  opts: DatasetDetailOptions = {},
): Promise<DatasetDetail> {
  const model = datasetModel(contract);
  const access = accessOf(contract, readable);
  const page = await datasetPage(reader, model, uploads, opts.sample ?? 0, opts.now);
  if (access.access) {
    // The identity's page: rows only of a table it reads, and only its columns.
    const read = readable?.get(model.id)?.columns ?? [];
    if (read.length === 0) {
      page.sample = page.sample ? [] : page.sample;
      page.period = null;
    } else if (page.sample) {
      page.sample = page.sample.map((row) =>
        Object.fromEntries(Object.entries(row).filter(([k]) => read.includes(k))),
      );
      if (page.period && !read.includes(page.period.field)) page.period = null;
    }
  }
  return {
    ...infoOf(contract, contracts),
    ...statsFor(await stats(reader, contract.department, contract.name), contract, readable),
    ...access,
    description: contract.description ?? null,
    primaryKey: contract.primaryKey ?? [],
    format: contract.format.type,
    location: `s3://${LOCAL_CURATED_BUCKET}/${model.storage.curatedPrefix}`,
    table: `${contract.department}.${contract.name}`,
    columns: tableColumns(model).map((c) => ({ ...columnInfo(c), headers: headersOf(model, c) })),
    ...page,
  };
}

/**
 * The table's statistics as the identity may see them: its row count only where it reads the table (as on
 * AWS, where rows are counted under the reader's grants); when it was last updated, always (the catalogue's
 * freshness is public).
 */
function statsFor(
  s: { rows: number; lastIngested: string | null },
  contract: DatasetContract,
  readable: Readable,
): { rows: number | null; lastIngested: string | null } {
  const read = readable?.get(`${contract.department}/${contract.name}`);
  return readable && !read?.columns.length ? { ...s, rows: null } : s;
}

function accessOf(contract: DatasetContract, readable: Readable): Pick<DatasetInfo, 'access'> {
  if (!readable) return {};
  const key = `${contract.department}/${contract.name}`;
  const all = tableColumns(datasetModel(contract)).map((c) => c.name);
  return { access: accessInfo(key, readable.get(key) as ReadAccess, all) };
}

const byKey = (a: { department: string; name: string }, b: { department: string; name: string }) =>
  `${a.department}/${a.name}`.localeCompare(`${b.department}/${b.name}`);

/** The header spellings the contract accepts for a column (none for lineage and partition columns). */
function headersOf(model: DatasetModel, c: PublishedColumn): string[] {
  return model.fields.find((f) => f.column === c)?.field.headers ?? [];
}

/** A published column as `lake catalog` shows it (headers are the caller's to add, where known). */
export function columnInfo(c: PublishedColumn): ColumnInfo {
  return {
    name: c.name,
    type: c.type.glue,
    classification: c.classification,
    pii: c.protection?.pii ?? null,
    protect: c.protection?.action ?? null,
    description: c.description ?? c.title,
    headers: null,
    ...(c.role === 'partition' ? { partition: true } : {}),
  };
}

function infoOf(contract: DatasetContract, set: ContractSet): DatasetInfo {
  const owner = set.departments.find((d) => d.id === contract.department)?.name ?? contract.department;
  return {
    dataset: `${contract.department}/${contract.name}`,
    department: contract.department,
    name: contract.name,
    title: contract.title,
    owner,
    classification: contract.classification,
    mode: contract.mode,
    rows: null,
    lastIngested: null,
    catalogue: catalogueEntry(contract),
  };
}

async function stats(
  reader: CatalogReader,
  department: string,
  dataset: string,
): Promise<{ rows: number; lastIngested: string | null }> {
  const q = `SELECT count(*) AS n, strftime(max(_ingested_at), '%Y-%m-%dT%H:%M:%SZ') AS last FROM "${department}"."${dataset}"`;
  const r = await reader.query(q);
  const row = r.rows[0] ?? {};
  return { rows: Number(row.n ?? 0), lastIngested: (row.last as string | null) ?? null };
}
