/**
 * One local file to the landing zone, as a department's client uploads it: multipart above one part's
 * size, parts sent two at a time, progress reported as bytes go out.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { UploadedObject } from './backend.ts';
import type { ProgressReporter } from './progress.ts';

/** Part size of multipart uploads (S3's minimum is 5 MiB). */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/** Parts in flight at once. */
export const UPLOAD_QUEUE_SIZE = 2;

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  gz: 'application/gzip',
};

export function contentTypeOf(name: string): string {
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/**
 * What an upload to landing says of its object besides its bytes: the bucket, the key and the content type
 * (no metadata, no tags; the bucket's default encryption applies). The CLI's uploads and the portal's
 * presigned ones both use it, so the transformer sees the same object whichever way it came.
 */
export function landingObject(target: { bucket: string; key: string }): {
  Bucket: string;
  Key: string;
  ContentType: string;
} {
  return { Bucket: target.bucket, Key: target.key, ContentType: contentTypeOf(target.key) };
}

export async function uploadFile(
  s3: S3Client,
  target: { bucket: string; key: string },
  path: string,
  progress: ProgressReporter,
  opts: { partBytes?: number } = {},
): Promise<UploadedObject> {
  const { size } = await stat(path);
  const startedAt = new Date();
  const upload = new Upload({
    client: s3,
    params: { ...landingObject(target), Body: createReadStream(path) },
    partSize: opts.partBytes ?? UPLOAD_PART_BYTES,
    queueSize: UPLOAD_QUEUE_SIZE,
    leavePartsOnError: false,
  });
  progress.update(0, size);
  upload.on('httpUploadProgress', (p) => progress.update(p.loaded ?? 0, size));
  const done = await upload.done();
  progress.update(size, size);
  return {
    bucket: target.bucket,
    key: target.key,
    bytes: size,
    etag: 'ETag' in done ? done.ETag : undefined,
    versionId: 'VersionId' in done ? done.VersionId : undefined,
    startedAt,
  };
}
