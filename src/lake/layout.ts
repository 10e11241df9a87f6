/**
 * Where everything lives in the lake: one function per kind of object, used by the engine, the
 * transformer, the local lake, the CLI and the stack's IAM conditions alike. Keys keep their zone as
 * the first path segment even in the zone's own bucket, so a key says where it belongs.
 *
 *   landing     landing/<department>/<dataset>/<file>                      (written by departments)
 *   raw         raw/<department>/<dataset>/ingest_date=<d>/<uploadId>/<file> (the original, byte-identical)
 *   curated     curated/<department>/<dataset>/ingest_date=<d>/<uploadId>.parquet
 *   quarantine  quarantine/<department>/<dataset>/ingest_date=<d>/<uploadId>.parquet
 *   reports     reports/<department>/<dataset>/<uploadId>.json           (one per upload, written last)
 *   content     quarantine/<department>/<dataset>/_content/<sha256>.json  (which upload published these bytes)
 *   withdrawn   withdrawn/<curated key>                                     (curated files of withdrawn uploads)
 *   requests    landing/<department>/_requests/withdraw/<uploadId>.json     (a steward's withdrawal, deployed lake)
 *   erasures    reports/_erasures/<requestId>.json                          (erasure receipts, quarantine bucket)
 *   open        open/<department>/<dataset>/<dataset>.csv|.parquet|…  and open/catalog.jsonld   (open-data zone)
 */
import { createHash } from 'node:crypto';
import { ID_PATTERN } from '../contracts/id-pattern.ts';

export const ZONES = ['landing', 'raw', 'curated', 'quarantine', 'reports'] as const;
export type Zone = (typeof ZONES)[number];

/** The first path segment of every key of a zone, with its slash. */
export const ZONE_PREFIX: Readonly<Record<Zone, string>> = {
  landing: 'landing/',
  raw: 'raw/',
  curated: 'curated/',
  quarantine: 'quarantine/',
  reports: 'reports/',
};

/** Where Athena writes query results, in the query-results bucket: athena/<audience>/... */
export const QUERY_RESULTS_PREFIX = 'athena/';

/** The date partition column of every dated key, and of append tables: `ingest_date=YYYY-MM-DD`. */
export const PARTITION_COLUMN = 'ingest_date';

/**
 * The folder of a replace dataset's current-upload manifest, under its curated prefix. It starts with
 * `_`, which Hive and Athena skip when they list the dataset's partitions.
 */
export const CURRENT_MANIFEST_DIR = '_current';

export interface DatasetRef {
  department: string;
  dataset: string;
}

/** The date partition of an ingestion (UTC). */
export function ingestDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** `<zone>/<department>/` or `<zone>/<department>/<dataset>/`. */
function zonePrefix(zone: Zone, department: string, dataset?: string): string {
  return dataset ? `${ZONE_PREFIX[zone]}${department}/${dataset}/` : `${ZONE_PREFIX[zone]}${department}/`;
}

/** `ingest_date=<d>/` of a time. */
function partitionSegment(at: Date): string {
  return `${PARTITION_COLUMN}=${ingestDate(at)}/`;
}

export function landingPrefix(department: string, dataset?: string): string {
  return zonePrefix('landing', department, dataset);
}

export function landingKey(ref: DatasetRef, file: string): string {
  return `${landingPrefix(ref.department, ref.dataset)}${file}`;
}

/** The department, dataset and file name of a landing key, or null when the key is not one. */
export function parseLandingKey(key: string): (DatasetRef & { file: string }) | null {
  const parts = key.split('/');
  if (parts.length < 4 || `${parts[0]}/` !== ZONE_PREFIX.landing) return null;
  const [, department, dataset, ...rest] = parts;
  const file = rest.join('/');
  if (!ID_PATTERN.test(department) || !ID_PATTERN.test(dataset) || file === '' || file.endsWith('/'))
    return null;
  return { department, dataset, file };
}

export function rawKey(ref: DatasetRef, uploadId: string, at: Date, file: string): string {
  const name = file.split('/').pop() ?? file;
  return `${zonePrefix('raw', ref.department, ref.dataset)}${partitionSegment(at)}${uploadId}/${name}`;
}

/** `curated/<department>/` (a department's database location) or `curated/<department>/<dataset>/`. */
export function curatedPrefix(ref: DatasetRef | { department: string; dataset?: undefined }): string {
  return zonePrefix('curated', ref.department, ref.dataset);
}

export function curatedKey(ref: DatasetRef, uploadId: string, at: Date): string {
  return `${curatedPrefix(ref)}${partitionSegment(at)}${uploadId}.parquet`;
}

/** The folder of a replace dataset's current-upload manifest. */
export function currentManifestPrefix(ref: DatasetRef): string {
  return `${curatedPrefix(ref)}${CURRENT_MANIFEST_DIR}/`;
}

/** Key of a replace dataset's current-upload manifest (in the curated bucket). */
export function currentManifestKey(ref: DatasetRef): string {
  return `${currentManifestPrefix(ref)}manifest`;
}

export function quarantineKey(ref: DatasetRef, uploadId: string, at: Date): string {
  return `${zonePrefix('quarantine', ref.department, ref.dataset)}${partitionSegment(at)}${uploadId}.parquet`;
}

/**
 * The content index entry of a dataset's uploads with these bytes (in the quarantine bucket): it names the
 * upload that publishes them. Under quarantine/ rather than reports/, where every new object notifies the
 * department; `_content` is skipped by Hive and Athena like every `_` folder.
 */
export function contentIndexKey(ref: DatasetRef, sha256: string): string {
  return `${contentIndexPrefix(ref)}${sha256}.json`;
}

/** The folder of a dataset's content index (in the quarantine bucket). */
export function contentIndexPrefix(ref: DatasetRef): string {
  return `${zonePrefix('quarantine', ref.department, ref.dataset)}_content/`;
}

/** The first path segment of withdrawn curated files, in the curated bucket. */
export const WITHDRAWN_PREFIX = 'withdrawn/';

/** Where a withdrawn upload's curated file goes, in the curated bucket: outside every table's location. */
export function withdrawnKey(curatedKey: string): string {
  return `${WITHDRAWN_PREFIX}${curatedKey}`;
}

export function reportsPrefix(department?: string, dataset?: string): string {
  return department ? zonePrefix('reports', department, dataset) : ZONE_PREFIX.reports;
}

export function reportKey(ref: DatasetRef, uploadId: string): string {
  return `${reportsPrefix(ref.department, ref.dataset)}${uploadId}.json`;
}

/**
 * The upload id of one object version: time-ordered and deterministic, so the same version delivered
 * twice gets the same id (and so the same outputs), and `lake status` lists uploads in order.
 * `version` is the S3 version id, or the ETag where the bucket has no versioning.
 */
export function uploadIdOf(key: string, version: string, lastModified: Date): string {
  const stamp = lastModified
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const digest = createHash('sha256').update(`${key}\n${version}`).digest('hex').slice(0, 12);
  return `${stamp}-${digest}`;
}

/** The time an upload id starts with (`20261201T112353Z-…`: its object's arrival), as ISO 8601; null when it has none. */
export function uploadIdTime(uploadId: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(uploadId);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : null;
}

/** The folder of a department's requests to the transformer, under its landing prefix (`_`: no dataset has it). */
export const REQUESTS_DIR = '_requests';

/** Where a department's steward asks the transformer to withdraw an upload (deployed lake): landing bucket. */
export function withdrawRequestKey(department: string, uploadId: string): string {
  return `${landingPrefix(department)}${REQUESTS_DIR}/withdraw/${uploadId}.json`;
}

/** The department and upload id of a withdrawal request key, or null when the key is not one. */
export function parseWithdrawRequestKey(key: string): { department: string; uploadId: string } | null {
  const m = /^landing\/([^/]+)\/_requests\/withdraw\/([^/]+)\.json$/.exec(key);
  if (!m || !ID_PATTERN.test(m[1]) || !/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$/.test(m[2])) return null;
  return { department: m[1], uploadId: m[2] };
}

/** The folder of erasure receipts, in the quarantine bucket (under reports/, outside every department's). */
export const ERASURES_PREFIX = `${ZONE_PREFIX.reports}_erasures/`;

/** Key of one erasure's receipt (in the quarantine bucket). */
export function erasureReceiptKey(requestId: string): string {
  return `${ERASURES_PREFIX}${requestId}.json`;
}

/** The prefix of a dataset's withdrawn curated files (in the curated bucket). */
export function withdrawnPrefix(ref: DatasetRef): string {
  return withdrawnKey(curatedPrefix(ref));
}

/** The open-data zone's first path segment (its own bucket on AWS, `.lake/open/` locally). */
export const OPEN_PREFIX = 'open/';
/** The open-data zone's DCAT-AP catalogue (JSON-LD) and its small JSON index. */
export const OPEN_CATALOG_KEY = `${OPEN_PREFIX}catalog.jsonld`;
export const OPEN_INDEX_KEY = `${OPEN_PREFIX}catalog.json`;

/** `open/<department>/<dataset>/`: the files of one opened dataset. */
export function openPrefix(ref: DatasetRef): string {
  return `${OPEN_PREFIX}${ref.department}/${ref.dataset}/`;
}
