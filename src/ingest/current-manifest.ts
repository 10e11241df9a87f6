/**
 * The current-upload manifest of a `mode: replace` dataset: which curated files hold the dataset as it is
 * now (each upload of such a dataset is the whole dataset). It is a Hive/Athena SymlinkTextInputFormat
 * manifest, one `s3://bucket/key` line per Parquet file, so a table whose location is the manifest's folder
 * reads exactly the current upload, while the dated partitions keep every earlier one.
 *
 *   curated/<department>/<dataset>/_current/manifest
 *
 * The folder starts with `_`, which Hive and Athena skip when they list the dataset's partitions.
 *
 * Uploads are delivered at least once and in any order, so the manifest moves forward only: it is replaced
 * only by an upload whose id sorts after the one it names (upload ids are time-ordered), and the write is
 * conditional on the manifest read, so two uploads finishing at once cannot both win.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { currentManifestKey, type DatasetRef } from '../lake/layout.ts';
import { IngestError } from './errors.ts';
import { isPreconditionFailed, readText } from './s3-objects.ts';

/** Attempts at the conditional write before giving up (each attempt re-reads the manifest). */
const MAX_ATTEMPTS = 5;

/** The manifest's text: one s3:// URI per line. */
export function manifestText(bucket: string, keys: readonly string[]): string {
  return keys.map((k) => `s3://${bucket}/${k}\n`).join('');
}

export interface CurrentManifest {
  /** The curated files it lists, as s3:// URIs. */
  uris: string[];
  /** The upload those files belong to (the file name of the first line, without .parquet), or null. */
  uploadId: string | null;
  etag?: string;
}

export function parseManifest(text: string, etag?: string): CurrentManifest {
  const uris = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const name = uris[0]?.split('/').pop() ?? '';
  return { uris, uploadId: name.endsWith('.parquet') ? name.slice(0, -'.parquet'.length) : null, etag };
}

/** The current manifest of a dataset, or null when it has none. */
export async function readCurrentManifest(
  s3: S3Client,
  curatedBucket: string,
  ref: DatasetRef,
): Promise<CurrentManifest | null> {
  const found = await readText(s3, curatedBucket, currentManifestKey(ref));
  return found ? parseManifest(found.text, found.etag) : null;
}

export type ManifestUpdate = 'updated' | 'kept-newer' | 'unchanged';

/**
 * Points the dataset's manifest at `keys` (the curated files of `uploadId`) unless it already names an
 * upload that sorts at or after `uploadId`.
 */
export async function advanceCurrentManifest(
  s3: S3Client,
  curatedBucket: string,
  ref: DatasetRef,
  uploadId: string,
  keys: readonly string[],
): Promise<ManifestUpdate> {
  const Key = currentManifestKey(ref);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await readCurrentManifest(s3, curatedBucket, ref);
    if (current?.uploadId === uploadId) return 'unchanged';
    if (current?.uploadId && current.uploadId > uploadId) return 'kept-newer';
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: curatedBucket,
          Key,
          Body: manifestText(curatedBucket, keys),
          ContentType: 'text/plain; charset=utf-8',
          Metadata: { 'upload-id': uploadId },
          ...(current?.etag ? { IfMatch: current.etag } : { IfNoneMatch: '*' }),
        }),
      );
      return 'updated';
    } catch (e) {
      if (!isPreconditionFailed(e)) throw e;
      // Another upload of the dataset wrote the manifest since it was read: read it again and compare.
    }
  }
  throw new IngestError(
    `s3://${curatedBucket}/${Key} kept changing during ${MAX_ATTEMPTS} attempts to update it; the upload will be retried`,
  );
}

export type ManifestRetreat = 'fell-back' | 'not-current';

/**
 * Takes `withdrawn` out of the dataset's manifest, if it is the upload the manifest names: the manifest
 * then names the upload `fallback()` gives (the previous one still published), or nothing at all. The
 * write is conditional on the manifest read, so an upload finishing at the same time either lands first
 * (and the manifest no longer names the withdrawn upload) or moves the manifest forward afterwards.
 */
export async function retreatCurrentManifest(
  s3: S3Client,
  curatedBucket: string,
  ref: DatasetRef,
  withdrawn: string,
  fallback: () => Promise<{ uploadId: string; keys: readonly string[] } | null>,
): Promise<ManifestRetreat> {
  const Key = currentManifestKey(ref);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await readCurrentManifest(s3, curatedBucket, ref);
    if (current?.uploadId !== withdrawn) return 'not-current';
    const previous = await fallback();
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: curatedBucket,
          Key,
          Body: manifestText(curatedBucket, previous?.keys ?? []),
          ContentType: 'text/plain; charset=utf-8',
          Metadata: previous ? { 'upload-id': previous.uploadId } : {},
          ...(current.etag ? { IfMatch: current.etag } : {}),
        }),
      );
      return 'fell-back';
    } catch (e) {
      if (!isPreconditionFailed(e)) throw e;
    }
  }
  throw new IngestError(
    `s3://${curatedBucket}/${Key} kept changing during ${MAX_ATTEMPTS} attempts to update it; run the withdrawal again`,
  );
}
