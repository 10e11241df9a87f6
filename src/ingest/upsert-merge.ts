/**
 * The current state of a `mode: upsert` dataset: one merged Parquet file holding, for each primary key, the
 * row of the latest upload that published it (upload ids are time-ordered), named by the same
 * current-upload manifest a replace dataset has, so the table (Glue's symlink table, the local view) reads
 * exactly the merged file:
 *
 *   curated/<department>/<dataset>/_merged/<uploadId>.parquet    the state once <uploadId> is merged
 *   curated/<department>/<dataset>/_current/manifest             one line: the merged file now current
 *
 * Each upload's own curated file stays in its dated partition, as in every mode (the history, and what a
 * withdrawal moves out). Merging an upload is: read the manifest, merge its file with the upload's rows
 * (per key the greatest `_upload_id` wins, so uploads merged in any order give the same state), write the
 * new merged file, then switch the manifest with one conditional write: readers see the state before or
 * after, never a mix. Two merges at once: the one whose switch lands second reads the manifest again and
 * merges on top of the first. A crash before the switch leaves the old state current and the retry merges
 * again (the same key, the same rows); after it, the retry finds its upload already merged.
 *
 * A withdrawal rebuilds the state without the upload (rebuildUpsert): the current state less its rows, with
 * the curated files of the uploads still published under it (an upload merged but not yet reported is in
 * the current state, so it is kept). The manifest carries
 * the key columns in its metadata (`upsert-key`), so a withdrawal needs no contract.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createDuckDB } from '../engine/duckdb.ts';
import { ident, lit } from '../engine/sql.ts';
import { curatedPrefix, currentManifestKey, type DatasetRef } from '../lake/layout.ts';
import { publishes } from './content-index.ts';
import { manifestText, readCurrentManifest } from './current-manifest.ts';
import { IngestError } from './errors.ts';
import { listReports, readReport } from './report-store.ts';
import { downloadToFile, isNotFound, isPreconditionFailed, uploadFile } from './s3-objects.ts';
import type { LakeBuckets } from './types.ts';

/** Attempts at the conditional switch before giving up (each attempt merges again on the newer state). */
const MAX_ATTEMPTS = 5;
const PARQUET = 'application/vnd.apache.parquet';

export interface UpsertDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  /** DuckDB memory limit for the merge. @default DuckDB's */
  readonly memoryLimit?: string;
}

/** Key of the merged file written once `uploadId` is merged. */
export function mergedKey(ref: DatasetRef, uploadId: string): string {
  return `${curatedPrefix(ref)}_merged/${uploadId}.parquet`;
}

/** Merges one upload's curated file (local Parquet) into the dataset's current state. */
export async function mergeUpsert(
  deps: UpsertDeps,
  job: { ref: DatasetRef; uploadId: string; key: readonly string[]; curatedPath: string; work: string },
): Promise<'merged' | 'already-merged'> {
  const { s3, buckets } = deps;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await readCurrentManifest(s3, buckets.curated, job.ref);
    if (current?.uploadId === job.uploadId) return 'already-merged';
    const dir = join(job.work, `merge-${attempt}`);
    const inputs = [job.curatedPath, ...(await download(deps, current?.uris ?? [], dir))];
    if (await mergeAndSwitch(deps, job.ref, job.uploadId, job.key, inputs, dir, current?.etag ?? null)) {
      return 'merged';
    }
  }
  throw new IngestError(
    `s3://${buckets.curated}/${currentManifestKey(job.ref)} kept changing during ${MAX_ATTEMPTS} attempts to merge upload ${job.uploadId}; the upload will be retried`,
  );
}

/**
 * Rebuilds an upsert dataset's state from the uploads still published, other than `except` (a withdrawal).
 * Returns false when the dataset is not an upsert dataset (its manifest names no merged file).
 */
export async function rebuildUpsert(
  deps: UpsertDeps,
  ref: DatasetRef,
  except: string,
  work: string,
): Promise<boolean> {
  const { s3, buckets } = deps;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await readCurrentManifest(s3, buckets.curated, ref);
    if (!current?.uris.some((u) => u.includes('/_merged/'))) return false;
    const key = await keyColumns(s3, buckets.curated, ref);
    const keys: string[] = [];
    let latest = '';
    for (const entry of await listReports(s3, buckets.quarantine, ref.department, ref.dataset)) {
      if (entry.uploadId === except) continue;
      const r = await readReport(s3, buckets.quarantine, ref, entry.uploadId);
      if (!r || !publishes(r)) continue;
      for (const o of r.outputs) if (o.kind === 'curated') keys.push(o.key);
      latest = r.uploadId;
    }
    const dir = join(work, `rebuild-${attempt}`);
    const prefix = `s3://${buckets.curated}/`;
    const inputs = await download(deps, [...current.uris, ...keys.map((k) => `${prefix}${k}`)], dir);
    // The state is named after the latest upload still published, and the one it is without.
    const name = `${latest || 'none'}-rebuilt-without-${except}`;
    if (await mergeAndSwitch(deps, ref, name, key, inputs, dir, current.etag ?? null, except)) return true;
  }
  throw new IngestError(
    `s3://${buckets.curated}/${currentManifestKey(ref)} kept changing during ${MAX_ATTEMPTS} attempts to rebuild it; run the withdrawal again`,
  );
}

/** Downloads the curated files the URIs name (s3://<curated bucket>/<key>) into `dir`; returns their paths. */
async function download(deps: UpsertDeps, uris: readonly string[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const prefix = `s3://${deps.buckets.curated}/`;
  const paths: string[] = [];
  for (const [i, uri] of uris.entries()) {
    if (!uri.startsWith(prefix))
      throw new IngestError(`the current-upload manifest names ${uri}, outside the curated bucket`);
    const path = join(dir, `${i}.parquet`);
    await downloadToFile(deps.s3, { Bucket: deps.buckets.curated, Key: uri.slice(prefix.length) }, path);
    paths.push(path);
  }
  return paths;
}

/**
 * Writes the merged state of `inputs` (per key, the row with the greatest `_upload_id`) as the merged file
 * of `name`, then points the manifest at it if it is still at `etag`. False: the manifest moved meanwhile.
 */
async function mergeAndSwitch(
  deps: UpsertDeps,
  ref: DatasetRef,
  name: string,
  key: readonly string[],
  inputs: readonly string[],
  dir: string,
  etag: string | null,
  without?: string,
): Promise<boolean> {
  const { s3, buckets } = deps;
  const target = inputs.length > 0 ? mergedKey(ref, name) : null;
  if (target) {
    const out = join(dir, 'merged.parquet');
    await mergeFiles({ inputs, key, out, tempDir: dir, without }, deps.memoryLimit);
    await uploadFile(s3, { bucket: buckets.curated, key: target }, out, PARQUET, { 'upload-id': name });
  }
  try {
    await s3.send(
      new PutObjectCommand({
        Bucket: buckets.curated,
        Key: currentManifestKey(ref),
        Body: manifestText(buckets.curated, target ? [target] : []),
        ContentType: 'text/plain; charset=utf-8',
        Metadata: { 'upload-id': name, 'upsert-key': key.join(',') },
        ...(etag ? { IfMatch: etag } : { IfNoneMatch: '*' }),
      }),
    );
    return true;
  } catch (e) {
    if (isPreconditionFailed(e)) return false;
    throw e;
  }
}

/** The key columns an upsert manifest records. */
async function keyColumns(s3: S3Client, bucket: string, ref: DatasetRef): Promise<string[]> {
  const Key = currentManifestKey(ref);
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key }));
    const key = h.Metadata?.['upsert-key'];
    if (key) return key.split(',');
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  throw new IngestError(
    `s3://${bucket}/${Key} names merged files but not their key columns (metadata upsert-key): upload a correction to the dataset to merge it again`,
  );
}

/** The merge itself, in DuckDB on local files: per key, the row of the greatest `_upload_id` (but `without`). */
async function mergeFiles(
  job: { inputs: readonly string[]; key: readonly string[]; out: string; tempDir: string; without?: string },
  memoryLimit?: string,
): Promise<void> {
  const { inputs, key, out, tempDir, without } = job;
  const db = await createDuckDB(':memory:', {
    threads: '1',
    temp_directory: join(tempDir, 'duckdb-tmp'),
    ...(memoryLimit ? { memory_limit: memoryLimit } : {}),
  });
  const conn = await db.connect();
  try {
    const files = `read_parquet([${inputs.map(lit).join(', ')}], hive_partitioning = false, union_by_name = true)`;
    const partition = key.map(ident).join(', ');
    const where = without ? ` WHERE _upload_id <> ${lit(without)}` : '';
    await conn.run(
      `COPY (SELECT * FROM ${files}${where} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY _upload_id DESC, _source_line DESC) = 1 ORDER BY _upload_id, _source_line) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}
