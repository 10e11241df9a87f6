/**
 * The content index of a dataset: for each sha256 of an upload's bytes, the one upload that publishes
 * them. An upload whose bytes are already published in the dataset, by an upload accepted and not since
 * withdrawn, publishes nothing: it is a duplicate of that upload.
 *
 *   quarantine/<department>/<dataset>/_content/<sha256>.json   {"sha256","uploadId","at","source"}
 *
 * The entry is written before anything is published, with a conditional put (If-None-Match to create it,
 * If-Match to take it over), so two deliveries of the same bytes at once cannot both publish: the one
 * whose write lands first publishes, the other finds its entry. An entry is taken over when the upload it
 * names ended rejected, was withdrawn, or can never finish (its landing version is gone and it has no
 * report: what it left in curated/ and quarantine/ is removed). While the upload it names is still under
 * way the other delivery fails with ContentBusyError and is retried later, like any transient error.
 *
 * The same upload delivered again finds its own entry and carries on: a retry is not a duplicate of itself.
 *
 * Uploads published before the index existed are indexed from their reports the first time a dataset
 * needs its index (`_content/_indexed` marks a dataset done), so their bytes count too.
 */
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DatasetContract } from '../contracts/schema.ts';
import type { IngestReport } from '../engine/report.ts';
import { datasetModel } from '../lake/dataset-model.ts';
import { contentIndexKey, contentIndexPrefix, type DatasetRef, uploadIdTime } from '../lake/layout.ts';
import { IngestError } from './errors.ts';
import { listReports, readReport } from './report-store.ts';
import { exists, isNotFound, isPreconditionFailed, normalizeEtag, readText } from './s3-objects.ts';
import type { IngestLogger, LakeBuckets } from './types.ts';

/** Attempts at the conditional write before giving up (each attempt re-reads the entry). */
const MAX_ATTEMPTS = 5;

/** One entry of the index: the upload that publishes these bytes, and the landing object it came from. */
export interface ContentEntry {
  sha256: string;
  uploadId: string;
  /** The landing object's LastModified (ISO 8601): the upload's date partition, and its identity without versioning. */
  at: string;
  source: { bucket: string; key: string; versionId?: string; etag?: string };
}

export type ContentClaim = { kind: 'claimed' } | { kind: 'duplicate'; of: string };

/** Another upload of the same bytes is still being processed: retry this one after it. */
export class ContentBusyError extends IngestError {
  constructor(
    readonly dataset: string,
    readonly holder: string,
  ) {
    super(
      `upload ${holder} of the same bytes into ${dataset} is still being processed; this upload is retried after it (locally: \`lake redrive\`)`,
    );
    this.name = 'ContentBusyError';
  }
}

/** True when the report's upload counts as published: accepted (wholly or partly) and not withdrawn. */
export function publishes(report: IngestReport): boolean {
  return (report.status === 'accepted' || report.status === 'partial') && !report.withdrawal;
}

export interface ContentIndexDeps {
  readonly s3: S3Client;
  readonly buckets: LakeBuckets;
  readonly logger?: IngestLogger;
}

/**
 * Records `entry` as the upload that publishes its bytes in the dataset, or says which upload already
 * does. Throws ContentBusyError while that upload is still under way.
 */
export async function claimContent(
  deps: ContentIndexDeps,
  ref: DatasetRef,
  contract: DatasetContract,
  entry: ContentEntry,
): Promise<ContentClaim> {
  const { s3, buckets } = deps;
  const Key = contentIndexKey(ref, entry.sha256);
  const put = async (condition: { IfMatch: string } | { IfNoneMatch: '*' }): Promise<boolean> => {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: buckets.quarantine,
          Key,
          Body: `${JSON.stringify(entry)}\n`,
          ContentType: 'application/json; charset=utf-8',
          ...condition,
        }),
      );
      return true;
    } catch (e) {
      if (isPreconditionFailed(e)) return false;
      throw e;
    }
  };
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    let found = await readText(s3, buckets.quarantine, Key);
    if (!found && (await indexEarlierUploads(deps, ref))) found = await readText(s3, buckets.quarantine, Key);
    if (!found) {
      if (await put({ IfNoneMatch: '*' })) return { kind: 'claimed' };
      continue;
    }
    const holder = JSON.parse(found.text) as ContentEntry;
    if (holder.uploadId === entry.uploadId) return { kind: 'claimed' };
    const report = await readReport(s3, buckets.quarantine, ref, holder.uploadId);
    if (report && publishes(report)) return { kind: 'duplicate', of: holder.uploadId };
    if (!report) {
      if (await sourceRemains(s3, holder))
        throw new ContentBusyError(`${ref.department}/${ref.dataset}`, holder.uploadId);
      await removeOutputs(deps, contract, holder);
    }
    if (found.etag && (await put({ IfMatch: found.etag }))) return { kind: 'claimed' };
  }
  throw new IngestError(
    `s3://${buckets.quarantine}/${Key} kept changing during ${MAX_ATTEMPTS} attempts to update it; the upload will be retried`,
  );
}

/**
 * Indexes the dataset's uploads published before the index existed, once per dataset (the first upload of
 * each sha256 wins; entries already there are kept). Returns true when it indexed anything just now.
 */
async function indexEarlierUploads(deps: ContentIndexDeps, ref: DatasetRef): Promise<boolean> {
  const { s3, buckets } = deps;
  const marker = `${contentIndexPrefix(ref)}_indexed`;
  if (await exists(s3, buckets.quarantine, marker)) return false;
  let indexed = 0;
  for (const e of await listReports(s3, buckets.quarantine, ref.department, ref.dataset)) {
    const r = await readReport(s3, buckets.quarantine, ref, e.uploadId);
    if (!r || !publishes(r) || !r.source.sha256) continue;
    const entry: ContentEntry = {
      sha256: r.source.sha256,
      uploadId: r.uploadId,
      at: uploadTime(r.uploadId),
      source: { bucket: buckets.landing, key: r.source.key },
    };
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: buckets.quarantine,
          Key: contentIndexKey(ref, entry.sha256),
          Body: `${JSON.stringify(entry)}\n`,
          ContentType: 'application/json; charset=utf-8',
          IfNoneMatch: '*',
        }),
      );
      indexed++;
    } catch (e) {
      if (!isPreconditionFailed(e)) throw e;
    }
  }
  await s3.send(new PutObjectCommand({ Bucket: buckets.quarantine, Key: marker, Body: '', ContentLength: 0 }));
  if (indexed > 0) deps.logger?.info('indexed the content of earlier uploads', { indexed });
  return indexed > 0;
}

/** The time an upload id starts with, as ISO 8601 (the epoch for an id without one). */
function uploadTime(uploadId: string): string {
  return uploadIdTime(uploadId) ?? new Date(0).toISOString();
}

/** True while the landing object version an entry came from still exists (so its upload can still finish). */
async function sourceRemains(s3: S3Client, holder: ContentEntry): Promise<boolean> {
  const { bucket, key, versionId, etag } = holder.source;
  try {
    const h = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    if (versionId) return true;
    return (
      normalizeEtag(h.ETag) === normalizeEtag(etag) && h.LastModified?.getTime() === Date.parse(holder.at)
    );
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Removes what an upload that can never finish left in curated/ and quarantine/. */
async function removeOutputs(deps: ContentIndexDeps, contract: DatasetContract, holder: ContentEntry) {
  const keys = datasetModel(contract).outputKeys(holder.uploadId, new Date(holder.at));
  const targets = [
    { bucket: deps.buckets.curated, key: keys.curated },
    { bucket: deps.buckets.quarantine, key: keys.quarantine },
  ];
  for (const t of targets) {
    if (!(await exists(deps.s3, t.bucket, t.key))) continue;
    deps.logger?.warn('removing the outputs of an upload that can no longer finish', {
      uploadId: holder.uploadId,
      key: t.key,
    });
    await deps.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: t.key }));
  }
}
