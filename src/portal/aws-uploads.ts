/**
 * The upload steps (upload.ts) over the deployed lake: the browser sends the file straight to the landing
 * bucket, never through the API (API Gateway takes 10 MB bodies and waits 29 seconds at most).
 *
 * start creates an S3 multipart upload on the landing key `lake upload` writes
 * (`landing/<department>/<dataset>/<file>`, with the same content type, no metadata or tags: the
 * transformer sees the same object) as the department's upload role, the session the portal assumes for
 * the signed-in steward, and presigns one UploadPart URL per part with that session's credentials. No
 * encryption header is signed: the bucket's default (SSE-KMS with the lake's data key) applies, and its
 * policy refuses only other encryption, not a missing header. The URLs live as long as the session: the
 * portal's role assumes the upload role by role chaining, which STS limits to one hour, so a part not
 * sent within the hour after start fails (larger files: `lake upload`). complete and abort act as the same
 * role; a receipt's report is looked up in the department's reports.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { objectDigest } from '../cli/aws/aws-backend.ts';
import { landingObject } from '../cli/upload-file.ts';
import type { IngestReport } from '../engine/report.ts';
import { type DatasetRef, landingKey } from '../lake/layout.ts';
import { ApiError } from './api-error.ts';
import {
  type DirectUploads,
  partCount,
  partSizeFor,
  type SentPart,
  type UploadPlan,
  unknownUpload,
} from './upload.ts';

/** The longest a part URL is valid (the session may end sooner: then the URLs end with it). */
export const PART_URL_SECONDS = 3600;
/** Seconds kept between a URL's end and its session's, so no URL outlives the credentials it carries. */
const SESSION_MARGIN_SECONDS = 60;
/** The shortest useful validity: a session closer to its end than this cannot start an upload. */
const MIN_URL_SECONDS = 300;

export interface AwsUploadDeps {
  landingBucket: string;
  /** An S3 client acting as the department's upload role (its credentials carry their expiry). */
  s3(department: string): Promise<S3Client>;
  /** The report of the dataset's upload whose id ends with the digest, or null (AwsBackend.findReport). */
  findReport(ref: DatasetRef, digest: string): Promise<IngestReport | null>;
  now(): Date;
}

/**
 * A client that signs as `s3` does, without the checksum the SDK adds by default: it would be the
 * checksum of an empty body, signed into every part URL, and S3 would refuse each part's real bytes.
 */
function presigner(s3: S3Client): S3Client {
  const c = s3.config;
  return new S3Client({
    region: c.region,
    credentials: c.credentials,
    forcePathStyle: c.forcePathStyle,
    ...(c.isCustomEndpoint && c.endpoint ? { endpoint: c.endpoint } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
}

/** An error S3 answered with one of `names`. */
function s3Error(e: unknown, ...names: string[]): boolean {
  const name = (e as { name?: string; Code?: string } | null)?.name;
  return name !== undefined && names.includes(name);
}

export class AwsDirectUploads implements DirectUploads {
  constructor(private readonly deps: AwsUploadDeps) {}

  private target(ref: DatasetRef, name: string) {
    return landingObject({ bucket: this.deps.landingBucket, key: landingKey(ref, name) });
  }

  async start(ref: DatasetRef, file: { name: string; bytes: number }): Promise<UploadPlan> {
    const s3 = await this.deps.s3(ref.department);
    const now = this.deps.now().getTime();
    const { expiration } = await s3.config.credentials();
    const left = expiration
      ? Math.floor((expiration.getTime() - now) / 1000) - SESSION_MARGIN_SECONDS
      : PART_URL_SECONDS;
    const expiresIn = Math.min(PART_URL_SECONDS, left);
    if (expiresIn < MIN_URL_SECONDS)
      throw new ApiError(
        503,
        'session_ending',
        `the upload role's session for ${ref.department} ends in ${Math.max(0, left)} seconds`,
        'Start the upload again: a new session is made for it.',
      );
    const target = this.target(ref, file.name);
    const created = await s3.send(new CreateMultipartUploadCommand(target));
    const uploadId = created.UploadId;
    if (!uploadId) throw new Error(`S3 started no multipart upload for ${target.Key}`);
    const partSize = partSizeFor(file.bytes);
    const signer = presigner(s3);
    try {
      const parts = await Promise.all(
        Array.from({ length: partCount(file.bytes, partSize) }, async (_, i) => ({
          partNumber: i + 1,
          url: await getSignedUrl(
            signer,
            new UploadPartCommand({
              Bucket: target.Bucket,
              Key: target.Key,
              UploadId: uploadId,
              PartNumber: i + 1,
            }),
            { expiresIn },
          ),
        })),
      );
      return {
        uploadId,
        fileName: file.name,
        partSize,
        parts,
        expiresAt: new Date(now + expiresIn * 1000).toISOString(),
      };
    } finally {
      signer.destroy();
    }
  }

  async complete(ref: DatasetRef, uploadId: string, fileName: string, parts: SentPart[]): Promise<string> {
    const s3 = await this.deps.s3(ref.department);
    const target = this.target(ref, fileName);
    try {
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: target.Bucket,
          Key: target.Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
      return objectDigest({ key: target.Key, versionId: done.VersionId, etag: done.ETag });
    } catch (e) {
      if (s3Error(e, 'NoSuchUpload')) throw unknownUpload(ref, uploadId);
      if (s3Error(e, 'InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'))
        throw new ApiError(
          400,
          'bad_parts',
          `S3 refused the parts of "${fileName}" (${(e as Error).name}): a part is missing, out of order or not as sent`,
          'Upload the file again from the start.',
        );
      throw e;
    }
  }

  async abort(ref: DatasetRef, uploadId: string, fileName: string): Promise<void> {
    const s3 = await this.deps.s3(ref.department);
    const target = this.target(ref, fileName);
    try {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId }),
      );
    } catch (e) {
      if (!s3Error(e, 'NoSuchUpload')) throw e;
    }
  }

  async reportOf(ref: DatasetRef, receipt: string): Promise<string | null> {
    return (await this.deps.findReport(ref, receipt))?.uploadId ?? null;
  }
}
