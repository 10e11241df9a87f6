/** Small S3 operations the ingestion core is built from: each one does one request pattern, and says which errors mean "absent". */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type _Object,
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  type GetObjectCommandInput,
  HeadObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { IngestError } from './errors.ts';

/** Largest object one CopyObject request copies; larger ones are copied in parts. */
export const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;
/** Part size of a multipart copy (S3 allows 5 MiB to 5 GiB per part, at most 10,000 parts). */
export const COPY_PART_BYTES = 512 * 1024 ** 2;
/** Part size of multipart uploads of local files. */
export const UPLOAD_PART_BYTES = 16 * 1024 ** 2;

interface SdkError {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

function statusOf(e: unknown): number | undefined {
  return (e as SdkError | undefined)?.$metadata?.httpStatusCode;
}

/** The key (or version) does not exist. A missing bucket is not "absent": it is a deployment error. */
export function isNotFound(e: unknown): boolean {
  const name = (e as SdkError | undefined)?.name;
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchVersion' || statusOf(e) === 404;
}

/** A conditional request lost: the object changed since it was read (or appeared, for If-None-Match). */
export function isPreconditionFailed(e: unknown): boolean {
  const name = (e as SdkError | undefined)?.name;
  return (
    name === 'PreconditionFailed' ||
    name === 'ConditionalRequestConflict' ||
    statusOf(e) === 412 ||
    statusOf(e) === 409
  );
}

/** Surrounding quotes removed: S3 returns `"abc"`, events carry `abc`. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1');
}

/** A whole object as text, with its ETag, or null when it does not exist. */
export async function readText(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<{ text: string; etag?: string } | null> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!r.Body) throw new IngestError(`s3://${bucket}/${key} has no body`);
    return { text: await r.Body.transformToString('utf8'), etag: r.ETag };
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}

/** True when the object exists (HeadObject). */
export async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    if (isNotFound(e)) return false;
    throw e;
  }
}

/** Streams an object to a local file, hashing it on the way. */
export async function downloadToFile(
  s3: S3Client,
  input: GetObjectCommandInput,
  path: string,
): Promise<{ bytes: number; sha256: string }> {
  const r = await s3.send(new GetObjectCommand(input));
  if (!r.Body) throw new IngestError(`s3://${input.Bucket}/${input.Key} has no body`);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  await pipeline(r.Body as NodeJS.ReadableStream, tap, createWriteStream(path));
  if (r.ContentLength !== undefined && r.ContentLength !== bytes) {
    throw new IngestError(
      `s3://${input.Bucket}/${input.Key}: read ${bytes} bytes of ${r.ContentLength}; the download was cut short`,
    );
  }
  return { bytes, sha256: hash.digest('hex') };
}

/**
 * The x-amz-copy-source of an object version: bucket and key URL-encoded segment by segment. `=` stays as
 * it is (a character paths may hold as such): the local endpoint decodes the header with decodeURI, which
 * leaves `%3D` encoded, and partition folders (`ingest_date=…`) have one.
 */
export function copySourceOf(bucket: string, key: string, versionId?: string): string {
  const segment = (s: string) => encodeURIComponent(s).replaceAll('%3D', '=');
  const path = `${bucket}/${key.split('/').map(segment).join('/')}`;
  return versionId ? `${path}?versionId=${encodeURIComponent(versionId)}` : path;
}

export interface CopySpec {
  source: { bucket: string; key: string; versionId?: string; etag?: string };
  target: { bucket: string; key: string };
  /** The source's size, which chooses between one request and a multipart copy. */
  size: number;
}

/**
 * Copies an object version byte for byte, server side: one CopyObject up to 5 GiB, a multipart copy beyond.
 * Without a version id the source's ETag is required to match, so a key overwritten meanwhile is not copied
 * in place of the version being processed.
 */
export async function copyObject(
  s3: S3Client,
  spec: CopySpec,
  limits: { singleMaxBytes?: number; partBytes?: number } = {},
): Promise<void> {
  const { source, target, size } = spec;
  const CopySource = copySourceOf(source.bucket, source.key, source.versionId);
  const CopySourceIfMatch = source.versionId ? undefined : source.etag;
  if (size <= (limits.singleMaxBytes ?? COPY_OBJECT_MAX_BYTES)) {
    await s3.send(
      new CopyObjectCommand({ Bucket: target.bucket, Key: target.key, CopySource, CopySourceIfMatch }),
    );
    return;
  }
  const head = await s3.send(
    new HeadObjectCommand({ Bucket: source.bucket, Key: source.key, VersionId: source.versionId }),
  );
  const { UploadId } = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: head.ContentType,
      Metadata: head.Metadata,
    }),
  );
  if (!UploadId)
    throw new IngestError(`no upload id for a multipart copy to s3://${target.bucket}/${target.key}`);
  const partBytes = limits.partBytes ?? COPY_PART_BYTES;
  try {
    const parts: { ETag?: string; PartNumber: number }[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n++) {
      const end = Math.min(start + partBytes, size) - 1;
      const r = await s3.send(
        new UploadPartCopyCommand({
          Bucket: target.bucket,
          Key: target.key,
          UploadId,
          PartNumber: n,
          CopySource,
          CopySourceIfMatch,
          CopySourceRange: `bytes=${start}-${end}`,
        }),
      );
      parts.push({ ETag: r.CopyPartResult?.ETag, PartNumber: n });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (e) {
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: target.bucket, Key: target.key, UploadId }))
      .catch(() => undefined);
    throw e;
  }
}

/** Uploads a local file (multipart when large). */
export async function uploadFile(
  s3: S3Client,
  target: { bucket: string; key: string },
  path: string,
  contentType: string,
  metadata?: Record<string, string>,
): Promise<void> {
  const upload = new Upload({
    client: s3,
    params: {
      Bucket: target.bucket,
      Key: target.key,
      Body: createReadStream(path),
      ContentType: contentType,
      Metadata: metadata,
    },
    partSize: UPLOAD_PART_BYTES,
    queueSize: 2,
    leavePartsOnError: false,
  });
  await upload.done();
}

/** Every object under `prefix`, page by page. */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<_Object> {
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }),
    );
    yield* page.Contents ?? [];
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
}
