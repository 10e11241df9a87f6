/**
 * Publishing a dataset to the open-data zone: its open copy rebuilt from what the lake publishes now, then
 * the zone's index and DCAT-AP catalogue updated, the catalogue last.
 *
 * Which rows: those of the uploads that publish (accepted or partial, not withdrawn) and whose report
 * found no personal data in a column the contract does not declare (`pii.found`): such an upload is never
 * opened, and its rows stay out of every later open copy too.
 *
 *   replace  the latest such upload's curated file (a newer upload with finds leaves the previous open)
 *   append   every such upload's curated file
 *   upsert   the merged state, less the rows of every other upload
 *
 * Files are written first, each whole; then the index (one conditional write); then `catalog.jsonld`,
 * rendered from the index as read just before its own conditional write, so the last catalogue written
 * always holds every entry. A dataset with nothing left to open (all withdrawn) leaves the catalogue
 * first, then its files are removed.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../../contracts/schema.ts';
import type { IngestReport } from '../../engine/report.ts';
import { datasetModel } from '../../lake/dataset-model.ts';
import { type DatasetRef, OPEN_CATALOG_KEY, OPEN_INDEX_KEY, openPrefix } from '../../lake/layout.ts';
import { publishes } from '../content-index.ts';
import { readCurrentManifest } from '../current-manifest.ts';
import { listReports, readReport } from '../report-store.ts';
import { downloadToFile } from '../s3-objects.ts';
import type { LakeBuckets, OpenZoneLocation } from '../types.ts';
import { buildOpenCopy, type DictionaryColumn, dictionaryOf, openFileKey } from './build-open.ts';
import { type CatalogInfo, DEFAULT_CATALOG_INFO, dcatCatalog, FILE_FORMATS } from './dcat.ts';
import { divisionName } from './divisions.ts';
import { type OpenDatasetEntry, type OpenIndex, parseIndex } from './open-index.ts';
import { baseUrlOf, type OpenStore, openStoreOf, urlOf } from './open-store.ts';

/** Attempts at a conditional write of the index or the catalogue before giving up. */
const MAX_ATTEMPTS = 10;
export const JSONLD_CONTENT_TYPE = 'application/ld+json; charset=utf-8';
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface OpenDataDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  /** Department names (departments.yaml) for the catalogue's publishers, keyed by id. @default the ids */
  readonly publishers?: ReadonlyMap<string, string>;
  readonly catalog?: CatalogInfo;
  readonly memoryLimit?: string;
  readonly tmpDir?: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export type RefreshOutcome =
  | { status: 'published'; rows: number; files: number }
  | { status: 'removed'; rows: 0 }
  | { status: 'not-open' };

/** The zone's store and base URL; throws when the lake has no open-data zone. */
export function openZone(deps: { s3: S3Client; buckets: LakeBuckets }): {
  store: OpenStore;
  baseUrl: string;
  location: OpenZoneLocation;
} {
  const location = deps.buckets.open;
  if (!location) throw new Error('the lake has no open-data zone (LakeBuckets.open is not set)');
  return { store: openStoreOf(deps.s3, location), baseUrl: baseUrlOf(location), location };
}

/** The index of the zone as it is now, with its ETag (null: none yet). */
export async function readOpenIndex(
  store: OpenStore,
  baseUrl: string,
  at = new Date().toISOString(),
): Promise<{ index: OpenIndex; etag: string | null }> {
  const found = await store.get(OPEN_INDEX_KEY);
  return { index: parseIndex(found?.body.toString('utf8') ?? null, baseUrl, at), etag: found?.etag ?? null };
}

/**
 * Rebuilds a dataset's open copy from the lake's published state. `contract` gives the columns and the
 * catalogue metadata; without it (a withdrawal or an erasure, which carry no contracts) the zone's own
 * dictionary and index entry are used, and a dataset not in the zone is left alone. `current` is an upload
 * whose report is not written yet (the upload being processed).
 */
export async function refreshOpenData(
  deps: OpenDataDeps,
  ref: DatasetRef,
  opts: { contract?: DatasetContract; current?: IngestReport } = {},
): Promise<RefreshOutcome> {
  const { store, baseUrl } = openZone(deps);
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const id = `${ref.department}/${ref.dataset}`;
  const { index } = await readOpenIndex(store, baseUrl, at);
  const known = index.datasets[id];
  let shape: { mode: string; dictionary: DictionaryColumn[]; temporalField?: string };
  if (opts.contract) {
    const t = opts.contract.temporal;
    shape = {
      mode: opts.contract.mode,
      dictionary: dictionaryOf(datasetModel(opts.contract)),
      temporalField: t && 'field' in t ? t.field : undefined,
    };
  } else {
    if (!known) return { status: 'not-open' };
    const dict = await store.get(openFileKey(ref, 'dictionary-json'));
    if (!dict) return { status: 'not-open' };
    const parsed = JSON.parse(dict.body.toString('utf8')) as { columns: DictionaryColumn[] };
    shape = { mode: known.mode, dictionary: parsed.columns, temporalField: known.temporalField ?? undefined };
  }

  const work = await mkdtemp(join(deps.tmpDir ?? tmpdir(), 'lake-open-'));
  try {
    const sources = await openSources(deps, ref, shape.mode, opts.current);
    if (sources.uploads.length === 0) {
      if (known) await removeFromZone(store, baseUrl, ref, at);
      return { status: 'removed', rows: 0 };
    }
    const inputs: string[] = [];
    for (const [i, key] of sources.keys.entries()) {
      const path = join(work, `in-${i}.parquet`);
      await downloadToFile(deps.s3, { Bucket: deps.buckets.curated, Key: key }, path);
      inputs.push(path);
    }
    const outDir = join(work, 'out');
    await mkdir(outDir, { recursive: true });
    const built = await buildOpenCopy({
      ref,
      id,
      dictionary: shape.dictionary,
      temporalField: shape.temporalField,
      inputs,
      uploads: sources.uploads,
      outDir,
      memoryLimit: deps.memoryLimit,
    });
    for (const f of built.files) await store.putFile(f.key, f.path, FILE_FORMATS[f.kind].mediaType);

    const contract = opts.contract;
    const spatialCode = contract ? (contract.spatial ?? null) : (known?.spatial?.code ?? null);
    const spatial = spatialCode
      ? {
          code: spatialCode,
          name: (await divisionName(store, ref, spatialCode, built, work)) ?? known?.spatial?.name ?? null,
        }
      : null;
    const fixed = contract?.temporal && 'start' in contract.temporal ? contract.temporal : null;
    const entry: OpenDatasetEntry = {
      id,
      department: ref.department,
      dataset: ref.dataset,
      mode: shape.mode,
      temporalField: shape.temporalField ?? null,
      title: contract?.title ?? known?.title ?? id,
      description: contract ? (contract.description ?? null) : (known?.description ?? null),
      publisher: {
        id: ref.department,
        name: deps.publishers?.get(ref.department) ?? known?.publisher.name ?? ref.department,
      },
      keywords: contract ? (contract.keywords ?? []) : (known?.keywords ?? []),
      theme: contract ? (contract.theme ?? []) : (known?.theme ?? []),
      spatial,
      temporal: fixed
        ? { start: fixed.start, end: fixed.end ?? null }
        : built.temporal
          ? { start: built.temporal.start, end: built.temporal.end }
          : null,
      updateFrequency: contract ? (contract.updateFrequency ?? null) : (known?.updateFrequency ?? null),
      license: contract ? (contract.license ?? null) : (known?.license ?? null),
      contactPoint: contract ? (contract.contactPoint ?? null) : (known?.contactPoint ?? null),
      modified: at,
      latestUpload: sources.uploads[sources.uploads.length - 1] ?? null,
      rows: built.rows,
      files: built.files.map((f) => ({
        kind: f.kind,
        key: f.key,
        url: urlOf(baseUrl, f.key),
        bytes: f.bytes,
        sha256: f.sha256,
        mediaType: FILE_FORMATS[f.kind].mediaType,
      })),
    };
    await updateCatalogue(store, baseUrl, at, deps.catalog, (ix) => {
      ix.datasets[id] = entry;
    });
    return { status: 'published', rows: built.rows, files: built.files.length };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The curated files and the uploads whose rows the open copy holds (see the module comment). */
async function openSources(
  deps: OpenDataDeps,
  ref: DatasetRef,
  mode: string,
  current?: IngestReport,
): Promise<{ keys: string[]; uploads: string[] }> {
  const reports: IngestReport[] = [];
  for (const entry of await listReports(deps.s3, deps.buckets.quarantine, ref.department, ref.dataset)) {
    if (entry.uploadId === current?.uploadId) continue;
    const r = await readReport(deps.s3, deps.buckets.quarantine, ref, entry.uploadId);
    if (r) reports.push(r);
  }
  if (current) reports.push(current);
  const clean = reports
    .filter((r) => publishes(r) && r.pii.found.length === 0)
    .sort((a, b) => (a.uploadId < b.uploadId ? -1 : 1));
  const curatedOf = (r: IngestReport) => r.outputs.filter((o) => o.kind === 'curated').map((o) => o.key);
  if (mode === 'replace') {
    const latest = clean.filter((r) => curatedOf(r).length > 0).pop();
    return latest ? { keys: curatedOf(latest), uploads: [latest.uploadId] } : { keys: [], uploads: [] };
  }
  if (mode === 'upsert') {
    const manifest = await readCurrentManifest(deps.s3, deps.buckets.curated, ref);
    const prefix = `s3://${deps.buckets.curated}/`;
    const keys = (manifest?.uris ?? [])
      .filter((u) => u.startsWith(prefix))
      .map((u) => u.slice(prefix.length));
    return keys.length > 0 ? { keys, uploads: clean.map((r) => r.uploadId) } : { keys: [], uploads: [] };
  }
  const withFiles = clean.filter((r) => curatedOf(r).length > 0);
  return { keys: withFiles.flatMap(curatedOf), uploads: withFiles.map((r) => r.uploadId) };
}

/** Takes a dataset out of the catalogue, then removes its files. */
export async function removeFromZone(
  store: OpenStore,
  baseUrl: string,
  ref: DatasetRef,
  at: string,
): Promise<void> {
  await updateCatalogue(store, baseUrl, at, undefined, (ix) => {
    delete ix.datasets[`${ref.department}/${ref.dataset}`];
  });
  for (const o of await store.list(openPrefix(ref))) await store.delete(o.key);
}

/** Applies `change` to the index (conditional write), then writes the catalogue rendered from it. */
async function updateCatalogue(
  store: OpenStore,
  baseUrl: string,
  at: string,
  info: CatalogInfo | undefined,
  change: (index: OpenIndex) => void,
): Promise<void> {
  let written = false;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS && !written; attempt++) {
    const { index, etag } = await readOpenIndex(store, baseUrl, at);
    change(index);
    index.baseUrl = baseUrl;
    index.updated = at;
    written = await store.putIf(
      OPEN_INDEX_KEY,
      `${JSON.stringify(index, null, 2)}\n`,
      JSON_CONTENT_TYPE,
      etag,
    );
  }
  if (!written)
    throw new Error(`${store.where}catalog.json kept changing; the open copy is published again later`);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    // The catalogue's ETag first, then the index: a catalogue written meanwhile by another publication
    // makes this write fail and render the index again.
    const catalogue = await store.get(OPEN_CATALOG_KEY);
    const { index } = await readOpenIndex(store, baseUrl, at);
    const text = `${JSON.stringify(dcatCatalog(index, info ?? DEFAULT_CATALOG_INFO), null, 2)}\n`;
    if (await store.putIf(OPEN_CATALOG_KEY, text, JSONLD_CONTENT_TYPE, catalogue?.etag ?? null)) return;
  }
  throw new Error(
    `${store.where}catalog.jsonld kept changing; it is written again with the next publication`,
  );
}
